"""Result objects of the commands: one model feeds both the table and ``--json``."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel


class DayOffOut(BaseModel):
    date: date
    name: str
    kind: Literal["holiday", "company", "leave"] = "holiday"
    estimated: bool = False


class OnCallOut(BaseModel):
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
    swap_cause: list[DayOffOut] = []
    override_reason: str | None = None
    unavailable: list[DayOffOut] = []
    backups: dict[str, str] = {}


class NotStartedOut(BaseModel):
    rotation: str
    starts: datetime


class PipelineWhoOut(BaseModel):
    id: str
    name: str
    primary: str
    secondary: str
    rotation: str
    oncall: str | None
    responder: str | None
    responder_reason: Literal["oncall", "holiday-backup", "nobody-available"] | None
    responder_unavailable: list[DayOffOut] = []
    escalation: list[str]


class WhoReport(BaseModel):
    at: datetime
    timezone: str
    oncall: list[OnCallOut]
    not_started: list[NotStartedOut] = []
    pipeline: PipelineWhoOut | None = None


class ShiftOut(BaseModel):
    start: datetime
    end: datetime
    person: str
    reason: Literal["rotation", "swap", "override"]
    conflicts: list[DayOffOut]
    index: int
    name: str
    swapped_with: str | None = None
    swap_cause_person: str | None = None
    swap_cause: list[DayOffOut] = []
    override_reason: str | None = None
    overridden: str | None = None
    unresolved: bool = False
    notes: list[str] = []


class RotationScheduleOut(BaseModel):
    rotation: str
    timezone: str
    shifts: list[ShiftOut]


class PersonStatsOut(BaseModel):
    person: str
    shifts: int
    oncall_days: int
    weekend_days: int
    holidays_worked: int
    swaps_given: int
    swaps_taken: int


class StatsOut(BaseModel):
    rotation: str
    people: list[PersonStatsOut]
    spread_days: int


class ScheduleReport(BaseModel):
    start: datetime
    end: datetime
    rotations: list[RotationScheduleOut]
    stats: list[StatsOut] | None = None
    warnings: list[str] = []
