"""What every report shares: the base model and how instants appear in JSON."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, PlainSerializer

__all__ = ["Instant", "Report"]


def _iso(value: datetime) -> str:
    return value.isoformat()


Instant = Annotated[datetime, PlainSerializer(_iso, return_type=str, when_used="json")]
"""A datetime shown in JSON as ``datetime.isoformat()`` (``+00:00``, never ``Z``)."""


class Report(BaseModel):
    """Base of every result object: plain data, nothing extra accepted."""

    model_config = ConfigDict(extra="forbid")
