"""Pure time helpers: the one duration parser and formatter, instants as text, wall-clock
resolution across DST, ISO parsing."""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}

MIN_INSTANT = datetime(1970, 1, 1, tzinfo=UTC)
"""The earliest supported instant (inclusive): every date, time and --at/--now/--from/--to."""
MAX_INSTANT = datetime(2200, 1, 1, tzinfo=UTC)
"""The end of the supported instants (exclusive): 2199-12-31 is the last full day."""
MAX_DURATION = timedelta(days=3650)
"""The longest supported duration (``3650d``, about ten years)."""
_MAX_TEXT = 200
"""Longer dates, times and durations are refused before they are parsed."""


def check_instant(value: datetime | date) -> None:
    """ValueError unless ``value`` lies in [MIN_INSTANT, MAX_INSTANT).

    Aware datetimes are compared exactly; dates and naive (wall-clock) datetimes by their
    calendar date, a day of slack either side, so that no zone arithmetic can overflow.
    The one range check of instants: the CLI's time options and the config both use it.
    """
    if isinstance(value, datetime) and value.tzinfo is not None:
        inside = MIN_INSTANT <= value < MAX_INSTANT
    else:
        day = value.date() if isinstance(value, datetime) else value
        inside = MIN_INSTANT.date() - timedelta(days=1) <= day <= MAX_INSTANT.date()
    if not inside:
        raise ValueError(
            f"{value.isoformat()} is outside the supported range "
            f"{MIN_INSTANT:%Y-%m-%d} to {MAX_INSTANT - timedelta(days=1):%Y-%m-%d} (UTC): "
            "use a date in that range"
        )


def duration_from_seconds(seconds: float, *, text: str | None = None) -> timedelta:
    """A duration of ``seconds`` (written ``text``), at most MAX_DURATION; ValueError if longer."""
    if seconds < -MAX_DURATION.total_seconds():  # exact for huge ints too (no float())
        raise ValueError("a duration must be greater than zero: write it like 20s, 15m or 1h")
    not_finite = isinstance(seconds, float) and not math.isfinite(seconds)
    if not_finite or seconds > MAX_DURATION.total_seconds():
        shown = repr(text) if text is not None else _seconds_text(seconds)
        raise ValueError(
            f"duration {shown} is longer than the longest supported, "
            f"{format_duration(MAX_DURATION, style='unit')}: use a shorter one"
        )
    return timedelta(seconds=seconds)


def _seconds_text(seconds: float) -> str:
    if isinstance(seconds, int) and seconds.bit_length() > 64:
        return f"(a {len(str(abs(seconds))):,}-digit number of seconds)"
    return f"{seconds:g}s"


def parse_duration(text: str) -> timedelta:
    """Parse ``90m``, ``26h``, ``7d``, ``30s``, ``2w`` (also composites like ``1h30m``).

    At most MAX_DURATION: longer ones are a ValueError.
    """
    if len(text) > _MAX_TEXT:
        raise ValueError(f"bad duration {text[:20]!r}...: it is {len(text)} characters long")
    parts = re.findall(r"(\d+(?:\.\d+)?)\s*([smhdw])", text)
    joined = "".join(n + u for n, u in parts)
    if not parts or joined != re.sub(r"\s+", "", text):
        raise ValueError(f"bad duration {text!r}: use a number and a unit, like 90m, 26h or 7d")
    return duration_from_seconds(sum(float(n) * _UNITS[u] for n, u in parts), text=text)


DurationStyle = Literal["short", "exact", "unit"]


def format_duration(delta: timedelta, *, style: DurationStyle = "short") -> str:
    """A duration as text, in one of three styles.

    * ``short`` (for people): ``1h 20m``, ``2d 3h``, ``45s``: the two largest non-zero units.
    * ``exact`` (for files): ``1d2h30m``, ``90s``: lossless, what ``parse_duration`` reads back.
    * ``unit`` (for settings): ``27h``, ``90m``, ``7d``: the largest single unit that states the
      value exactly (days only from two days up).
    """
    if style == "exact":
        return _exact(delta)
    if style == "unit":
        return _one_unit(delta)
    total = int(abs(delta.total_seconds()))
    units = (("d", 86400), ("h", 3600), ("m", 60), ("s", 1))
    out: list[str] = []
    for name, size in units:
        n, total = divmod(total, size)
        if n:
            out.append(f"{n}{name}")
        if len(out) == 2:
            break
    text = " ".join(out) or "0s"
    return f"-{text}" if delta.total_seconds() < 0 else text


def _exact(delta: timedelta) -> str:
    total = delta.total_seconds()
    if total != int(total):
        return f"{total:g}s"
    rest = int(total)
    out = []
    for name, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        n, rest = divmod(rest, size)
        if n:
            out.append(f"{n}{name}")
    return "".join(out) or "0s"


def _one_unit(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    if seconds % 86400 == 0 and seconds >= 2 * 86400:
        return f"{seconds // 86400}d"
    if seconds % 3600 == 0:
        return f"{seconds // 3600}h"
    if seconds % 60 == 0:
        return f"{seconds // 60}m"
    return f"{delta.total_seconds():g}s"


TimeStyle = Literal["plain", "day", "short"]


def format_time(t: datetime, tz: ZoneInfo | None = None, *, style: TimeStyle = "plain") -> str:
    """An instant as text, on the wall clock of ``tz`` when given, in one of three styles.

    * ``plain``: ``2026-11-20 10:31 IST``.
    * ``day``: ``Fri 2026-11-20 10:31 IST``.
    * ``short`` (inside a table whose title names year and zone): ``Fri Nov 20 10:31``.
    """
    local = t.astimezone(tz) if tz is not None else t
    if style == "short":
        return f"{local:%a %b %d %H:%M}"
    if style == "day":
        return f"{local:%a %Y-%m-%d %H:%M %Z}"
    return f"{local:%Y-%m-%d %H:%M %Z}"


def resolve_wall_time(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The instant at wall-clock ``at`` on ``day`` in ``tz``.

    A time that does not exist (clocks spring forward) resolves to the end of the gap
    (02:30 -> 03:00); a time that occurs twice (clocks fall back) resolves to its first
    occurrence.
    """
    naive = datetime.combine(day, at)
    first = naive.replace(tzinfo=tz, fold=0)
    # Round-trip through UTC: a non-existent wall time does not survive it.
    roundtrip = first.astimezone(ZoneInfo("UTC")).astimezone(tz)
    if roundtrip.replace(tzinfo=None) == naive:
        return first
    # In a gap. The gap ends at the first instant whose wall clock is past ``naive``.
    # fold=0 maps a gap time with the offset before the transition: that UTC instant
    # is after the transition, so search backwards minute by minute for its start.
    before = naive.replace(tzinfo=tz, fold=0).astimezone(ZoneInfo("UTC"))
    after = naive.replace(tzinfo=tz, fold=1).astimezone(ZoneInfo("UTC"))
    lo, hi = min(before, after), max(before, after)
    # The transition lies in [lo, hi]; binary search to the second.
    off_lo = lo.astimezone(tz).utcoffset()
    while (hi - lo) > timedelta(seconds=1):
        mid = lo + (hi - lo) / 2
        if mid.astimezone(tz).utcoffset() == off_lo:
            lo = mid
        else:
            hi = mid
    return hi.astimezone(tz).replace(microsecond=0)


def parse_instant(text: str, default_tz: ZoneInfo) -> datetime:
    """Parse an ISO 8601 date or datetime; naive values are wall time in ``default_tz``.

    A bare date means midnight at the start of that date. Instants outside
    [MIN_INSTANT, MAX_INSTANT) are a ValueError (see ``check_instant``).
    """
    raw = text.strip()
    try:
        if len(raw) > _MAX_TEXT:
            raise ValueError(raw)
        if len(raw) == 10:
            day = date.fromisoformat(raw)
            check_instant(day)
            return _checked(resolve_wall_time(day, time(0, 0), default_tz))
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError as exc:
        if "supported range" in str(exc):
            raise
        shown = text if len(text) <= _MAX_TEXT else text[:20] + "..."
        raise ValueError(
            f"bad date or time {shown!r}: use ISO 8601 such as 2026-11-21, "
            "2026-11-21T09:00 or 2026-11-21T09:00+05:30"
        ) from exc
    check_instant(value)
    if value.tzinfo is None:
        return _checked(resolve_wall_time(value.date(), value.time(), default_tz))
    return value


def _checked(value: datetime) -> datetime:
    check_instant(value)
    return value
