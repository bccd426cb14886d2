"""Quiet hours: ``HH:MM-HH:MM`` on a wall clock, resolved DST-safely."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from oncall.domain.timeutil import resolve_wall_time

__all__ = ["in_quiet_hours", "parse_quiet_hours", "quiet_hours_end", "require_aware"]

_QUIET = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


def require_aware(now: datetime) -> None:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")


def parse_quiet_hours(spec: str) -> tuple[time, time]:
    """``"21:00-08:00"`` -> (21:00, 08:00). Start and end must differ."""
    m = _QUIET.match(spec)
    if not m:
        raise ValueError(f"bad quiet hours {spec!r}: use HH:MM-HH:MM, like 21:00-08:00")
    h1, m1, h2, m2 = (int(g) for g in m.groups())
    if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
        raise ValueError(f"bad quiet hours {spec!r}: hours 00-23, minutes 00-59")
    start, end = time(h1, m1), time(h2, m2)
    if start == end:
        raise ValueError(f"bad quiet hours {spec!r}: start and end must differ")
    return start, end


def _quiet_windows(now: datetime, tz: ZoneInfo, spec: str) -> list[tuple[datetime, datetime]]:
    """Candidate quiet windows around ``now`` as UTC instants.

    UTC matters: Python compares and subtracts datetimes sharing a tzinfo by wall
    clock, ignoring ``fold``, which is wrong across DST transitions.
    """
    start, end = parse_quiet_hours(spec)
    day = now.astimezone(tz).date()
    firsts = [day] if start < end else [day - timedelta(days=1), day]
    next_day = timedelta(days=0) if start < end else timedelta(days=1)
    return [
        (
            resolve_wall_time(first, start, tz).astimezone(UTC),
            resolve_wall_time(first + next_day, end, tz).astimezone(UTC),
        )
        for first in firsts
    ]


def in_quiet_hours(now: datetime, tz: ZoneInfo, spec: str) -> bool:
    """Whether ``now`` falls in the quiet hours ``spec`` (wall time in ``tz``).

    Windows are ``[start, end)`` and may wrap past midnight. Wall times are resolved
    DST-safely: a start or end in a spring-forward gap moves to the end of the gap, one
    in a fall-back overlap means its first occurrence.
    """
    require_aware(now)
    instant = now.astimezone(UTC)
    return any(a <= instant < b for a, b in _quiet_windows(now, tz, spec))


def quiet_hours_end(now: datetime, tz: ZoneInfo, spec: str) -> datetime:
    """When the quiet hours containing ``now`` end (in ``tz``); ``now`` itself if not quiet.

    Compare or subtract the result after ``.astimezone(UTC)``: Python does wall-clock
    arithmetic between datetimes that share a tzinfo.
    """
    require_aware(now)
    instant = now.astimezone(UTC)
    for a, b in _quiet_windows(now, tz, spec):
        if a <= instant < b:
            return b.astimezone(tz)
    return now.astimezone(tz)
