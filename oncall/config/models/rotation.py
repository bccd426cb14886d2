"""The model of ``rotation.yaml``: on-call rotations and their overrides."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Any

from pydantic import Field, field_validator, model_validator

from oncall.config.models.common import StrictModel, Timezone, check_date
from oncall.domain.timeutil import check_instant

_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


class HolidaySwapSpec(StrictModel):
    enabled: bool = True
    weekends: bool = True
    horizon: int = Field(8, ge=1, le=52)


class RosterPhaseEntry(StrictModel):
    """From the first shift starting on or after ``from``, these members take turns."""

    from_: date = Field(alias="from")
    members: tuple[str, ...] = Field(min_length=1)

    _d = field_validator("from_", mode="before")(check_date)


class RotationEntry(StrictModel):
    members: tuple[str, ...] | None = Field(None, min_length=1)
    roster: tuple[RosterPhaseEntry, ...] | None = Field(None, min_length=1)
    start: date
    max_consecutive_days: int | None = Field(None, ge=1, le=3660)
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

    @model_validator(mode="after")
    def _members_or_roster(self) -> RotationEntry:
        if (self.members is None) == (self.roster is None):
            raise ValueError(
                "give either 'members' (one list) or 'roster' (phases with 'from' and "
                "'members'), not both or neither"
            )
        return self


def parse_datetime(v: Any) -> Any:
    """A date and time as written in a config file (before validation); a date is midnight."""
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


class OverrideEntry(StrictModel):
    rotation: str
    start: datetime
    end: datetime
    person: str
    reason: str = ""

    _dt = field_validator("start", "end", mode="before")(parse_datetime)


class RotationFile(StrictModel):
    rotations: dict[str, RotationEntry] = Field(min_length=1)
    overrides: tuple[OverrideEntry, ...] = ()
