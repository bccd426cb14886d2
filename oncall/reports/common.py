"""What every report shares: the base model, how instants appear in JSON, and a day off."""

from __future__ import annotations

from datetime import date, datetime
from operator import methodcaller
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, PlainSerializer

__all__ = ["DayOffOut", "Instant", "Report"]


_iso = methodcaller("isoformat")
"""``value.isoformat()`` as a C callable: a schedule writes tens of thousands of instants,
and pydantic calls this at half the cost of a Python function."""

Instant = Annotated[datetime, PlainSerializer(_iso, return_type=str, when_used="json")]
"""A datetime shown in JSON as ``datetime.isoformat()`` (``+00:00``, never ``Z``)."""


class Report(BaseModel):
    """Base of every result object: plain data, nothing extra accepted."""

    model_config = ConfigDict(extra="forbid")


class DayOffOut(Report):
    """A day off as reports show it (``who``, ``schedule``): one date and why."""

    date: date
    name: str
    kind: Literal["holiday", "company", "leave"] = "holiday"
    estimated: bool = False
