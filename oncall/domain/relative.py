"""Relative dates for people: ``now``, ``today``, ``monday``, ``last friday``, ``+3d``.

Pure: the present (``now``) and the team time zone are arguments. The CLI's time options
(``--at``, ``--from``, ``--to``, ``--now``) try :func:`resolve_relative` first and fall back
to ISO 8601 (:func:`oncall.domain.timeutil.parse_instant`); the supported-range check wraps
both.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from oncall.domain.timeutil import parse_duration, resolve_wall_time

__all__ = ["RELATIVE_HELP", "WEEKDAYS", "resolve_relative"]

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DAYS = {"today": 0, "tomorrow": 1, "yesterday": -1}
_OFFSET = re.compile(r"^([+-])\s*(\S.*)$")

RELATIVE_HELP = (
    "ISO 8601 (2026-11-21, 2026-11-21T09:00, 2026-11-21T09:00+05:30), or now, today, "
    "tomorrow, yesterday, a weekday (monday: the next one; last monday: the previous one) "
    "or an offset from now (+3d, -2h, +1w); dates are midnight and everything without an "
    "offset is in the team timezone."
)


def resolve_relative(text: str, now: datetime, tz: ZoneInfo) -> datetime | None:
    """The instant ``text`` names relative to ``now`` in ``tz``, or None if it is not relative.

    * ``now``: ``now`` itself.
    * ``today``, ``tomorrow``, ``yesterday``: midnight (team time) starting that date.
    * ``monday`` ... ``sunday`` (also ``next monday``): midnight of the next such date,
      strictly after today; ``last monday``: the previous one, strictly before today.
    * ``+3d``, ``-2h``, ``+1w``, ``+1h30m``: ``now`` plus or minus that elapsed time.

    A malformed offset (``+3x``) is a ValueError; anything else unknown returns None.
    """
    raw = " ".join(text.strip().lower().split())
    local = now.astimezone(tz)
    today = local.date()
    if raw == "now":
        return local
    if raw in _DAYS:
        return resolve_wall_time(today + timedelta(days=_DAYS[raw]), time(0, 0), tz)
    direction, _, name = raw.rpartition(" ")
    if name in WEEKDAYS and direction in ("", "next", "last"):
        target = WEEKDAYS.index(name)
        if direction == "last":
            back = (today.weekday() - target) % 7 or 7
            day = today - timedelta(days=back)
        else:
            ahead = (target - today.weekday()) % 7 or 7
            day = today + timedelta(days=ahead)
        return resolve_wall_time(day, time(0, 0), tz)
    match = _OFFSET.match(raw)
    if match is None:
        return None
    try:
        delta = parse_duration(match.group(2))
    except ValueError as exc:
        if "longest supported" in str(exc):
            raise
        raise ValueError(
            f"bad offset {text.strip()!r}: use a sign, a number and a unit, like +3d, -2h or +1w"
        ) from None
    moved = now.astimezone(UTC) + (delta if match.group(1) == "+" else -delta)
    return moved.astimezone(tz)
