"""The one timezone rule: an IANA name, checked without touching files outside tzdata."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from oncall.domain.text import suggest

_TZ_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$")
"""The shape of an IANA name: no '..', no leading '/', so no path outside tzdata is tried."""


def check_timezone(value: str) -> str:
    """``value`` if it is a known IANA timezone; ValueError with a did-you-mean otherwise."""
    if len(value) > 64 or not _TZ_NAME.match(value):
        shown = value if len(value) <= 64 else value[:30] + "..."
        raise ValueError(f"unknown IANA timezone '{shown}': use a name like Asia/Kolkata")
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        hint = suggest(value, sorted(available_timezones()))
        raise ValueError(
            f"unknown IANA timezone '{value}'{hint}: use a name like Asia/Kolkata"
        ) from None
    return value
