"""What every config model shares: one strict base, one timezone rule, one date rule."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import AfterValidator, BaseModel, ConfigDict

from oncall.domain.text import suggest


class StrictModel(BaseModel):
    """Base of every config model: unknown keys are errors, values are read-only."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def check_timezone(value: str) -> str:
    """``value`` if it is a known IANA timezone; ValueError with a did-you-mean otherwise."""
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
    """A date written as ``YYYY-MM-DD`` (before validation): not a date and time."""
    if isinstance(value, datetime):
        raise ValueError("expected a date like 2026-01-05, not a date and time")
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValueError(
                f"bad date '{value}': write it as YYYY-MM-DD, e.g. 2026-01-05"
            ) from None
    return value
