"""Properties of the rotation rules, checked with Hypothesis on random rotations and days off.

Conflicts are recomputed here straight from the rules (dates ``start + k * shift_days + i``,
weekends left out when asked) so the properties do not trust the code under test.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from oncall.domain.people import DayOff, DaysOffTable, Holiday, LeaveRange
from oncall.domain.rotation import (
    Override,
    RotationSpec,
    Shift,
    compute_shifts,
    shift_at,
    shift_index_at,
    shift_start,
)

ZONES = ["UTC", "America/New_York", "Europe/London", "Australia/Lord_Howe", "Asia/Kolkata"]
PEOPLE = ["a", "b", "c", "d", "e"]
PROFILE = settings(max_examples=150, deadline=None)


@dataclass(frozen=True)
class World:
    spec: RotationSpec
    availability: DaysOffTable
    count: int  # number of shifts looked at, from shift 0

    def conflict(self, person: str, k: int) -> bool:
        sp = self.spec
        first = sp.start + timedelta(days=k * sp.shift_days)
        days = [first + timedelta(days=i) for i in range(sp.shift_days)]
        if not sp.swap_weekends:
            days = [d for d in days if d.weekday() < 5]
        return any(self.availability.days_off(person, d) for d in days)

    def base(self, k: int) -> str:
        return self.spec.members[k % len(self.spec.members)]

    @property
    def origin(self) -> datetime:
        return utc(shift_start(self.spec, 0))

    @property
    def stop(self) -> datetime:
        return utc(shift_start(self.spec, self.count))

    def shifts(self, overrides: Sequence[Override] = (), horizon: int = 0) -> list[Shift]:
        """Shifts 0..count-1 (and ``horizon`` more), from a window starting before shift 0."""
        end = shift_start(self.spec, self.count + horizon)
        return compute_shifts(
            self.spec,
            self.origin - timedelta(days=3),
            end,
            availability=self.availability,
            overrides=overrides,
        )


def utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


@st.composite
def worlds(
    draw: st.DrawFn, max_shifts: int = 40, min_members: int = 1, swapping: bool = False
) -> World:
    """A random rotation with random holidays and leave. ``swapping`` forces swaps on with
    several members and enough shifts, so that swaps chain and compete for partners."""
    members = tuple(
        draw(st.lists(st.sampled_from(PEOPLE), min_size=min_members, max_size=5, unique=True))
    )
    start = draw(st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 12, 31)))
    spec = RotationSpec(
        id="r",
        members=members,
        start=start,
        handoff=time(draw(st.integers(0, 23)), draw(st.sampled_from([0, 15, 30, 45]))),
        tz=ZoneInfo(draw(st.sampled_from(ZONES))),
        shift_days=draw(st.integers(1, 10)),
        swap_enabled=swapping or draw(st.sampled_from([True, True, True, False])),
        swap_weekends=draw(st.booleans()),
        swap_horizon=draw(st.integers(0, 8)),
    )
    count = draw(st.integers(12 if swapping else 1, max_shifts))
    span = (count + 8) * spec.shift_days  # days off reach past the window, into the horizon
    holidays: dict[str, dict[date, Holiday]] = {}
    leave: dict[str, list[LeaveRange]] = {}
    # Sparse days off leave room to swap; busy stretches make swaps chain and collide.
    density = draw(st.sampled_from([4, 8, 16]))
    for person in members:
        offsets = draw(st.sets(st.integers(0, span), max_size=max(1, span // density)))
        holidays[person] = {start + timedelta(days=o): Holiday(f"h{o}") for o in offsets}
        ranges = draw(st.lists(st.tuples(st.integers(0, span), st.integers(0, 6)), max_size=2))
        leave[person] = [
            LeaveRange(start + timedelta(days=o), start + timedelta(days=o + n)) for o, n in ranges
        ]

    def calendar_of(person: str) -> object:
        table = holidays[person]

        def calendar(year: int) -> dict[date, Holiday]:
            return {d: h for d, h in table.items() if d.year == year}

        return calendar

    availability = DaysOffTable(
        {p: calendar_of(p) for p in members},  # type: ignore[misc]
        leave=leave,
    )
    return World(spec, availability, count)


@st.composite
def worlds_with_overrides(draw: st.DrawFn) -> tuple[World, list[Override]]:
    world = draw(worlds())
    seconds = int((world.stop - world.origin).total_seconds())
    # Cut points (in seconds from shift 0, a little before it too) paired into windows.
    cuts = sorted(draw(st.sets(st.integers(-7200, seconds), max_size=8)))
    overrides = [
        Override(
            "r",
            world.origin + timedelta(seconds=a),
            world.origin + timedelta(seconds=b),
            draw(st.sampled_from(["x", "y", *world.spec.members])),
            "cover",
        )
        for a, b in zip(cuts[::2], cuts[1::2], strict=False)
    ]
    return world, overrides


def key(s: Shift) -> tuple[object, ...]:
    return (s.index, utc(s.start), utc(s.end), s.person, s.reason, s.swap_index)


@PROFILE
@given(worlds_with_overrides())
def test_coverage_has_no_gap_or_overlap_from_shift_zero(
    case: tuple[World, list[Override]],
) -> None:
    world, overrides = case
    shifts = world.shifts(overrides)
    assert shifts, "at least shift 0"
    assert utc(shifts[0].start) == world.origin
    assert utc(shifts[-1].end) == world.stop
    for before, after in itertools.pairwise(shifts):
        assert utc(before.end) == utc(after.start)
        assert after.index in (before.index, before.index + 1)
    assert all(utc(s.start) < utc(s.end) for s in shifts)
    assert sorted({s.index for s in shifts}) == list(range(world.count))
    # Every whole (unsplit) shift runs between its own handoffs.
    for s in shifts:
        if s.reason != "override":
            assert utc(shift_start(world.spec, s.index)) <= utc(s.start)
            assert utc(s.end) <= utc(shift_start(world.spec, s.index + 1))


@PROFILE
@given(worlds_with_overrides(), st.lists(st.floats(0, 1), min_size=1, max_size=20))
def test_one_holder_per_instant(case: tuple[World, list[Override]], where: list[float]) -> None:
    world, overrides = case
    shifts = world.shifts(overrides)
    total = world.stop - world.origin
    for fraction in where:
        t = world.origin + total * fraction
        if t >= world.stop:
            continue
        holding = [s for s in shifts if s.contains(t)]
        assert len(holding) == 1
        assert shift_index_at(world.spec, t) == holding[0].index
        at = shift_at(world.spec, t, availability=world.availability, overrides=overrides)
        assert at is not None and key(at) == key(holding[0])
        expected = next((ov.person for ov in overrides if ov.start <= t < ov.end), None)
        if expected is not None:
            assert at.person == expected and at.reason == "override"
        else:
            assert at.reason != "override"
    before = world.origin - timedelta(microseconds=1)
    assert shift_at(world.spec, before, availability=world.availability) is None


@PROFILE
@given(worlds_with_overrides(), st.floats(0, 1), st.floats(0, 1))
def test_window_is_a_slice_of_a_longer_schedule(
    case: tuple[World, list[Override]], x: float, y: float
) -> None:
    world, overrides = case
    longer = world.shifts(overrides)
    total = world.stop - world.origin
    lo, hi = sorted((x, y))
    a = world.origin + total * lo - timedelta(hours=1)
    b = world.origin + total * hi
    window = compute_shifts(world.spec, a, b, availability=world.availability, overrides=overrides)
    expected = [s for s in longer if utc(s.start) < b and utc(s.end) > a]
    assert [key(s) for s in window] == [key(s) for s in expected]
    assert window == expected


@PROFILE
@given(st.one_of(worlds(), worlds(min_members=3, swapping=True)))
def test_swaps_follow_the_rule_and_nobody_keeps_a_swappable_conflict(world: World) -> None:
    spec = world.spec
    horizon = spec.swap_horizon
    shifts = world.shifts(horizon=horizon)
    assert all(s.reason != "override" for s in shifts)
    by_index = {s.index: s for s in shifts}

    def qualifies(k: int, j: int) -> bool:
        """j would be a valid partner for k when k is processed."""
        p, q = world.base(k), world.base(j)
        partner = by_index[j].swap_index
        already_changed = partner is not None and partner < k
        return (
            not already_changed and q != p and not world.conflict(q, k) and not world.conflict(p, j)
        )

    for k in range(world.count):
        s = by_index[k]
        p = world.base(k)
        assert s.base_person == p
        if s.reason == "rotation":
            assert s.person == p
            assert s.unresolved == world.conflict(p, k)
            assert bool(s.conflicts) == world.conflict(p, k)
            if s.unresolved and spec.swap_enabled:
                assert not any(qualifies(k, j) for j in range(k + 1, k + horizon + 1))
            continue
        assert spec.swap_enabled
        j = s.swap_index
        assert j is not None and by_index[j].swap_index == k
        if j < k:
            continue  # checked from the earlier side
        assert k < j <= k + horizon
        q = world.base(j)
        assert (s.person, by_index[j].person) == (q, p)
        assert world.conflict(p, k)
        assert qualifies(k, j)
        assert not any(qualifies(k, i) for i in range(k + 1, j)), "the first partner is taken"
        assert not world.conflict(s.person, k) and not world.conflict(p, j)
        assert s.swap_cause_person == p and s.swap_cause


@PROFILE
@given(st.one_of(worlds(max_shifts=60), worlds(max_shifts=60, min_members=3, swapping=True)))
def test_swaps_keep_shift_counts_over_closed_windows(world: World) -> None:
    shifts = world.shifts()
    n = len(world.spec.members)
    for end in range(1, world.count + 1):
        head = shifts[:end]
        if any(s.swap_index is not None and s.swap_index >= end for s in head):
            continue  # a swap is still open across this boundary
        held = Counter(s.person for s in head)
        assert held == Counter(world.base(k) for k in range(end))
        if end % n == 0:
            assert set(held.values()) == {end // n}


class _DateByDate:
    """The availability protocol alone: days off asked for one date at a time."""

    def __init__(self, table: DaysOffTable) -> None:
        self._table = table

    def days_off(self, person: str, day: date) -> tuple[DayOff, ...]:
        return self._table.days_off(person, day)


@PROFILE
@given(worlds_with_overrides())
def test_a_table_asked_for_many_dates_at_once_gives_the_same_schedule(
    case: tuple[World, list[Override]],
) -> None:
    """compute_shifts asks a DaysOffTable for a shift's dates in one call (issue 14): the
    same shifts, conflicts included, as asking date by date."""
    world, overrides = case
    plain = World(world.spec, _DateByDate(world.availability), world.count)  # type: ignore[arg-type]
    assert world.shifts(overrides, horizon=3) == plain.shifts(overrides, horizon=3)
