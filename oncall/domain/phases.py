"""Roster phases (rule 1b) and locked shifts (rule 3b) of a rotation. Pure.

A roster lists who takes turns from which date. Phase ``i`` covers the shifts whose start
date is on or after its ``start`` and before the next phase's; ``k_i`` is its first shift. The
base holder of shift ``k`` in phase ``i`` is ``members_i[(o_i + k - k_i) % n_i]``, with
``o_0 = 0`` and, for ``i > 0``, ``o_i`` the position in ``members_i`` of the first person who is
in ``members_i``, walking phase ``i - 1``'s order cyclically from the holder phase ``i - 1``
would have given shift ``k_i`` (0 when nobody is). The order continues where it was, a new
member takes their listed place, and no shift before the change moves.
"""

from __future__ import annotations

import bisect
import functools
from dataclasses import dataclass
from datetime import date, datetime

__all__ = ["LockedShift", "RosterPhase", "phase_firsts", "roster_holder", "roster_members"]


@dataclass(frozen=True, slots=True)
class RosterPhase:
    """From the first shift starting on or after ``start`` (a date), ``members`` take turns."""

    start: date
    members: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class LockedShift:
    """An announced shift: ``person`` holds [start, end), as recorded with ``reason``."""

    start: datetime
    end: datetime
    person: str
    reason: str


def _first_shift_on_or_after(start: date, shift_days: int, day: date) -> int:
    return max(0, -((start - day).days // shift_days))


@functools.lru_cache(maxsize=256)
def _table(
    start: date, shift_days: int, roster: tuple[RosterPhase, ...]
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """First shift ``k_i`` and offset ``o_i`` of each phase."""
    firsts: list[int] = []
    offsets: list[int] = []
    for i, phase in enumerate(roster):
        k_i = 0 if i == 0 else _first_shift_on_or_after(start, shift_days, phase.start)
        o_i = 0
        if i > 0:
            prev = roster[i - 1].members
            at = (offsets[-1] + k_i - firsts[-1]) % len(prev)
            for step in range(len(prev)):
                person = prev[(at + step) % len(prev)]
                if person in phase.members:
                    o_i = phase.members.index(person)
                    break
        firsts.append(k_i)
        offsets.append(o_i)
    return tuple(firsts), tuple(offsets)


def phase_firsts(start: date, shift_days: int, roster: tuple[RosterPhase, ...]) -> tuple[int, ...]:
    """The first shift index ``k_i`` of each phase."""
    return _table(start, shift_days, roster)[0]


def _phase(start: date, shift_days: int, roster: tuple[RosterPhase, ...], k: int) -> int:
    return max(0, bisect.bisect_right(_table(start, shift_days, roster)[0], k) - 1)


def roster_holder(start: date, shift_days: int, roster: tuple[RosterPhase, ...], k: int) -> str:
    """The base holder of shift ``k`` under ``roster``."""
    firsts, offsets = _table(start, shift_days, roster)
    i = _phase(start, shift_days, roster, k)
    members = roster[i].members
    return members[(offsets[i] + k - firsts[i]) % len(members)]


def roster_members(
    start: date, shift_days: int, roster: tuple[RosterPhase, ...], k: int
) -> tuple[str, ...]:
    """The members of the phase holding shift ``k``."""
    return roster[_phase(start, shift_days, roster, k)].members
