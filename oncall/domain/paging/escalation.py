"""Escalation steps: through the chain, then round it again ``repeat`` times.

A position is ``(level, round)``: ``level`` indexes the chain (0 is the responder) and
``round`` counts passes through the whole chain.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

__all__ = ["EscalationStep", "compute_escalation", "first_escalation_at", "next_step"]


def next_step(level: int, round_: int, chain_len: int, rounds: int) -> tuple[int, int] | None:
    """The position after ``(level, round_)``, or None when the chain is exhausted."""
    if level + 1 < chain_len:
        return level + 1, round_
    if round_ + 1 < rounds:
        return 0, round_ + 1
    return None


def first_escalation_at(
    ack_timeout: timedelta | None, repeat: int, chain_len: int, now: datetime
) -> datetime | None:
    """When a page sent at ``now`` escalates first; None if it never does."""
    if ack_timeout is None:
        return None
    if next_step(0, 0, max(chain_len, 1), 1 + repeat) is None:
        return None
    return now + ack_timeout


@dataclass(frozen=True)
class EscalationStep:
    """Where an escalation goes: ``position`` None when the chain is exhausted;
    ``skipped`` the (level, person) passed over for having no contact; ``following``
    whether another step comes after this one."""

    position: tuple[int, int] | None
    skipped: tuple[tuple[int, str], ...]
    following: bool


def compute_escalation(
    level: int,
    round_: int,
    chain: Sequence[str],
    rounds: int,
    reachable: Callable[[str], bool],
) -> EscalationStep:
    """The next reachable position after ``(level, round_)``, skipping people for whom
    ``reachable`` is False."""
    skipped: list[tuple[int, str]] = []
    pos = next_step(level, round_, len(chain), rounds)
    for _ in range(len(chain) * rounds + 1):  # bounded: each step moves forward
        if pos is None or reachable(chain[pos[0]]):
            break
        skipped.append((pos[0], chain[pos[0]]))
        pos = next_step(pos[0], pos[1], len(chain), rounds)
    following = pos is not None and next_step(pos[0], pos[1], len(chain), rounds) is not None
    return EscalationStep(pos, tuple(skipped), following)
