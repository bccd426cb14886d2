"""What every config model shares: one strict base, one timezone rule, one date rule."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, StrictFloat, StrictInt, WithJsonSchema

from oncall.domain.model import StrictModel
from oncall.domain.timeutil import (
    MAX_DURATION,
    check_instant,
    duration_from_seconds,
    parse_duration,
)
from oncall.domain.timezone import check_timezone

__all__ = ["SourceTimeout", "StrictModel", "Timezone", "check_date", "check_timezone"]


Timezone = Annotated[str, AfterValidator(check_timezone)]
"""An IANA timezone name, checked when the file is read."""


def _check_timeout(value: str | float) -> str | float:
    seconds = parse_duration(value) if isinstance(value, str) else duration_from_seconds(value)
    if seconds.total_seconds() <= 0:
        raise ValueError(f"timeout must be more than zero (got {value!r}), like 10s or 2m")
    return value


SourceTimeout = Annotated[
    str | StrictInt | StrictFloat,
    AfterValidator(_check_timeout),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "examples": ["10s", "2m"]},
                {
                    "type": "number",
                    "exclusiveMinimum": 0,
                    "maximum": MAX_DURATION.total_seconds(),
                },
            ],
            "description": "A duration like 10s or 2m, or seconds; at most 3650d.",
        }
    ),
]
"""A state source's ``timeout``: a duration or seconds, kept as written (the adapter reads it)."""


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
