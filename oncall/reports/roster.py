"""Result objects of the commands: one object feeds both the table and ``--json``.

Plain dataclasses (not pydantic) so that the hot commands start fast; ``oncall.cli.output``
turns them into JSON (datetimes and dates as ISO 8601).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal


@dataclass
class DayOffOut:
    date: date
    name: str
    kind: Literal["holiday", "company", "leave"] = "holiday"
    estimated: bool = False


@dataclass
class OnCallOut:
    rotation: str
    person: str
    name: str
    reason: Literal["rotation", "swap", "override"]
    shift_start: datetime
    shift_end: datetime
    available: bool
    timezone: str
    person_timezone: str
    shift_start_local: datetime
    shift_end_local: datetime
    swapped_with: str | None = None
    swap_cause_person: str | None = None
    swap_cause: list[DayOffOut] = field(default_factory=list)
    override_reason: str | None = None
    unavailable: list[DayOffOut] = field(default_factory=list)
    backups: dict[str, str] = field(default_factory=dict)


@dataclass
class NotStartedOut:
    rotation: str
    starts: datetime


@dataclass
class PipelineWhoOut:
    id: str
    name: str
    primary: str
    secondary: str
    rotation: str
    oncall: str | None
    responder: str | None
    responder_reason: Literal["oncall", "holiday-backup", "nobody-available"] | None
    escalation: list[str]
    responder_unavailable: list[DayOffOut] = field(default_factory=list)


@dataclass
class WhoReport:
    at: datetime
    timezone: str
    oncall: list[OnCallOut]
    not_started: list[NotStartedOut] = field(default_factory=list)
    pipeline: PipelineWhoOut | None = None


@dataclass
class ShiftOut:
    start: datetime
    end: datetime
    person: str
    reason: Literal["rotation", "swap", "override"]
    conflicts: list[DayOffOut]
    index: int
    name: str
    swapped_with: str | None = None
    swap_cause_person: str | None = None
    swap_cause: list[DayOffOut] = field(default_factory=list)
    override_reason: str | None = None
    overridden: str | None = None
    unresolved: bool = False
    notes: list[str] = field(default_factory=list)


@dataclass
class RotationScheduleOut:
    rotation: str
    timezone: str
    shifts: list[ShiftOut]


@dataclass
class PersonStatsOut:
    person: str
    shifts: int
    oncall_days: int
    weekend_days: int
    holidays_worked: int
    swaps_given: int
    swaps_taken: int


@dataclass
class StatsOut:
    rotation: str
    people: list[PersonStatsOut]
    spread_days: int


@dataclass
class ScheduleReport:
    start: datetime
    end: datetime
    rotations: list[RotationScheduleOut]
    stats: list[StatsOut] | None = None
    warnings: list[str] = field(default_factory=list)


@dataclass
@dataclass
class OwnerRow:
    id: str
    name: str
    family: str | None
    purpose: str
    primary: str
    secondary: str
    rotation: str
    runbook: str | None


@dataclass
@dataclass
class OwnersReport:
    pipelines: list[OwnerRow]


@dataclass
@dataclass
class Finding:
    file: str
    line: int
    col: int
    severity: Literal["error", "warning"]
    message: str


@dataclass
@dataclass
class ValidateReport:
    ok: bool
    errors: int
    warnings: int
    findings: list[Finding]
