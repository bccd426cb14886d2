"""Days off in words: runs of dates collapse, labels group them."""

from __future__ import annotations

from datetime import date

from oncall.domain.people import DayOff, describe_days


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
