"""Days off in words: runs of dates collapse, labels group them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from oncall.domain.people import DayOff, DaysOffTable, Holiday, LeaveRange, describe_days


def test_runs_collapse_and_groups_sort_by_date() -> None:
    days = [
        DayOff(date(2026, 12, 25), "Christmas", "holiday"),
        DayOff(date(2026, 12, 16), "family event", "leave"),
        DayOff(date(2026, 12, 14), "family event", "leave"),
        DayOff(date(2026, 12, 15), "family event", "leave"),
    ]
    assert describe_days(days) == "2026-12-14..16 leave: family event, 2026-12-25 Christmas"


def test_a_run_across_months_shows_both_dates_and_gaps_split_runs() -> None:
    days = [DayOff(date(2026, 12, d), "", "leave") for d in (30, 31)]
    days += [DayOff(date(2027, 1, 1), "", "leave"), DayOff(date(2027, 1, 3), "", "leave")]
    assert describe_days(days) == "2026-12-30..2027-01-01 leave, 2027-01-03 leave"


def test_estimated_holidays_say_so() -> None:
    day = DayOff(date(2026, 3, 4), "Holi", "holiday", estimated=True)
    assert describe_days([day]) == "2026-03-04 Holi (estimated)"


# ---------------------------------------------------------------------------------------
# DaysOffTable keeps, per person and year, only the dates with days off (issue 14): the
# same answers as the rule applied date by date.

HOLIDAY_DAYS = st.dates(min_value=date(2025, 11, 1), max_value=date(2027, 2, 28))


def _plain_days_off(
    calendars: dict[str, Callable[[int], Mapping[date, Holiday]]],
    company: dict[date, str],
    leave: dict[str, list[LeaveRange]],
    person: str,
    day: date,
) -> tuple[DayOff, ...]:
    """The rule, one date at a time: the date's own year's holiday, the company holiday,
    then each leave range covering it."""
    out: list[DayOff] = []
    fn = calendars.get(person)
    holiday = fn(day.year).get(day) if fn is not None else None
    if holiday is not None:
        out.append(DayOff(day, holiday.name, "holiday", holiday.estimated))
    if day in company:
        out.append(DayOff(day, company[day], "company"))
    out.extend(DayOff(day, r.reason, "leave") for r in leave.get(person, []) if r.covers(day))
    return tuple(out)


@given(
    holidays=st.dictionaries(HOLIDAY_DAYS, st.tuples(st.text(max_size=3), st.booleans())),
    company=st.dictionaries(HOLIDAY_DAYS, st.text(max_size=3)),
    leave=st.lists(
        st.tuples(st.sampled_from(["a", "b"]), HOLIDAY_DAYS, HOLIDAY_DAYS, st.text(max_size=2)),
        max_size=4,
    ),
)
@settings(max_examples=150, deadline=None)
def test_the_table_answers_as_the_rule_date_by_date(
    holidays: dict[date, tuple[str, bool]],
    company: dict[date, str],
    leave: list[tuple[str, date, date, str]],
) -> None:
    def calendar(year: int) -> Mapping[date, Holiday]:
        # Every year's calendar lists all the dates, also those of other years (as an
        # observed day of next year can be): only the date's own year's counts.
        return {d: Holiday(f"{name}{year}", est) for d, (name, est) in holidays.items()}

    calendars = {"a": calendar, "b": calendar}
    ranges: dict[str, list[LeaveRange]] = {}
    for person, first, last, reason in leave:
        ranges.setdefault(person, []).append(LeaveRange(first, last, reason))
    table = DaysOffTable(calendars, company, ranges)
    day = date(2025, 12, 1)
    while day <= date(2027, 1, 31):
        for person in ("a", "b", "c"):
            want = _plain_days_off(calendars, company, ranges, person, day)
            assert table.days_off(person, day) == want, (person, day)
            assert table.is_available(person, day) == (not want)
        day += timedelta(days=1)
    days = [date(2025, 12, 30) + timedelta(days=i) for i in range(0, 400, 3)]
    for person in ("a", "b", "c"):
        joined = tuple(off for d in days for off in table.days_off(person, d))
        assert table.days_off_on(person, days) == joined


def test_each_calendar_is_asked_once_per_year() -> None:
    calls: list[int] = []

    def calendar(year: int) -> Mapping[date, Holiday]:
        calls.append(year)
        return {date(year, 12, 25): Holiday("Christmas")}

    table = DaysOffTable({"a": calendar, "b": calendar})
    for person in ("a", "b", "a"):
        for day in (date(2026, 12, 25), date(2026, 1, 1), date(2027, 12, 25)):
            table.days_off(person, day)
    assert calls == [2026, 2027]
    assert table.days_off("b", date(2027, 12, 25)) == (
        DayOff(date(2027, 12, 25), "Christmas", "holiday"),
    )
