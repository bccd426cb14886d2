"""Rotation arithmetic: the rotation, its shifts and their times (rules 1 and 1b of
docs/rotations.md). Pure: the caller passes the instants. ``oncall.domain.rotation`` builds
the schedule (swaps, locks, overrides) on top of these."""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from oncall.domain.people import DayOff
from oncall.domain.phases import LockedShift, RosterPhase, roster_holder, roster_members
from oncall.domain.timeutil import resolve_wall_time

Reason = Literal["rotation", "swap", "override"]

SATURDAY = 5
TICK = timedelta(microseconds=1)


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


def require_aware(value: datetime, what: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware, got {value.isoformat()}")


def wall_time(day: date, at: time, tz: ZoneInfo) -> datetime:
    """``resolve_wall_time``, exact to the second inside a DST gap.

    Inside a gap the helper bisects to within a second after the transition, which can leave
    a fraction of a second (02:07 -> 03:00:00.76). Transitions fall on whole seconds, so the
    fraction is dropped.

    A wall time with the same UTC offset for both folds is neither in a gap nor repeated: it
    is its own instant, without the round trip through UTC (the common case, and the same
    result; tests/domain/test_wall_time.py compares both over every day of many years).
    """
    return _wall_time(day, at, tz, _folds(at))


def _wall_time(day: date, at: time, tz: ZoneInfo, folds: tuple[time, time]) -> datetime:
    first = datetime.combine(day, folds[0], tz)
    if first.utcoffset() == datetime.combine(day, folds[1], tz).utcoffset():
        return first
    return plain_wall_time(day, at, tz)


@functools.lru_cache(maxsize=64)
def _folds(at: time) -> tuple[time, time]:
    """``at`` with fold 0 and with fold 1 (``datetime.replace`` is slow; this is cached)."""
    return at.replace(fold=0), at.replace(fold=1)


def plain_wall_time(day: date, at: time, tz: ZoneInfo) -> datetime:
    """``wall_time`` without its fast path: the reference the tests compare it with."""
    instant = resolve_wall_time(day, at, tz)
    if instant.replace(tzinfo=None) != datetime.combine(day, at):
        instant = instant.replace(microsecond=0)
    return instant


def _start_date(spec: RotationSpec, k: int) -> date:
    day = spec.start.toordinal() + k * spec.shift_days
    if 0 < day <= _MAX_ORDINAL:  # the common case, without a timedelta
        return date.fromordinal(day)
    return spec.start + timedelta(days=k * spec.shift_days)  # its OverflowError


_MAX_ORDINAL = date.max.toordinal()


def shift_start(spec: RotationSpec, k: int) -> datetime:
    """When shift ``k`` starts, in the rotation's time zone."""
    return wall_time(_start_date(spec, k), spec.handoff, spec.tz)


def shift_starts(spec: RotationSpec, first: int, stop: int) -> list[datetime]:
    """``shift_start`` of shifts ``first`` to ``stop - 1``, in one loop (the same values)."""
    tz, at, folds = spec.tz, spec.handoff, _folds(spec.handoff)
    origin, step = spec.start.toordinal(), spec.shift_days
    out: list[datetime] = []
    for k in range(first, stop):
        ordinal = origin + k * step
        if 0 < ordinal <= _MAX_ORDINAL:
            out.append(_wall_time(date.fromordinal(ordinal), at, tz, folds))
        else:
            out.append(shift_start(spec, k))  # its OverflowError
    return out


def start_utc(spec: RotationSpec, k: int) -> datetime:
    return shift_start(spec, k).astimezone(UTC)


def shift_index_at(spec: RotationSpec, t: datetime) -> int | None:
    """The index of the shift containing instant ``t``; None before shift 0.

    Arithmetic on the local date, then at most a step or two to correct for the handoff time
    and DST.
    """
    require_aware(t, "instant")
    u = t.astimezone(UTC)
    local_day = u.astimezone(spec.tz).date()
    k = (local_day - spec.start).days // spec.shift_days
    if k < 0:
        k = -1
    else:
        while k >= 0 and u < start_utc(spec, k):
            k -= 1
    while u >= start_utc(spec, k + 1):
        k += 1
    return k if k >= 0 else None


def shift_dates(spec: RotationSpec, k: int, *, include_weekends: bool = True) -> list[date]:
    """The ``shift_days`` calendar dates of shift ``k`` (without Saturdays and Sundays if asked)."""
    first = _start_date(spec, k)
    days = [first + step for step in _steps(spec.shift_days)]
    if include_weekends:
        return days
    return [d for d in days if d.weekday() < SATURDAY]


@functools.lru_cache(maxsize=64)
def _steps(n: int) -> tuple[timedelta, ...]:
    """``timedelta(days=i)`` for i in 0..n-1."""
    return tuple(timedelta(days=i) for i in range(n))


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
    require_aware(lock.start, "lock start")
    k = shift_index_at(spec, lock.start)
    if k is None or start_utc(spec, k) != lock.start.astimezone(UTC):
        return None
    if start_utc(spec, k + 1) != lock.end.astimezone(UTC):
        return None
    return k
