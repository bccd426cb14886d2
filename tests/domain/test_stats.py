"""Schedule statistics on hand-checked schedules."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from oncall.domain.people import DaysOffTable, Holiday, LeaveRange
from oncall.domain.rotation import Override, RotationSpec, Shift, compute_shifts
from oncall.domain.stats import PersonStats, compute_stats

IST = ZoneInfo("Asia/Kolkata")
MONDAY = date(2026, 1, 5)
NOBODY_OFF = DaysOffTable({})


def ist(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour), IST)


def week(k: int) -> date:
    return MONDAY + timedelta(weeks=k)


def schedule(
    n_weeks: int,
    availability: DaysOffTable,
    members: Sequence[str] = ("a", "b", "c", "d"),
    overrides: Sequence[Override] = (),
    **kw: object,
) -> list[Shift]:
    spec = RotationSpec("r", tuple(members), MONDAY, time(9), IST, **kw)  # type: ignore[arg-type]
    return compute_shifts(
        spec, ist(week(0)), ist(week(n_weeks)), availability=availability, overrides=overrides
    )


def row(stats: PersonStats) -> tuple[int, int, int, int, int, int, int]:
    return (
        stats.shifts,
        stats.oncall_days,
        stats.weekend_days,
        stats.holiday_days_worked,
        stats.swaps_given,
        stats.swaps_taken,
        stats.overrides_taken,
    )


def test_even_rotation() -> None:
    stats = compute_stats(schedule(8, NOBODY_OFF), availability=NOBODY_OFF)
    assert [p.person for p in stats.people] == ["a", "b", "c", "d"]
    assert {row(p) for p in stats.people} == {(2, 14, 4, 0, 0, 0, 0)}
    assert stats.spread == 0


def test_swap_is_given_and_taken() -> None:
    off = DaysOffTable({}, leave={"b": [LeaveRange(week(1), week(1))]})
    stats = compute_stats(schedule(4, off), availability=off, members=("a", "b", "c", "d"))
    by = {p.person: row(p) for p in stats.people}
    # b swaps shift 1 with c's shift 2: both give one and take one.
    assert by == {
        "a": (1, 7, 2, 0, 0, 0, 0),
        "b": (1, 7, 2, 0, 1, 1, 0),
        "c": (1, 7, 2, 0, 1, 1, 0),
        "d": (1, 7, 2, 0, 0, 0, 0),
    }
    assert stats.spread == 0


def test_holidays_worked_when_nobody_could_swap() -> None:
    festival = week(1) + timedelta(days=2)

    def calendar(year: int) -> dict[date, Holiday]:
        return {festival: Holiday("Festival")} if year == festival.year else {}

    off = DaysOffTable(dict.fromkeys(("a", "b"), calendar))
    stats = compute_stats(schedule(2, off, members=("a", "b")), availability=off)
    a, b = stats.get("a"), stats.get("b")
    assert a is not None and b is not None
    assert [(h.date, h.name) for h in b.holidays_worked] == [(festival, "Festival")]
    assert b.holiday_days_worked == 1
    assert a.holidays_worked == ()


def test_weekend_holiday_counts_as_worked_even_when_not_swapped_for() -> None:
    saturday = week(0) + timedelta(days=5)
    off = DaysOffTable({}, leave={"a": [LeaveRange(saturday, saturday, "trip")]})
    shifts = schedule(2, off, members=("a", "b"), swap_weekends=False)
    assert [s.person for s in shifts] == ["a", "b"]
    stats = compute_stats(shifts, availability=off)
    a = stats.get("a")
    assert a is not None and [h.date for h in a.holidays_worked] == [saturday]


def test_override_days_go_to_the_override_person() -> None:
    saturday = week(0) + timedelta(days=5)
    ov = Override("r", ist(saturday, 0), ist(week(1)), "x", "cover")
    shifts = schedule(1, NOBODY_OFF, members=("a", "b"), overrides=[ov])
    stats = compute_stats(shifts, availability=NOBODY_OFF, members=("a", "b"))
    assert [p.person for p in stats.people] == ["a", "b", "x"]
    by = {p.person: row(p) for p in stats.people}
    assert by["a"] == (1, 5, 0, 0, 0, 0, 0)
    assert by["x"] == (1, 2, 2, 0, 0, 0, 1)
    assert by["b"] == (0, 0, 0, 0, 0, 0, 0)
    # Spread is over members only: a has 5 days, b none.
    assert stats.spread == 5


def test_short_override_has_no_duty_date() -> None:
    ov = Override("r", ist(week(0), 12), ist(week(0), 16), "x", "dentist")
    shifts = schedule(1, NOBODY_OFF, members=("a",), overrides=[ov])
    stats = compute_stats(shifts, availability=NOBODY_OFF)
    by = {p.person: row(p) for p in stats.people}
    assert by == {"a": (1, 7, 2, 0, 0, 0, 0), "x": (0, 0, 0, 0, 0, 0, 1)}
    assert stats.spread == 7


def test_between_counts_only_dates_in_the_window() -> None:
    shifts = schedule(3, NOBODY_OFF, members=("a", "b", "c"))
    # Wednesday of week 0 to Wednesday of week 1 (exclusive): a has Wed-Sun, b has Mon-Tue.
    window = (week(0) + timedelta(days=2), week(1) + timedelta(days=2))
    stats = compute_stats(shifts, availability=NOBODY_OFF, between=window)
    by = {p.person: (p.shifts, p.oncall_days, p.weekend_days) for p in stats.people}
    assert by == {"a": (1, 5, 2), "b": (1, 2, 0), "c": (0, 0, 0)}
    assert stats.spread == 5


def test_swap_counted_once_across_override_pieces() -> None:
    off = DaysOffTable({}, leave={"b": [LeaveRange(week(1), week(1))]})
    ov = Override("r", ist(week(1), 12), ist(week(1), 14), "x", "cover")
    stats = compute_stats(
        schedule(3, off, members=("a", "b", "c"), overrides=[ov]),
        availability=off,
    )
    by = {p.person: (p.swaps_given, p.swaps_taken) for p in stats.people}
    assert by == {"a": (0, 0), "b": (1, 1), "c": (1, 1), "x": (0, 0)}
