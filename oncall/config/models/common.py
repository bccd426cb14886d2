"""What every config model shares: one strict base, one timezone rule, one date rule."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import AfterValidator

from oncall.domain.model import StrictModel
from oncall.domain.text import suggest
from oncall.domain.timeutil import check_instant

__all__ = ["StrictModel", "Timezone", "check_date", "check_timezone"]


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


Timezone = Annotated[str, AfterValidator(check_timezone)]
"""An IANA timezone name, checked when the file is read."""


def check_date(value: Any) -> Any:
    """A date written as ``YYYY-MM-DD`` (before validation): not a date and time, and within
    the supported range of instants (``check_instant``)."""
    if isinstance(value, datetime):
        raise ValueError("expected a date like 2026-01-05, not a date and time")
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            raise ValueError(
                f"bad date '{value}': write it as YYYY-MM-DD, e.g. 2026-01-05"
            ) from None
    if isinstance(value, date):
        check_instant(value)
    return value
