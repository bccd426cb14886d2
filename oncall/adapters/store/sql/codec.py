"""How values go to and from SQL: times as fixed-width ISO 8601 UTC text, compact sorted JSON.

``2026-11-21T09:00:00.000000+00:00``: every stored time has the same width, so in SQLite text
order is time order; PostgreSQL casts the same text to ``timestamptz`` and gives back
datetimes, which :func:`from_text` accepts too.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime


def utc_text(value: datetime, name: str = "time") -> str:
    """Fixed-width ISO 8601 UTC text; naive datetimes are a programming error."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {value.isoformat()}")
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def utc_text_or_none(value: datetime | None, name: str = "time") -> str | None:
    return None if value is None else utc_text(value, name)


def from_text(text: str | datetime) -> datetime:
    if isinstance(text, datetime):
        return text.astimezone(UTC)
    return datetime.fromisoformat(text).astimezone(UTC)


def from_text_or_none(text: str | datetime | None) -> datetime | None:
    return None if text is None else from_text(text)


def dumps(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
