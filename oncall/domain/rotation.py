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
3b. A locked shift's base holder is the locked person; locked shifts take no part in swaps
   (neither side) and count as already changed.
4. Overrides replace the holder for their window, on top of swaps.

Every comparison is made in UTC: aware datetimes that share a ``tzinfo`` compare by wall
clock, which is wrong around a fall-back transition.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from oncall.domain.people import Availability, DayOff
from oncall.domain.phases import (
    LockedShift,
    RosterPhase,
    roster_holder,
    roster_members,
)
from oncall.domain.timeutil import resolve_wall_time

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

Reason = Literal["rotation", "swap", "override"]

_SATURDAY = 5
_TICK = timedelta(microseconds=1)


@dataclass(frozen=True, slots=True)
class RotationSpec:
    """A rotation's configuration: who rotates, from when, and how swaps behave.

    ``start`` is the date of shift 0, ``handoff`` the wall time of every handoff in ``tz``.
    ``swap_weekends=False`` leaves Saturdays and Sundays out of conflict checks.
    ``swap_horizon`` is how many later shifts a holder with a conflict may swap with.
    ``roster`` (rule 1b) replaces ``members`` for the turns when given; ``members`` is then
    everyone in any phase, in order of first appearance. ``locks`` are announced shifts (3b).
    """

    id: str
    members: tuple[str, ...]
    start: date
    handoff: time
    tz: ZoneInfo
    shift_days: int = 7
    swap_enabled: bool = True
    swap_weekends: bool = True
    swap_horizon: int = 8
    roster: tuple[RosterPhase, ...] = ()
    locks: tuple[LockedShift, ...] = ()

    def __post_init__(self) -> None:
        if not self.members or any(not phase.members for phase in self.roster):
            raise ValueError(f"rotation {self.id!r} has no members")
        if self.roster and self.roster[0].start != self.start:
            raise ValueError(f"rotation {self.id!r}: the first roster phase must begin at start")
        if any(b.start < a.start for a, b in itertools.pairwise(self.roster)):
            raise ValueError(f"rotation {self.id!r}: roster phases must be in date order")
        if self.shift_days < 1:
            raise ValueError(f"rotation {self.id!r}: shift_days must be at least 1")
        if self.swap_horizon < 0:
            raise ValueError(f"rotation {self.id!r}: swap_horizon must not be negative")
        if self.handoff.tzinfo is not None:
            raise ValueError(f"rotation {self.id!r}: handoff is a wall time, without a zone")


@dataclass(frozen=True, slots=True)
class Override:
    """``person`` holds rotation ``rotation`` during [start, end)."""

    rotation: str
    start: datetime
    end: datetime
    person: str
    reason: str


@dataclass(frozen=True, slots=True)
class Shift:
    """One stretch of time with a single holder: a whole shift, or a piece split by overrides.

    ``index`` is the underlying shift ``k``. ``base_person`` is ``members[k % n]``.

    For a swapped shift ``swapped_with`` is the partner of the swap (the base holder, who gave
    the shift away), ``swap_index`` the partner shift's index, and ``swap_cause`` the days off
    of ``swap_cause_person`` (the holder with the conflict) that caused the swap. Override
    pieces keep these from the shift they split, and ``overridden`` names the person they
    replaced.

    ``duty_dates`` are the dates whose handoff instant falls in [start, end): all the shift's
    dates for a whole shift, so that each calendar date is counted for exactly one holder.
    ``conflicts`` are the holder's days off on those dates (weekends left out when the rotation
    does not swap for them): holidays worked. ``unresolved`` marks a shift whose base holder
    had a conflict that no swap resolved (no partner qualified, swaps are disabled, or the
    shift is locked). ``locked`` is the recorded reason of a locked shift (rule 3b), else None.
    """

    rotation: str
    index: int
    start: datetime
    end: datetime
    person: str
    reason: Reason
    base_person: str
    swapped_with: str | None
    swap_cause: tuple[DayOff, ...]
    swap_cause_person: str | None
    conflicts: tuple[DayOff, ...]
    override_reason: str | None = None
    overridden: str | None = None
    swap_index: int | None = None
    duty_dates: tuple[date, ...] = ()
    unresolved: bool = False
    locked: str | None = None

    @property
    def duration(self) -> timedelta:
        """Elapsed time, DST-correct."""
        return self.end.astimezone(UTC) - self.start.astimezone(UTC)

    def contains(self, t: datetime) -> bool:
        """Whether instant ``t`` falls in [start, end)."""
        u = t.astimezone(UTC)
        return self.start.astimezone(UTC) <= u < self.end.astimezone(UTC)


def _require_aware(value: datetime, what: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware, got {value.isoformat()}")


def _wall(day: date, at: time, tz: ZoneInfo) -> datetime:
    """``resolve_wall_time``, exact to the second inside a DST gap.

    Inside a gap the helper bisects to within a second after the transition, which can leave
    a fraction of a second (02:07 -> 03:00:00.76). Transitions fall on whole seconds, so the
    fraction is dropped.
    """
    instant = resolve_wall_time(day, at, tz)
    if instant.replace(tzinfo=None) != datetime.combine(day, at):
        instant = instant.replace(microsecond=0)
    return instant


def _start_date(spec: RotationSpec, k: int) -> date:
    return spec.start + timedelta(days=k * spec.shift_days)


def shift_start(spec: RotationSpec, k: int) -> datetime:
    """When shift ``k`` starts, in the rotation's time zone."""
    return _wall(_start_date(spec, k), spec.handoff, spec.tz)


def _start_utc(spec: RotationSpec, k: int) -> datetime:
    return shift_start(spec, k).astimezone(UTC)


def shift_index_at(spec: RotationSpec, t: datetime) -> int | None:
    """The index of the shift containing instant ``t``; None before shift 0.

    Arithmetic on the local date, then at most a step or two to correct for the handoff time
    and DST.
    """
    _require_aware(t, "instant")
    u = t.astimezone(UTC)
    local_day = u.astimezone(spec.tz).date()
    k = (local_day - spec.start).days // spec.shift_days
    if k < 0:
        k = -1
    else:
        while k >= 0 and u < _start_utc(spec, k):
            k -= 1
    while u >= _start_utc(spec, k + 1):
        k += 1
    return k if k >= 0 else None


def shift_dates(spec: RotationSpec, k: int, *, include_weekends: bool = True) -> list[date]:
    """The ``shift_days`` calendar dates of shift ``k`` (without Saturdays and Sundays if asked)."""
    first = _start_date(spec, k)
    days = (first + timedelta(days=i) for i in range(spec.shift_days))
    if include_weekends:
        return list(days)
    return [d for d in days if d.weekday() < _SATURDAY]


def base_holder(spec: RotationSpec, k: int) -> str:
    """The base holder of shift ``k`` (rules 1 and 1b), before locks, swaps and overrides."""
    if not spec.roster:
        return spec.members[k % len(spec.members)]
    return roster_holder(spec.start, spec.shift_days, spec.roster, k)


def members_for_shift(spec: RotationSpec, k: int) -> tuple[str, ...]:
    """The members taking turns at shift ``k``: its roster phase's, or ``members``."""
    if not spec.roster:
        return spec.members
    return roster_members(spec.start, spec.shift_days, spec.roster, k)


def lock_index(spec: RotationSpec, lock: LockedShift) -> int | None:
    """The shift a lock holds: the one with exactly the lock's bounds, else None."""
    _require_aware(lock.start, "lock start")
    k = shift_index_at(spec, lock.start)
    if k is None or _start_utc(spec, k) != lock.start.astimezone(UTC):
        return None
    if _start_utc(spec, k + 1) != lock.end.astimezone(UTC):
        return None
    return k


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
    """Days off of a person on a shift's conflict dates, cached per (person, k)."""

    def __init__(self, spec: RotationSpec, availability: Availability) -> None:
        self._spec = spec
        self._availability = availability
        self._cache: dict[tuple[str, int], tuple[DayOff, ...]] = {}

    def __call__(self, person: str, k: int) -> tuple[DayOff, ...]:
        key = (person, k)
        hit = self._cache.get(key)
        if hit is None:
            days = shift_dates(self._spec, k, include_weekends=self._spec.swap_weekends)
            hit = tuple(off for d in days for off in self._availability.days_off(person, d))
            self._cache[key] = hit
        return hit

    def on(self, person: str, days: Sequence[date]) -> tuple[DayOff, ...]:
        """Days off on some of a shift's dates (weekends left out as for conflicts)."""
        weekends = self._spec.swap_weekends
        return tuple(
            off
            for d in days
            if weekends or d.weekday() < _SATURDAY
            for off in self._availability.days_off(person, d)
        )


def _resolve_slots(spec: RotationSpec, last: int, conflicts: _Conflicts) -> list[_Slot]:
    """Holders of shifts 0..last after locks and holiday swaps, processed from shift 0.

    A swap only moves people into shifts of a phase they are a member of (rule 1b). A locked
    shift that holds someone other than its base holder stands as one half of an announced
    swap: the shift that was its other half keeps that swap (rule 3b), so locking the
    schedule as it is changes nothing outside the lock.
    """
    horizon = spec.swap_horizon if spec.swap_enabled else 0
    slots = [_Slot(base_holder(spec, k)) for k in range(last + 1 + horizon)]
    for k, lock in _locked_slots(spec).items():
        if k < len(slots):
            slots[k] = _Slot(lock.person, lock=lock.reason)
    paired: set[int] = set()  # locked shifts already standing as one half of a swap

    def member(person: str, k: int) -> bool:
        return person in members_for_shift(spec, k)

    for k in range(last + 1):
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
    origin = _start_utc(spec, 0)
    out: list[tuple[datetime, datetime, Override]] = []
    for ov in overrides:
        if ov.rotation != spec.id:
            continue
        _require_aware(ov.start, "override start")
        _require_aware(ov.end, "override end")
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
    _require_aware(start, "window start")
    _require_aware(end, "window end")
    lo, hi = start.astimezone(UTC), end.astimezone(UTC)
    if hi < lo:
        raise ValueError("window ends before it starts")
    if hi <= _start_utc(spec, 0) or hi == lo:
        return []
    first = shift_index_at(spec, lo)
    k_lo = 0 if first is None else first
    k_hi = shift_index_at(spec, hi)
    if k_hi is None:  # unreachable: hi is after shift 0 starts
        return []
    if _start_utc(spec, k_hi) == hi:
        k_hi -= 1

    conflicts = _Conflicts(spec, availability)
    slots = _resolve_slots(spec, k_hi, conflicts)
    windows = _prepare_overrides(spec, overrides)
    ends = [w[1] for w in windows]

    out: list[Shift] = []
    bound = _start_utc(spec, k_lo)
    for k in range(k_lo, k_hi + 1):
        s, bound = bound, _start_utc(spec, k + 1)
        pieces = _split(spec, k, s, bound, slots[k], windows, ends, conflicts)
        out.extend(p for p in pieces if p.start.astimezone(UTC) < hi and p.end.astimezone(UTC) > lo)
    return out


def _split(
    spec: RotationSpec,
    k: int,
    s: datetime,
    e: datetime,
    slot: _Slot,
    windows: list[tuple[datetime, datetime, Override]],
    ends: list[datetime],
    conflicts: _Conflicts,
) -> list[Shift]:
    """Shift ``k`` over [s, e) (UTC), cut into pieces by the overrides that meet it."""
    tz = spec.tz
    base = slot.person if slot.lock is not None else base_holder(spec, k)

    def piece(a: datetime, b: datetime, ov: Override | None, days: tuple[date, ...]) -> Shift:
        person = slot.person if ov is None else ov.person
        whole = ov is None and a == s and b == e
        return Shift(
            rotation=spec.id,
            index=k,
            start=a.astimezone(tz),
            end=b.astimezone(tz),
            person=person,
            reason=slot.reason if ov is None else "override",
            base_person=base,
            swapped_with=base if slot.reason == "swap" else None,
            swap_cause=slot.cause,
            swap_cause_person=slot.cause_person,
            conflicts=conflicts(person, k) if whole else conflicts.on(person, days),
            override_reason=None if ov is None else ov.reason,
            overridden=None if ov is None else slot.person,
            swap_index=slot.partner,
            duty_dates=days,
            unresolved=slot.unresolved,
            locked=slot.lock,
        )

    hits: list[tuple[datetime, datetime, Override]] = []
    for w in windows[bisect.bisect_right(ends, s) :]:
        if w[0] >= e:
            break
        hits.append(w)
    all_days = shift_dates(spec, k)
    if not hits:
        return [piece(s, e, None, tuple(all_days))]

    marks = [_wall(d, spec.handoff, tz).astimezone(UTC) for d in all_days]

    def days_in(a: datetime, b: datetime) -> tuple[date, ...]:
        return tuple(d for d, m in zip(all_days, marks, strict=True) if a <= m < b)

    out: list[Shift] = []
    cursor = s
    for w_start, w_end, ov in hits:
        a, b = max(w_start, s), min(w_end, e)
        if cursor < a:
            out.append(piece(cursor, a, None, days_in(cursor, a)))
        out.append(piece(a, b, ov, days_in(a, b)))
        cursor = b
    if cursor < e:
        out.append(piece(cursor, e, None, days_in(cursor, e)))
    return out


def shift_at(
    spec: RotationSpec,
    t: datetime,
    *,
    availability: Availability,
    overrides: Sequence[Override] = (),
) -> Shift | None:
    """The shift or override piece holding the rotation at instant ``t``; None before shift 0."""
    _require_aware(t, "instant")
    u = t.astimezone(UTC)
    found = compute_shifts(spec, u, u + _TICK, availability=availability, overrides=overrides)
    return found[0] if found else None
