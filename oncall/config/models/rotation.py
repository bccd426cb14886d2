"""The model of ``rotation.yaml``: on-call rotations and their overrides."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Any

from pydantic import Field, field_validator

from oncall.config.models.common import StrictModel, Timezone, check_date
from oncall.domain.timeutil import check_instant

_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


class HolidaySwapSpec(StrictModel):
    enabled: bool = True
    weekends: bool = True
    horizon: int = Field(8, ge=1, le=52)


class RotationEntry(StrictModel):
    members: tuple[str, ...] = Field(min_length=1)
    start: date
    handoff: str = "09:00"
    timezone: Timezone | None = None
    shift_days: int = Field(7, ge=1, le=366)
    holiday_swap: HolidaySwapSpec = HolidaySwapSpec()

    _d = field_validator("start", mode="before")(check_date)

    @field_validator("handoff", mode="before")
    @classmethod
    def _handoff(cls, v: Any) -> Any:
        if isinstance(v, int):
            raise ValueError(
                'handoff must be quoted, e.g. handoff: "09:00" '
                "(unquoted, YAML reads 09:00 as a number)"
            )
        if isinstance(v, str) and not _HHMM.match(v):
            raise ValueError(f"bad handoff time '{v}': use 24-hour HH:MM in quotes, e.g. \"09:00\"")
        return v


class OverrideEntry(StrictModel):
    rotation: str
    start: datetime
    end: datetime
    person: str
    reason: str = ""

    @field_validator("start", "end", mode="before")
    @classmethod
    def _dt(cls, v: Any) -> Any:
        if isinstance(v, date) and not isinstance(v, datetime):
            v = datetime.combine(v, time(0, 0))
        if isinstance(v, str):
            try:
                v = datetime.fromisoformat(v.replace("Z", "+00:00"))
            except ValueError:
                raise ValueError(
                    f"bad date and time '{v}': use ISO 8601 like \"2026-11-30T09:00\" "
                    '(rotation timezone) or "2026-11-30T09:00+05:30"'
                ) from None
        if isinstance(v, datetime):
            check_instant(v)
        return v


class RotationFile(StrictModel):
    rotations: dict[str, RotationEntry] = Field(min_length=1)
    overrides: tuple[OverrideEntry, ...] = ()
