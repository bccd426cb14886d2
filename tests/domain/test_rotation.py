"""Hand-checked rotation cases: shifts, swaps, weekends, overrides, windows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from oncall.domain.people import DaysOffTable, Holiday, LeaveRange
from oncall.domain.rotation import (
    Override,
    RotationSpec,
    Shift,
    compute_shifts,
    shift_at,
    shift_dates,
    shift_index_at,
    shift_start,
)

IST = ZoneInfo("Asia/Kolkata")
NOBODY_OFF = DaysOffTable({})
# 2026-01-05 is a Monday.
MONDAY = date(2026, 1, 5)


def spec(members: Sequence[str] = ("a", "b", "c", "d"), **kw: object) -> RotationSpec:
    args: dict[str, object] = {
        "id": "r",
        "members": tuple(members),
        "start": MONDAY,
        "handoff": time(9, 0),
        "tz": IST,
    }
    args.update(kw)
    return RotationSpec(**args)  # type: ignore[arg-type]


def ist(day: date, hour: int = 9, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), IST)


def week(k: int) -> date:
    return MONDAY + timedelta(weeks=k)


def leave(ranges: Mapping[str, Sequence[tuple[date, date]]]) -> DaysOffTable:
    return DaysOffTable(
        {}, leave={p: [LeaveRange(a, b, "trip") for a, b in rs] for p, rs in ranges.items()}
    )


def holidays(people: Sequence[str], days: Mapping[date, str]) -> DaysOffTable:
    def calendar(year: int) -> dict[date, Holiday]:
        return {d: Holiday(name) for d, name in days.items() if d.year == year}

    return DaysOffTable(dict.fromkeys(people, calendar))


def weeks(sp: RotationSpec, n: int, **kw: object) -> list[Shift]:
    return compute_shifts(sp, ist(week(0)), ist(week(n)), **kw)  # type: ignore[arg-type]


def holders(shifts: Sequence[Shift]) -> list[str]:
    return [s.person for s in shifts]


# --- shift arithmetic ---------------------------------------------------------------------


def test_shift_start_is_handoff_on_start_plus_k_shifts() -> None:
    sp = spec(shift_days=3)
    assert shift_start(sp, 0).isoformat() == "2026-01-05T09:00:00+05:30"
    assert shift_start(sp, 1).isoformat() == "2026-01-08T09:00:00+05:30"
    assert shift_start(sp, 10).isoformat() == "2026-02-04T09:00:00+05:30"


def test_shift_dates_with_and_without_weekends() -> None:
    sp = spec()
    assert shift_dates(sp, 1) == [date(2026, 1, d) for d in range(12, 19)]
    assert shift_dates(sp, 1, include_weekends=False) == [date(2026, 1, d) for d in range(12, 17)]


def test_shift_index_at_bounds() -> None:
    sp = spec()
    tick = timedelta(microseconds=1)
    assert shift_index_at(sp, ist(week(0)) - tick) is None
    assert shift_index_at(sp, ist(week(0))) == 0
    assert shift_index_at(sp, ist(week(1)) - tick) == 0
    assert shift_index_at(sp, ist(week(1))) == 1
    assert shift_index_at(sp, ist(week(52), 8, 59)) == 51
    # The same instant expressed in another zone.
    assert shift_index_at(sp, ist(week(3)).astimezone(UTC)) == 3
    assert shift_index_at(sp, datetime(2020, 1, 1, tzinfo=UTC)) is None


def test_naive_datetimes_are_rejected() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        shift_index_at(spec(), datetime(2026, 1, 6, 12, 0))
    with pytest.raises(ValueError, match="timezone-aware"):
        compute_shifts(spec(), datetime(2026, 1, 6), ist(week(2)), availability=NOBODY_OFF)


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"members": ()}, "no members"),
        ({"shift_days": 0}, "shift_days"),
        ({"swap_horizon": -1}, "swap_horizon"),
    ],
)
def test_spec_validation(kw: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        spec(**kw)  # type: ignore[arg-type]


# --- base rotation ------------------------------------------------------------------------


def test_base_rotation_cycles_members_with_full_bounds() -> None:
    shifts = weeks(spec(("a", "b", "c")), 5, availability=NOBODY_OFF)
    assert holders(shifts) == ["a", "b", "c", "a", "b"]
    assert [s.index for s in shifts] == [0, 1, 2, 3, 4]
    assert {s.reason for s in shifts} == {"rotation"}
    assert [s.base_person for s in shifts] == holders(shifts)
    assert shifts[3].start == ist(week(3)) and shifts[3].end == ist(week(4))
    assert shifts[2].duty_dates == tuple(shift_dates(spec(), 2))


def test_window_returns_overlapping_shifts_unclipped() -> None:
    sp = spec()
    shifts = compute_shifts(sp, ist(week(2), 12), ist(week(3), 10), availability=NOBODY_OFF)
    assert [(s.index, s.start, s.end) for s in shifts] == [
        (2, ist(week(2)), ist(week(3))),
        (3, ist(week(3)), ist(week(4))),
    ]
    # A window ending exactly at a handoff does not include the next shift.
    assert [
        s.index for s in compute_shifts(sp, ist(week(2)), ist(week(3)), availability=NOBODY_OFF)
    ] == [2]


def test_before_shift_zero_there_is_nobody() -> None:
    sp = spec()
    before = compute_shifts(sp, ist(week(-3)), ist(week(0)), availability=NOBODY_OFF)
    assert before == []
    assert shift_at(sp, ist(week(0), 8, 59), availability=NOBODY_OFF) is None
    straddling = compute_shifts(sp, ist(week(-3)), ist(week(0), 10), availability=NOBODY_OFF)
    assert [s.index for s in straddling] == [0]


# --- holiday swaps ------------------------------------------------------------------------


def test_leave_swaps_with_next_member() -> None:
    off = leave({"b": [(week(1) + timedelta(days=2), week(1) + timedelta(days=3))]})
    shifts = weeks(spec(), 4, availability=off)
    assert holders(shifts) == ["a", "c", "b", "d"]
    one, two = shifts[1], shifts[2]
    assert (one.reason, two.reason) == ("swap", "swap")
    assert (one.swapped_with, two.swapped_with) == ("b", "c")
    assert (one.swap_index, two.swap_index) == (2, 1)
    assert one.swap_cause_person == two.swap_cause_person == "b"
    assert [d.date for d in one.swap_cause] == [date(2026, 1, 14), date(2026, 1, 15)]
    assert one.swap_cause == two.swap_cause
    assert one.conflicts == () and two.conflicts == ()
    assert not one.unresolved
    assert (shifts[0].reason, shifts[3].reason) == ("rotation", "rotation")


def test_swap_skips_partners_who_are_off_or_would_be_off() -> None:
    # a is off in shift 0. b is off then too (cannot cover); a is off in c's shift 2
    # (a cannot take it); d qualifies.
    off = leave(
        {
            "a": [(week(0), week(0)), (week(2) + timedelta(days=4), week(2) + timedelta(days=4))],
            "b": [(week(0) + timedelta(days=1), week(0) + timedelta(days=1))],
        }
    )
    shifts = weeks(spec(), 4, availability=off)
    assert holders(shifts) == ["d", "b", "c", "a"]
    assert shifts[0].swap_index == 3


def test_overlapping_leave_of_two_members() -> None:
    # a is off in shift 0; b is off in shifts 0 and 1. a swaps with c (b cannot cover shift 0),
    # then b swaps with d (shift 2 was already changed by a swap, so it is skipped).
    off = leave(
        {
            "a": [(week(0), week(0) + timedelta(days=2))],
            "b": [(week(0), week(2) - timedelta(days=1))],
        }
    )
    shifts = weeks(spec(), 6, availability=off)
    assert holders(shifts) == ["c", "d", "a", "b", "a", "b"]
    assert [s.swap_index for s in shifts] == [2, 3, 0, 1, None, None]
    assert [s.swap_cause_person for s in shifts[:4]] == ["a", "b", "a", "b"]


def test_no_partner_within_horizon_keeps_the_conflict() -> None:
    # b is off in shift 1; the only shift within horizon 1 belongs to c, who is off then too.
    off = leave({"b": [(week(1), week(1))], "c": [(week(1), week(1))]})
    shifts = weeks(spec(swap_horizon=1), 4, availability=off)
    assert holders(shifts) == ["a", "b", "c", "d"]
    assert shifts[1].reason == "rotation" and shifts[1].unresolved
    assert [d.date for d in shifts[1].conflicts] == [week(1)]
    assert [d.kind for d in shifts[1].conflicts] == ["leave"]
    # With a wider horizon d takes it.
    wider = weeks(spec(swap_horizon=2), 4, availability=off)
    assert holders(wider) == ["a", "d", "c", "b"]


def test_rotation_of_one_member_cannot_swap() -> None:
    off = holidays(["solo"], {week(1) + timedelta(days=1): "Festival"})
    shifts = weeks(spec(("solo",)), 3, availability=off)
    assert holders(shifts) == ["solo"] * 3
    assert [s.unresolved for s in shifts] == [False, True, False]
    assert [(c.date, c.name) for c in shifts[1].conflicts] == [
        (week(1) + timedelta(days=1), "Festival")
    ]


def test_swap_disabled_keeps_holders_and_lists_conflicts() -> None:
    off = leave({"b": [(week(1), week(1) + timedelta(days=6))]})
    shifts = weeks(spec(swap_enabled=False), 4, availability=off)
    assert holders(shifts) == ["a", "b", "c", "d"]
    assert {s.reason for s in shifts} == {"rotation"}
    assert len(shifts[1].conflicts) == 7 and shifts[1].unresolved
    assert shifts[1].swap_index is None


def test_weekends_false_ignores_weekend_days_off() -> None:
    saturday = week(1) + timedelta(days=5)
    off = holidays(["b"], {saturday: "Weekend fair"})
    ignoring = weeks(spec(swap_weekends=False), 3, availability=off)
    assert holders(ignoring) == ["a", "b", "c"]
    assert ignoring[1].conflicts == () and not ignoring[1].unresolved
    counting = weeks(spec(swap_weekends=True), 3, availability=off)
    assert holders(counting) == ["a", "c", "b"]


def test_weekends_false_still_swaps_for_weekdays() -> None:
    friday = week(1) + timedelta(days=4)
    off = holidays(["b"], {friday: "Friday holiday"})
    shifts = weeks(spec(swap_weekends=False), 3, availability=off)
    assert holders(shifts) == ["a", "c", "b"]


def test_schedule_does_not_depend_on_the_window() -> None:
    off = leave({"a": [(week(0), week(0))]})
    # a is off in shift 0 and swaps with b; asking only about shift 1 must still see it.
    late = compute_shifts(spec(), ist(week(1), 12), ist(week(1), 13), availability=off)
    assert holders(late) == ["a"] and late[0].reason == "swap"
    hit = shift_at(spec(), ist(week(0), 12), availability=off)
    assert hit is not None and hit.person == "b"


def test_company_holiday_for_everyone_cannot_be_swapped() -> None:
    off = DaysOffTable({}, company={week(1) + timedelta(days=2): "Offsite"})
    shifts = weeks(spec(), 4, availability=off)
    assert holders(shifts) == ["a", "b", "c", "d"]
    assert shifts[1].unresolved and [c.kind for c in shifts[1].conflicts] == ["company"]


# --- overrides ----------------------------------------------------------------------------


def test_override_crossing_a_handoff_splits_both_shifts() -> None:
    saturday = week(0) + timedelta(days=5)
    ov = Override("r", ist(saturday, 0), ist(week(1) + timedelta(days=1), 12), "x", "wedding")
    shifts = weeks(spec(), 2, availability=NOBODY_OFF, overrides=[ov])
    assert [(s.index, s.person, s.reason) for s in shifts] == [
        (0, "a", "rotation"),
        (0, "x", "override"),
        (1, "x", "override"),
        (1, "b", "rotation"),
    ]
    bounds = [(s.start, s.end) for s in shifts]
    assert bounds == [
        (ist(week(0)), ist(saturday, 0)),
        (ist(saturday, 0), ist(week(1))),
        (ist(week(1)), ist(week(1) + timedelta(days=1), 12)),
        (ist(week(1) + timedelta(days=1), 12), ist(week(2))),
    ]
    assert [s.overridden for s in shifts] == [None, "a", "b", None]
    assert [s.override_reason for s in shifts] == [None, "wedding", "wedding", None]
    # Each date belongs to whoever holds its 09:00 handoff instant.
    assert shifts[0].duty_dates == tuple(week(0) + timedelta(days=i) for i in range(5))
    assert shifts[1].duty_dates == (saturday, saturday + timedelta(days=1))
    assert shifts[2].duty_dates == (week(1), week(1) + timedelta(days=1))
    assert shifts[3].duty_dates == tuple(week(1) + timedelta(days=i) for i in range(2, 7))


def test_override_in_another_zone_and_window_slicing() -> None:
    ov = Override(
        "r",
        datetime(2026, 1, 7, 0, 0, tzinfo=UTC),
        datetime(2026, 1, 7, 3, 0, tzinfo=UTC),
        "x",
        "cover",
    )
    shifts = compute_shifts(
        spec(), ist(week(0), 10), ist(week(0), 11), availability=NOBODY_OFF, overrides=[ov]
    )
    assert [(s.person, s.end) for s in shifts] == [("a", ov.start)]
    assert shifts[0].end.tzinfo is IST
    at = shift_at(
        spec(), datetime(2026, 1, 7, 2, 0, tzinfo=UTC), availability=NOBODY_OFF, overrides=[ov]
    )
    assert at is not None and at.person == "x" and at.duty_dates == ()


def test_override_keeps_swap_details_of_the_shift_it_splits() -> None:
    off = leave({"b": [(week(1), week(1))]})
    ov = Override("r", ist(week(1), 18), ist(week(1), 20), "x", "dinner")
    shifts = weeks(spec(), 3, availability=off, overrides=[ov])
    middle = [s for s in shifts if s.reason == "override"]
    assert len(middle) == 1
    piece = middle[0]
    assert (piece.person, piece.overridden, piece.swapped_with, piece.swap_index) == (
        "x",
        "c",
        "b",
        2,
    )
    assert [s.person for s in shifts if s.index == 1] == ["c", "x", "c"]


def test_override_conflicts_are_the_override_persons() -> None:
    off = leave({"x": [(week(0) + timedelta(days=1), week(0) + timedelta(days=1))]})
    ov = Override("r", ist(week(0)), ist(week(0) + timedelta(days=3)), "x", "cover")
    shifts = weeks(spec(), 1, availability=off, overrides=[ov])
    assert [c.date for c in shifts[0].conflicts] == [week(0) + timedelta(days=1)]
    assert shifts[1].conflicts == ()


def test_overrides_for_other_rotations_are_ignored_and_before_start_clipped() -> None:
    other = Override("other", ist(week(0)), ist(week(1)), "x", "elsewhere")
    early = Override("r", ist(week(-1)), ist(week(0), 12), "y", "early")
    shifts = weeks(spec(), 1, availability=NOBODY_OFF, overrides=[other, early])
    assert [(s.person, s.start) for s in shifts] == [("y", ist(week(0))), ("a", ist(week(0), 12))]


def test_overlapping_overrides_are_rejected() -> None:
    one = Override("r", ist(week(0), 10), ist(week(0), 14), "x", "one")
    two = Override("r", ist(week(0), 13), ist(week(0), 16), "y", "two")
    with pytest.raises(ValueError, match="overlap"):
        weeks(spec(), 1, availability=NOBODY_OFF, overrides=[two, one])
    backwards = Override("r", ist(week(0), 14), ist(week(0), 10), "x", "oops")
    with pytest.raises(ValueError, match="ends before"):
        weeks(spec(), 1, availability=NOBODY_OFF, overrides=[backwards])


def test_adjacent_overrides_are_fine() -> None:
    one = Override("r", ist(week(0), 10), ist(week(0), 14), "x", "one")
    two = Override("r", ist(week(0), 14), ist(week(0), 16), "y", "two")
    shifts = weeks(spec(), 1, availability=NOBODY_OFF, overrides=[two, one])
    assert holders(shifts) == ["a", "x", "y", "a"]
