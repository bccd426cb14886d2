"""The model of ``schedule.lock.yaml``: announced shifts that later edits must not move.

Written by ``oncall schedule lock``; committed with the rest of the config.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field, field_validator

from oncall.config.models.common import StrictModel
from oncall.config.models.rotation import parse_datetime


def _instant(v: Any) -> Any:
    v = parse_datetime(v)
    if isinstance(v, datetime) and v.tzinfo is None:
        raise ValueError(
            f"'{v.isoformat()}' has no UTC offset: locked times are instants, "
            'e.g. "2026-01-05T09:00:00+05:30" (re-create the lock with oncall schedule lock)'
        )
    return v


class LockedShiftEntry(StrictModel):
    start: datetime
    end: datetime
    person: str
    reason: str = ""

    _t = field_validator("start", "end", mode="before")(_instant)


class RotationLockEntry(StrictModel):
    from_: datetime = Field(alias="from")
    until: datetime
    shifts: tuple[LockedShiftEntry, ...] = ()

    _t = field_validator("from_", "until", mode="before")(_instant)


class LockFile(StrictModel):
    locks: dict[str, RotationLockEntry] = Field(default_factory=dict)
