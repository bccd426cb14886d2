"""compute_shifts builds each Shift with its fields by position (issue 14): the order it
assumes, and a swapped, overridden and locked schedule whose every field is checked."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from oncall.domain.people import DaysOffTable, Holiday
from oncall.domain.rotation import Override, RotationSpec, Shift, compute_shifts


def test_the_field_order_the_engine_passes() -> None:
    assert [f.name for f in dataclasses.fields(Shift)] == [
        "rotation",
        "index",
        "start",
        "end",
        "person",
        "reason",
        "base_person",
        "swapped_with",
        "swap_cause",
        "swap_cause_person",
        "conflicts",
        "override_reason",
        "overridden",
        "swap_index",
        "duty_dates",
        "unresolved",
        "locked",
    ]


def test_every_field_of_a_swapped_and_overridden_shift() -> None:
    tz = ZoneInfo("Europe/London")
    spec = RotationSpec("r", ("a", "b"), date(2026, 1, 5), time(9), tz, shift_days=7)
    day = date(2026, 1, 7)
    table = DaysOffTable({"a": lambda year: {day: Holiday("Feast")} if year == 2026 else {}})
    cover = Override(
        "r", datetime(2026, 1, 6, 9, tzinfo=tz), datetime(2026, 1, 8, 9, tzinfo=tz), "c", "trip"
    )
    shifts = compute_shifts(
        spec,
        datetime(2026, 1, 5, tzinfo=UTC),
        datetime(2026, 1, 19, tzinfo=UTC),
        availability=table,
        overrides=[cover],
    )
    first, piece, rest, second = shifts
    assert first.rotation == "r" and first.index == 0
    assert (first.start, first.end) == (datetime(2026, 1, 5, 9, tzinfo=tz), cover.start)
    assert (first.person, first.reason, first.base_person) == ("b", "swap", "a")
    assert (first.swapped_with, first.swap_index, first.swap_cause_person) == ("a", 1, "a")
    assert [d.name for d in first.swap_cause] == ["Feast"]
    assert first.duty_dates == (date(2026, 1, 5),) and first.conflicts == ()
    assert (first.override_reason, first.overridden, first.unresolved, first.locked) == (
        None,
        None,
        False,
        None,
    )
    assert (piece.person, piece.reason, piece.override_reason, piece.overridden) == (
        "c",
        "override",
        "trip",
        "b",
    )
    assert piece.duty_dates == (date(2026, 1, 6), date(2026, 1, 7))
    assert rest.start == cover.end and rest.person == "b" and rest.reason == "swap"
    assert (second.index, second.person, second.reason, second.swap_index) == (1, "a", "swap", 0)
    assert second.duty_dates[0] == date(2026, 1, 12) and len(second.duty_dates) == 7
