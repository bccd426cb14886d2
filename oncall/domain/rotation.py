"""Rotations: shifts, holiday swaps and overrides. Pure: time and availability are arguments.

The rules (see docs/rotations.md for the user-facing version):

1. Shift ``k`` starts at the handoff wall time on ``start + k * shift_days`` in the rotation's
   time zone and runs until shift ``k + 1`` starts. Handoffs keep their wall time across DST
   (:func:`oncall.domain.timeutil.resolve_wall_time`). Before shift 0 nobody is on call.
   The base holder of shift ``k`` is ``members[k % n]``.
1b. With a roster, phase ``i`` covers the shifts whose start date is on or after its ``from``
   and before the next phase's; ``k_i`` is its first shift. The base holder of shift ``k`` in
   phase ``i`` is ``members_i[(o_i + k - k_i) % n_i]``: ``o_0 = 0``, and ``o_i`` is the position
   in ``members_i`` of the first person of ``members_i`` met walking phase ``i - 1``'s order
   cyclically from the holder phase ``i - 1`` would have given shift ``k_i`` (0 if nobody).
2. The dates of shift ``k`` are the ``shift_days`` dates from its start date (weekends left out
   when ``swap_weekends`` is false). A holder has a conflict if any of them is a day off.
3. Shifts are processed from shift 0. A holder with a conflict swaps with the first later shift
   (within ``swap_horizon``, across roster phases) that no swap has changed yet, whose
   holder is someone else, is free on this shift's dates, and whose dates are free for the
   first holder.
   A swap reaches at most ``swap_horizon`` shifts ahead, so after ``swap_horizon`` shifts in
   a row whose base holders are free no earlier swap reaches further: the engine starts the
   walk there (:func:`_clean_start`), with the same result as from 0.
3b. A locked shift's base holder is the locked person; locked shifts take no part in swaps
   (neither side) and count as already changed.
4. Overrides replace the holder for their window, on top of swaps.

Every comparison is made in UTC: aware datetimes that share a ``tzinfo`` compare by wall
clock, which is wrong around a fall-back transition.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Literal

from oncall.domain.people import Availability, DayOff
from oncall.domain.phases import LockedShift, RosterPhase
from oncall.domain.rotation_spec import (
    SATURDAY,
    TICK,
    Override,
    Reason,
    RotationSpec,
    Shift,
    base_holder,
    lock_index,
    members_for_shift,
    require_aware,
    shift_dates,
    shift_index_at,
    shift_start,
    shift_starts,
    start_utc,
    wall_time,
)

__all__ = [
    "LockedShift",
    "Override",
    "Reason",
    "RosterPhase",
    "RotationSpec",
    "Shift",
    "base_holder",
    "compute_shifts",
    "lock_index",
    "members_for_shift",
    "shift_at",
    "shift_dates",
    "shift_index_at",
    "shift_start",
]


def _locked_slots(spec: RotationSpec) -> dict[int, LockedShift]:
    out: dict[int, LockedShift] = {}
    for lock in spec.locks:
        k = lock_index(spec, lock)
        if k is not None:
            out[k] = lock
    return out


@dataclass(slots=True)
class _Slot:
    """Holder of one underlying shift after swaps (before overrides)."""

    person: str
    reason: Literal["rotation", "swap"] = "rotation"
    partner: int | None = None
    cause: tuple[DayOff, ...] = ()
    cause_person: str | None = None
    unresolved: bool = False
    lock: str | None = None


class _Conflicts:
    """Days off of a person on a shift's conflict dates, cached per (person, k); the dates of
    each shift, cached per k."""

    def __init__(self, spec: RotationSpec, availability: Availability) -> None:
        self._spec = spec
        self._days_off = availability.days_off
        # A table that answers for many dates in one call (DaysOffTable.days_off_on).
        self._on_days: Callable[[str, Sequence[date]], tuple[DayOff, ...]] = (
            getattr(availability, "days_off_on", None) or self._one_by_one
        )
        self._cache: dict[tuple[str, int], tuple[DayOff, ...]] = {}
        self._dates: dict[int, tuple[date, ...]] = {}
        self._conflict_dates: dict[int, tuple[date, ...]] = {}

    def _one_by_one(self, person: str, days: Sequence[date]) -> tuple[DayOff, ...]:
        out: tuple[DayOff, ...] = ()
        for day in days:
            found = self._days_off(person, day)
            if found:
                out += found
        return out

    def dates(self, k: int) -> tuple[date, ...]:
        """All the dates of shift ``k`` (``shift_dates``)."""
        days = self._dates.get(k)
        if days is None:
            days = self._dates[k] = tuple(shift_dates(self._spec, k))
        return days

    def __call__(self, person: str, k: int) -> tuple[DayOff, ...]:
        key = (person, k)
        hit = self._cache.get(key)
        if hit is None:
            days = self._conflict_dates.get(k)
            if days is None:
                days = self.dates(k)
                if not self._spec.swap_weekends:
                    days = tuple(d for d in days if d.weekday() < SATURDAY)
                self._conflict_dates[k] = days
            hit = self._cache[key] = self._on_days(person, days)
        return hit

    def on(self, person: str, days: Sequence[date]) -> tuple[DayOff, ...]:
        """Days off on some of a shift's dates (weekends left out as for conflicts)."""
        if not self._spec.swap_weekends:
            days = [d for d in days if d.weekday() < SATURDAY]
        return self._on_days(person, days)


_BEFORE = _Slot("")  # stands for the shifts before the walk's start: never read


def _clean_start(spec: RotationSpec, first: int, conflicts: _Conflicts) -> int:
    """The latest shift ``c <= first`` that the walk of rule 3 can start from as if it were
    shift 0: the base holders of the ``swap_horizon`` shifts before ``c`` have no conflict
    (0 when there is no such run).

    Why it is exact: a shift ``k`` changes only shifts ``k..k + horizon``, and a shift in
    that run changes none (it was swapped and is skipped, or its base holder holds it, free;
    a lock pairs only when its base holder is off). So no shift before ``c`` changes one from
    ``c`` on, and ``paired`` holds none of them: the walk from ``c`` sees what the walk from
    0 would have left there (tests/domain/test_rotation_clean_start.py).
    """
    horizon = spec.swap_horizon if spec.swap_enabled else 0
    if horizon == 0:
        return first
    run = 0
    for k in range(first - 1, -1, -1):
        if conflicts(base_holder(spec, k), k):
            run = 0
            continue
        run += 1
        if run == horizon:
            return k + horizon
    return 0


def _resolve_slots(
    spec: RotationSpec, last: int, conflicts: _Conflicts, first: int = 0
) -> list[_Slot]:
    """Holders of shifts 0..last after locks and holiday swaps, processed from shift 0: the
    walk starts at :func:`_clean_start` for ``first``, so only shifts ``first..last`` are
    filled in (the ones before stand as ``_BEFORE``).

    A swap only moves people into shifts of a phase they are a member of (rule 1b). A locked
    shift that holds someone other than its base holder stands as one half of an announced
    swap: the shift that was its other half keeps that swap (rule 3b), so locking the
    schedule as it is changes nothing outside the lock.
    """
    horizon = spec.swap_horizon if spec.swap_enabled else 0
    count = last + 1 + horizon
    locked = _locked_slots(spec)
    start = _clean_start(spec, first, conflicts) if first else 0
    slots = [_BEFORE] * start
    if spec.roster:
        slots += [_Slot(base_holder(spec, k)) for k in range(start, count)]
    else:  # base_holder without a roster: the members in turn
        skip = start % len(spec.members)
        turn = itertools.islice(itertools.cycle(spec.members), skip, skip + count - start)
        slots += [_Slot(p) for p in turn]
    for k, lock in locked.items():
        if start <= k < len(slots):
            slots[k] = _Slot(lock.person, lock=lock.reason)
    paired: set[int] = set()  # locked shifts already standing as one half of a swap

    def member(person: str, k: int) -> bool:
        return person in members_for_shift(spec, k)

    for k in range(start, last + 1):
        slot = slots[k]
        if slot.reason == "swap":
            continue
        if slot.lock is not None:
            _pair_locked(spec, slots, k, horizon, conflicts, paired)
            continue
        p = slot.person
        cause = conflicts(p, k)
        if not cause:
            continue
        for j in range(k + 1, k + horizon + 1):
            other = slots[j]
            if other.lock is not None:
                q = base_holder(spec, j)
                if j not in paired and other.person == p and q != p and not conflicts(q, k):
                    paired.add(j)
                    slots[k] = _Slot(q, "swap", j, cause, p)
                    break
                continue
            if other.reason == "swap":
                continue
            q = other.person
            if q == p or conflicts(q, k) or conflicts(p, j):
                continue
            if not (member(q, k) and member(p, j)):
                continue
            slots[k] = _Slot(q, "swap", j, cause, p)
            slots[j] = _Slot(p, "swap", k, cause, p)
            break
        else:
            slot.unresolved = True
    return slots[: last + 1]


def _pair_locked(
    spec: RotationSpec,
    slots: list[_Slot],
    k: int,
    horizon: int,
    conflicts: _Conflicts,
    paired: set[int],
) -> None:
    """Locked shift ``k``: mark it unresolved if its holder is off, and when it holds ``q`` in
    place of a base holder ``p`` who is off in it, give ``p`` the later shift of ``q`` that was
    the other half of that swap (the first one ``p`` can take, as rule 3 would have)."""
    slot = slots[k]
    if conflicts(slot.person, k):
        slot.unresolved = True
    p, q = base_holder(spec, k), slot.person
    cause = conflicts(p, k)
    if k in paired or p == q or not cause:
        return
    for j in range(k + 1, k + horizon + 1):
        other = slots[j]
        if other.lock is not None or other.reason == "swap" or other.person != q:
            continue
        if conflicts(p, j) or p not in members_for_shift(spec, j):
            continue
        paired.add(k)
        slots[j] = _Slot(p, "swap", k, cause, p)
        return


def _prepare_overrides(
    spec: RotationSpec, overrides: Sequence[Override]
) -> list[tuple[datetime, datetime, Override]]:
    """This rotation's overrides as sorted UTC windows, clipped to start at shift 0."""
    origin = start_utc(spec, 0)
    out: list[tuple[datetime, datetime, Override]] = []
    for ov in overrides:
        if ov.rotation != spec.id:
            continue
        require_aware(ov.start, "override start")
        require_aware(ov.end, "override end")
        a, b = ov.start.astimezone(UTC), ov.end.astimezone(UTC)
        if b <= a:
            raise ValueError(f"override for {ov.person!r} on {spec.id!r} ends before it starts")
        a = max(a, origin)
        if a < b:
            out.append((a, b, ov))
    out.sort(key=lambda w: w[0])
    for (_, prev_end, prev), (nxt_start, _, nxt) in itertools.pairwise(out):
        if nxt_start < prev_end:
            raise ValueError(
                f"overrides on {spec.id!r} overlap: {prev.person!r} until "
                f"{prev.end.isoformat()} and {nxt.person!r} from {nxt.start.isoformat()}"
            )
    return out


def compute_shifts(
    spec: RotationSpec,
    start: datetime,
    end: datetime,
    *,
    availability: Availability,
    overrides: Sequence[Override] = (),
) -> list[Shift]:
    """Shifts and override pieces overlapping [start, end), swaps and overrides applied.

    Chronological and contiguous; bounds are not clipped to the window (whole shifts, or the
    piece bounds where overrides split a shift). Overrides for other rotations are ignored;
    overlapping overrides raise ValueError. The result is a slice of one schedule computed
    from shift 0, so it never depends on the window asked for.
    """
    require_aware(start, "window start")
    require_aware(end, "window end")
    lo, hi = start.astimezone(UTC), end.astimezone(UTC)
    if hi < lo:
        raise ValueError("window ends before it starts")
    if hi <= start_utc(spec, 0) or hi == lo:
        return []
    first = shift_index_at(spec, lo)
    k_lo = 0 if first is None else first
    k_hi = shift_index_at(spec, hi)
    if k_hi is None:  # unreachable: hi is after shift 0 starts
        return []
    if start_utc(spec, k_hi) == hi:
        k_hi -= 1

    conflicts = _Conflicts(spec, availability)
    slots = _resolve_slots(spec, k_hi, conflicts, k_lo)
    windows = _prepare_overrides(spec, overrides)
    ends = [w[1] for w in windows]

    out: list[Shift] = []
    # Shift k's bounds: its start on the rotation's wall clock and in UTC. The wall-clock
    # start is the UTC instant seen in ``spec.tz`` (tests/domain/test_wall_time.py).
    starts = shift_starts(spec, k_lo, k_hi + 2)
    local = starts[0]
    bound = local.astimezone(UTC)
    for k in range(k_lo, k_hi + 1):
        s, s_local = bound, local
        local = starts[k + 1 - k_lo]
        bound = local.astimezone(UTC)
        slot = slots[k]
        if windows and _overridden(windows, ends, s, bound):
            _split(spec, k, (s, bound), slot, windows, ends, conflicts, (lo, hi), out)
        elif s < hi and bound > lo:
            out.append(_piece(spec, k, slot, (s_local, local), None, conflicts, whole=True))
    return out


def _overridden(
    windows: list[tuple[datetime, datetime, Override]],
    ends: list[datetime],
    s: datetime,
    e: datetime,
) -> bool:
    """Whether an override window meets [s, e)."""
    i = bisect.bisect_right(ends, s)
    return i < len(windows) and windows[i][0] < e


def _piece(
    spec: RotationSpec,
    k: int,
    slot: _Slot,
    bounds: tuple[datetime, datetime],
    ov: Override | None,
    conflicts: _Conflicts,
    *,
    whole: bool = False,
    days: tuple[date, ...] | None = None,
) -> Shift:
    """Shift ``k`` (``whole``), or a piece of it over ``bounds`` (on the rotation's clock)
    with the duty ``days`` it holds, held by ``ov``'s person when given."""
    person = slot.person if ov is None else ov.person
    if days is None:
        days = conflicts.dates(k)
    base = slot.person if slot.lock is not None else base_holder(spec, k)
    # Positional, in the order of Shift's fields (tests/domain/test_rotation_piece.py): a
    # call with 17 keywords costs a third more, and this runs once per shift.
    return Shift(
        spec.id,
        k,
        bounds[0],
        bounds[1],
        person,
        slot.reason if ov is None else "override",
        base,
        base if slot.reason == "swap" else None,  # swapped_with
        slot.cause,
        slot.cause_person,
        conflicts(person, k) if whole else conflicts.on(person, days),
        None if ov is None else ov.reason,  # override_reason
        None if ov is None else slot.person,  # overridden
        slot.partner,  # swap_index
        days,  # duty_dates
        slot.unresolved,
        slot.lock,  # locked
    )


def _split(
    spec: RotationSpec,
    k: int,
    bounds: tuple[datetime, datetime],
    slot: _Slot,
    windows: list[tuple[datetime, datetime, Override]],
    ends: list[datetime],
    conflicts: _Conflicts,
    window: tuple[datetime, datetime],
    out: list[Shift],
) -> None:
    """Shift ``k`` over [s, e) (UTC), cut into pieces by the overrides that meet it: the
    pieces overlapping ``window`` (UTC) are appended to ``out``."""
    tz = spec.tz
    s, e = bounds
    lo, hi = window
    hits: list[tuple[datetime, datetime, Override]] = []
    for w in windows[bisect.bisect_right(ends, s) :]:
        if w[0] >= e:
            break
        hits.append(w)
    all_days = conflicts.dates(k)
    marks = [wall_time(d, spec.handoff, tz).astimezone(UTC) for d in all_days]

    def piece(a: datetime, b: datetime, ov: Override | None) -> None:
        if a < hi and b > lo:
            days = tuple(d for d, m in zip(all_days, marks, strict=True) if a <= m < b)
            whole = ov is None and a == s and b == e
            local = (a.astimezone(tz), b.astimezone(tz))
            out.append(_piece(spec, k, slot, local, ov, conflicts, whole=whole, days=days))

    cursor = s
    for w_start, w_end, ov in hits:
        a, b = max(w_start, s), min(w_end, e)
        if cursor < a:
            piece(cursor, a, None)
        piece(a, b, ov)
        cursor = b
    if cursor < e:
        piece(cursor, e, None)


def shift_at(
    spec: RotationSpec,
    t: datetime,
    *,
    availability: Availability,
    overrides: Sequence[Override] = (),
) -> Shift | None:
    """The shift or override piece holding the rotation at instant ``t``; None before shift 0."""
    require_aware(t, "instant")
    u = t.astimezone(UTC)
    found = compute_shifts(spec, u, u + TICK, availability=availability, overrides=overrides)
    return found[0] if found else None
