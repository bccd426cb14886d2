"""The swap walk starts late (rule 3, ``_clean_start``): the same holders as the walk from 0.

``compute_shifts`` for a window starting at shift ``first`` walks from the latest shift with
``swap_horizon`` free, unlocked shifts before it. These properties compare that walk with the
one from shift 0 on random rotations with dense days off, roster phases and locks, slot by
slot, and check the start really is late when the days off leave room.
"""

from __future__ import annotations

import dataclasses
from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from oncall.domain.people import DaysOffTable, LeaveRange
from oncall.domain.phases import LockedShift, RosterPhase
from oncall.domain.rotation import (
    RotationSpec,
    _clean_start,
    _Conflicts,
    _resolve_slots,
    compute_shifts,
    shift_start,
)
from tests.domain.test_rotation_properties import PEOPLE, World, worlds

PROFILE = settings(max_examples=200, deadline=None)


def _fields(slots: list, first: int) -> list[tuple[object, ...]]:
    return [
        (k, s.person, s.reason, s.partner, s.cause, s.cause_person, s.unresolved, s.lock)
        for k, s in enumerate(slots)
        if k >= first
    ]


@st.composite
def edited_worlds(draw: st.DrawFn) -> World:
    """A swapping world, sometimes with a roster phase and some locks (any holder)."""
    world = draw(st.one_of(worlds(max_shifts=60), worlds(max_shifts=60, swapping=True)))
    spec = world.spec
    if world.count > 1 and draw(st.booleans()):
        k_new = draw(st.integers(1, world.count - 1))
        joined = tuple(
            draw(st.lists(st.sampled_from([*PEOPLE, "z"]), min_size=1, max_size=6, unique=True))
        )
        day = spec.start + timedelta(days=k_new * spec.shift_days)
        spec = dataclasses.replace(
            spec,
            members=tuple(dict.fromkeys([*spec.members, *joined])),
            roster=(RosterPhase(spec.start, spec.members), RosterPhase(day, joined)),
        )
    picks = draw(
        st.lists(
            st.tuples(st.integers(0, world.count - 1), st.sampled_from([*PEOPLE, "z"])),
            max_size=4,
            unique_by=lambda t: t[0],
        )
    )
    locks = tuple(
        LockedShift(shift_start(spec, k), shift_start(spec, k + 1), person, "announced")
        for k, person in picks
    )
    return World(dataclasses.replace(spec, locks=locks), world.availability, world.count)


@PROFILE
@given(edited_worlds())
def test_the_walk_from_the_clean_start_gives_the_slots_of_the_walk_from_zero(
    world: World,
) -> None:
    spec, last = world.spec, world.count - 1
    from_zero = _fields(_resolve_slots(spec, last, _Conflicts(spec, world.availability)), 0)
    for first in range(world.count):  # every start, so that runs just long enough occur
        late = _resolve_slots(spec, last, _Conflicts(spec, world.availability), first)
        assert len(late) == last + 1
        assert _fields(late, first) == from_zero[first:]


@PROFILE
@given(edited_worlds(), st.data())
def test_a_window_is_the_slice_of_the_schedule_from_shift_zero(
    world: World, data: st.DataObject
) -> None:
    spec = world.spec
    first = data.draw(st.integers(0, world.count - 1))
    last = data.draw(st.integers(first, world.count - 1))
    window = compute_shifts(
        spec, shift_start(spec, first), shift_start(spec, last + 1), availability=world.availability
    )
    whole = compute_shifts(
        spec, shift_start(spec, 0), shift_start(spec, last + 1), availability=world.availability
    )
    assert window == [s for s in whole if s.index >= first]


def test_with_free_weeks_before_the_window_the_walk_starts_just_horizon_shifts_back() -> None:
    spec = RotationSpec(
        "r", ("a", "b", "c"), date(2026, 1, 5), time(9), ZoneInfo("UTC"), swap_horizon=3
    )
    leave = {"a": [LeaveRange(date(2026, 3, 10), date(2026, 3, 10))]}  # in shift 9, a's
    conflicts = _Conflicts(spec, DaysOffTable({}, leave=leave))
    assert _clean_start(spec, 40, conflicts) == 40  # shifts 37..39 are free
    assert _clean_start(spec, 13, conflicts) == 13  # 10..12 free
    assert _clean_start(spec, 12, conflicts) == 9  # 9 is not: back to 6..8
    assert _clean_start(spec, 9, conflicts) == 9
    assert _clean_start(spec, 3, conflicts) == 3
    assert _clean_start(spec, 2, conflicts) == 0  # fewer than 3 shifts before it
    # A lock pairs only when its base holder is off, so a free locked shift keeps the run.
    lock = LockedShift(shift_start(spec, 38), shift_start(spec, 39), "a", "announced")
    assert _clean_start(dataclasses.replace(spec, locks=(lock,)), 40, conflicts) == 40
    assert _clean_start(dataclasses.replace(spec, swap_enabled=False), 12, conflicts) == 12
