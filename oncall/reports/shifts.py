"""What ``oncall shifts`` and ``oncall who PERSON`` report."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from oncall.reports.common import Instant, Report

__all__ = [
    "CoveredOut",
    "NextShiftOut",
    "PersonDayOff",
    "PersonShift",
    "PersonWhoReport",
    "ShiftsReport",
]


class PersonDayOff(Report):
    date: date
    name: str


class PersonShift(Report):
    """One stretch the person holds: a whole shift, or a piece of one (override, swap)."""

    rotation: str
    start: Instant
    end: Instant
    reason: Literal["rotation", "swap", "override"]
    detail: str
    days_off: list[PersonDayOff] = Field(default_factory=list)


class CoveredOut(Report):
    """A stretch that was the person's turn but someone else holds (a swap or override)."""

    rotation: str
    start: Instant
    end: Instant
    by: str
    detail: str


class NextShiftOut(Report):
    start: Instant
    rotation: str


class ShiftsReport(Report):
    person: str
    name: str
    start: Instant
    end: Instant
    rotations: list[str]
    shifts: list[PersonShift]
    covered: list[CoveredOut] = Field(default_factory=list)
    next: NextShiftOut | None = None


class PersonWhoReport(Report):
    """``oncall who PERSON``: on call now?, the next shift, days off this week."""

    at: Instant
    timezone: str
    person: str
    name: str
    oncall_now: list[PersonShift]
    next: PersonShift | None
    week_start: date
    days_off_this_week: list[PersonDayOff]
