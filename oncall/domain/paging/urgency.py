"""Urgency: which level a page gets, when it may go out, and when it repeats."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Literal, Protocol
from zoneinfo import ZoneInfo

from oncall.domain.paging.quiet import in_quiet_hours, quiet_hours_end, require_aware

__all__ = ["LevelPolicy", "Urgency", "compute_repeats", "hold_until", "urgency_for"]

Urgency = Literal["high", "low"]


class LevelPolicy(Protocol):
    """What the decisions need of an urgency level (``urgency.high`` in paging.yaml)."""

    @property
    def ack_timeout(self) -> timedelta | None: ...

    @property
    def repeat(self) -> int: ...

    @property
    def quiet_hours(self) -> str | None: ...


def urgency_for(purpose: str | None, by_purpose: Mapping[str, Urgency]) -> Urgency:
    """The urgency for a pipeline's purpose: mapped in ``by_purpose``, else ``high``."""
    if purpose is None:
        return "high"
    return by_purpose.get(purpose, "high")


def hold_until(level: LevelPolicy, now: datetime, tz: ZoneInfo) -> datetime | None:
    """When a page of this urgency may go out, or None to send now (``tz``: responder's)."""
    if level.quiet_hours is None or not in_quiet_hours(now, tz, level.quiet_hours):
        return None
    return quiet_hours_end(now, tz, level.quiet_hours)


def compute_repeats(level: LevelPolicy, first_sent: datetime) -> list[datetime]:
    """When to repeat an unacknowledged page: every ``ack_timeout``, ``repeat`` times."""
    require_aware(first_sent)
    if level.ack_timeout is None:
        return []
    # Elapsed time, not wall time: add in UTC (a DST change must not shift a repeat).
    base, tz = first_sent.astimezone(UTC), first_sent.tzinfo
    return [(base + level.ack_timeout * k).astimezone(tz) for k in range(1, level.repeat + 1)]
