"""What ``oncall schedule`` reports: shifts per rotation, notes and fairness stats."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field, with_config
from typing_extensions import TypedDict

from oncall.reports.common import DayOffOut, Instant, Report

__all__ = ["PersonStatsOut", "RotationScheduleOut", "ScheduleReport", "ShiftOut", "StatsOut"]


@with_config(ConfigDict(extra="forbid"))
class ShiftOut(TypedDict):
    """One shift or override piece: a typed dict, not a model, because a long window holds
    tens of thousands (pydantic validates a dict row in half the time of a model, and
    writes the same JSON). Every key is always present."""

    start: Instant
    end: Instant
    person: str
    reason: Literal["rotation", "swap", "override"]
    conflicts: list[DayOffOut]
    index: int
    name: str
    swapped_with: str | None
    swap_cause_person: str | None
    swap_cause: list[DayOffOut]
    override_reason: str | None
    overridden: str | None
    unresolved: bool
    notes: list[str]


class RotationScheduleOut(Report):
    rotation: str
    timezone: str
    shifts: list[ShiftOut]


class PersonStatsOut(Report):
    person: str
    shifts: int
    oncall_days: int
    weekend_days: int
    holidays_worked: int
    swaps_given: int
    swaps_taken: int
    longest_run_days: int = 0
    back_to_back: int = 0


class StatsOut(Report):
    rotation: str
    people: list[PersonStatsOut]
    spread_days: int


class ScheduleReport(Report):
    start: Instant
    end: Instant
    rotations: list[RotationScheduleOut]
    stats: list[StatsOut] | None = None
    warnings: list[str] = Field(default_factory=list)
