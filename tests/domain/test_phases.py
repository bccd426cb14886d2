"""Roster phases (rule 1b) and locked shifts (rule 3b) in the rotation engine.

Hand-checked cases on the shipped team (de1..de4 weekly from Monday 2026-01-05, so the
shift of date D is (D - 2026-01-05).days // 7), then Hypothesis properties.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from oncall.domain.people import DaysOffTable, LeaveRange
from oncall.domain.phases import LockedShift, RosterPhase
from oncall.domain.rotation import (
    RotationSpec,
    base_holder,
    compute_shifts,
    lock_index,
    members_for_shift,
    shift_start,
)
from tests.domain.test_rotation_properties import PEOPLE, World, worlds

IST = ZoneInfo("Asia/Kolkata")
START = date(2026, 1, 5)
TEAM = ("de1", "de2", "de3", "de4")
JOIN = RosterPhase(date(2027, 3, 1), ("de1", "de2", "de3", "de4", "de5"))  # shift 60
LEAVE = RosterPhase(date(2027, 9, 6), ("de1", "de3", "de4", "de5"))  # shift 87


def team(*phases: RosterPhase, **kw: object) -> RotationSpec:
    roster = (RosterPhase(START, TEAM), *phases) if phases else ()
    members = tuple(dict.fromkeys(m for p in roster for m in p.members)) if roster else TEAM
    return RotationSpec(
        "primary",
        members,
        START,
        time(9, 0),
        IST,
        roster=roster,
        **kw,  # type: ignore[arg-type]
    )


NOBODY_OFF = DaysOffTable({})


def holders(spec: RotationSpec, first: int, last: int, availability: DaysOffTable = NOBODY_OFF):
    shifts = compute_shifts(
        spec, shift_start(spec, first), shift_start(spec, last + 1), availability=availability
    )
    return [s.person for s in shifts]


def test_a_member_joining_mid_2027_takes_their_listed_place() -> None:
    spec = team(JOIN)
    # Shift 60 (1 March 2027) would have been de1's (60 % 4 == 0): the order continues there.
    assert holders(spec, 56, 66) == [
        "de1", "de2", "de3", "de4",  # 56-59: phase 0, unchanged
        "de1", "de2", "de3", "de4", "de5",  # 60-64: de5 after de4, their listed place
        "de1", "de2",
    ]  # fmt: skip
    assert holders(spec, 0, 59) == holders(team(), 0, 59)


def test_a_member_leaving_mid_2027_drops_out_without_reshuffling() -> None:
    spec = team(JOIN, LEAVE)
    # Phase 1 gives shift 87 to members_1[(87 - 60) % 5] = de3, who stays: o_2 = 1.
    assert holders(spec, 84, 92) == ["de5", "de1", "de2", "de3", "de4", "de5", "de1", "de3", "de4"]
    assert members_for_shift(spec, 86) == JOIN.members
    assert members_for_shift(spec, 87) == LEAVE.members


def test_when_the_leaver_would_have_been_next_the_walk_goes_on_to_the_next_member() -> None:
    # Shift 86 (30 August 2027) would be de2's in phase 1: de2 left, so de3 (next) takes it.
    gone = RosterPhase(date(2027, 8, 30), ("de1", "de3", "de4", "de5"))
    spec = team(JOIN, gone)
    assert base_holder(spec, 85) == "de1"
    assert holders(spec, 85, 89) == ["de1", "de3", "de4", "de5", "de1"]


def test_a_phase_from_mid_shift_starts_with_the_next_shift() -> None:
    spec = team(RosterPhase(date(2027, 3, 3), JOIN.members))  # a Wednesday inside shift 60
    assert base_holder(spec, 60) == "de1" and members_for_shift(spec, 60) == TEAM
    assert base_holder(spec, 61) == "de2" and members_for_shift(spec, 61) == JOIN.members


def test_swaps_work_across_a_phase_change() -> None:
    # de4 is off in shift 59, the last of phase 0; shift 60 (de1, phase 1) is free: they swap.
    off = DaysOffTable({}, leave={"de4": [LeaveRange(date(2027, 2, 24), date(2027, 2, 25))]})
    assert holders(team(JOIN), 59, 61, off) == ["de1", "de4", "de2"]


def locked(spec: RotationSpec, k: int, person: str, reason: str = "announced") -> LockedShift:
    return LockedShift(shift_start(spec, k), shift_start(spec, k + 1), person, reason)


def test_a_locked_shift_keeps_its_holder_through_new_leave() -> None:
    spec = team()
    lock = locked(spec, 1, "de2", "rotation")
    leave = DaysOffTable({}, leave={"de2": [LeaveRange(date(2026, 1, 14), date(2026, 1, 15))]})
    assert holders(spec, 0, 3, leave) == ["de1", "de3", "de2", "de4"]  # unlocked: a swap
    pinned = dataclasses.replace(spec, locks=(lock,))
    shifts = compute_shifts(pinned, shift_start(spec, 0), shift_start(spec, 4), availability=leave)
    assert [s.person for s in shifts] == ["de1", "de2", "de3", "de4"]
    assert shifts[1].locked == "rotation" and shifts[1].unresolved
    assert [d.date for d in shifts[1].conflicts] == [date(2026, 1, 14), date(2026, 1, 15)]


def test_locked_shifts_are_never_swap_partners() -> None:
    spec = team()
    leave = DaysOffTable({}, leave={"de2": [LeaveRange(date(2026, 1, 14), date(2026, 1, 15))]})
    pinned = dataclasses.replace(spec, locks=(locked(spec, 2, "de3"),))
    # de2 (shift 1) cannot swap with locked shift 2, so takes the next free one: de4's.
    assert holders(pinned, 0, 3, leave) == ["de1", "de4", "de3", "de2"]


def test_locking_the_schedule_as_it_is_changes_nothing_outside_the_lock() -> None:
    """de2 is off in shift 1 and swaps with de3 (shift 2). Locking either half, as announced,
    keeps the other half: a lock must never move a shift it does not hold."""
    spec = team()
    leave = DaysOffTable({}, leave={"de2": [LeaveRange(date(2026, 1, 14), date(2026, 1, 15))]})
    announced = holders(spec, 0, 5, leave)
    assert announced == ["de1", "de3", "de2", "de4", "de1", "de2"]
    later_half = dataclasses.replace(spec, locks=(locked(spec, 2, "de2", "swapped"),))
    assert holders(later_half, 0, 5, leave) == announced
    first_half = dataclasses.replace(spec, locks=(locked(spec, 1, "de3", "swapped"),))
    assert holders(first_half, 0, 5, leave) == announced


def test_a_swap_never_gives_a_shift_to_someone_who_left_the_rotation() -> None:
    # de2 holds shift 86 (30 Aug 2027), the last before de2 leaves (phase from 6 Sep): off
    # in it, de2 may not be swapped into a later shift, where de2 is no longer a member.
    spec = team(JOIN, LEAVE)
    assert holders(spec, 86, 86) == ["de2"]
    off = DaysOffTable({}, leave={"de2": [LeaveRange(date(2027, 8, 31), date(2027, 9, 1))]})
    shifts = compute_shifts(spec, shift_start(spec, 86), shift_start(spec, 96), availability=off)
    assert "de2" not in [s.person for s in shifts[1:]]
    assert shifts[0].person == "de2" and shifts[0].unresolved


def test_a_lock_that_no_longer_matches_the_shifts_holds_nothing() -> None:
    spec = team()
    odd = LockedShift(shift_start(spec, 1) + timedelta(hours=1), shift_start(spec, 2), "de4", "x")
    assert lock_index(spec, odd) is None and lock_index(spec, locked(spec, 1, "de4")) == 1
    assert holders(dataclasses.replace(spec, locks=(odd,)), 1, 1) == ["de2"]


PROFILE = settings(max_examples=100, deadline=None)


@PROFILE
@given(worlds(swapping=True), st.data())
def test_a_phase_change_leaves_the_shifts_before_it_as_they_were(
    world: World, data: st.DataObject
) -> None:
    spec = world.spec
    k_new = data.draw(st.integers(1, world.count - 1))
    new_members = tuple(
        data.draw(st.lists(st.sampled_from([*PEOPLE, "z"]), min_size=1, max_size=6, unique=True))
    )
    day = spec.start + timedelta(
        days=k_new * spec.shift_days - data.draw(st.integers(0, spec.shift_days - 1))
    )
    roster = (RosterPhase(spec.start, spec.members), RosterPhase(day, new_members))
    phased = dataclasses.replace(
        spec, members=tuple(dict.fromkeys([*spec.members, *new_members])), roster=roster
    )
    before = world.shifts()
    after = compute_shifts(
        phased, world.origin - timedelta(days=3), world.stop, availability=world.availability
    )
    cut = shift_start(spec, k_new).astimezone(UTC)
    old = [(s.index, s.base_person) for s in before if s.start.astimezone(UTC) < cut]
    new = [(s.index, s.base_person) for s in after if s.start.astimezone(UTC) < cut]
    assert old == new  # every base holder before the phase
    # Holders after swaps too, up to where a swap could reach into the new phase.
    reach = k_new - (spec.swap_horizon if spec.swap_enabled else 0)
    old_held = [(s.index, s.person, s.reason) for s in before if s.index < reach]
    new_held = [(s.index, s.person, s.reason) for s in after if s.index < reach]
    assert old_held == new_held


@PROFILE
@given(worlds(swapping=True), st.data())
def test_locked_spans_survive_any_later_edit_outside_them(
    world: World, data: st.DataObject
) -> None:
    spec = world.spec
    first = data.draw(st.integers(0, world.count - 1))
    last = data.draw(st.integers(first, world.count - 1))
    now = compute_shifts(
        spec, shift_start(spec, first), shift_start(spec, last + 1), availability=world.availability
    )
    locks = tuple(LockedShift(s.start, s.end, s.person, s.reason) for s in now)
    # Any edit: other days off, other members (someone joins, someone leaves).
    edited_members = tuple(
        data.draw(st.lists(st.sampled_from([*PEOPLE, "z"]), min_size=1, max_size=6, unique=True))
    )
    extra = data.draw(st.lists(st.tuples(st.sampled_from(PEOPLE), st.integers(0, 200)), max_size=6))
    leave = {
        p: [LeaveRange(spec.start + timedelta(days=o), spec.start + timedelta(days=o + 3))]
        for p, o in extra
    }
    edited = dataclasses.replace(spec, members=edited_members, locks=locks)
    after = compute_shifts(
        edited,
        shift_start(spec, first),
        shift_start(spec, last + 1),
        availability=DaysOffTable({}, leave=leave),
    )
    assert [(s.start, s.end, s.person) for s in after] == [(s.start, s.end, s.person) for s in now]
