"""What every config model shares: one strict base, one timezone rule, one date rule."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator

from oncall.domain.model import StrictModel
from oncall.domain.timeutil import check_instant
from oncall.domain.timezone import check_timezone

__all__ = ["StrictModel", "Timezone", "check_date", "check_timezone"]


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
