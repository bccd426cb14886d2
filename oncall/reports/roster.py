"""What ``oncall who`` and ``oncall owners`` report."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from oncall.reports.common import DayOffOut, Instant, Report

__all__ = [
    "NotStartedOut",
    "OnCallOut",
    "OwnerRow",
    "OwnersReport",
    "PipelineWhoOut",
    "SkippedOut",
    "WhoReport",
]


class OnCallOut(Report):
    rotation: str
    person: str
    name: str
    reason: Literal["rotation", "swap", "override"]
    shift_start: Instant
    shift_end: Instant
    available: bool
    timezone: str
    person_timezone: str
    shift_start_local: Instant
    shift_end_local: Instant
    swapped_with: str | None = None
    swap_cause_person: str | None = None
    swap_cause: list[DayOffOut] = Field(default_factory=list)
    override_reason: str | None = None
    unavailable: list[DayOffOut] = Field(default_factory=list)
    backups: dict[str, str] = Field(default_factory=dict)
    next_person: str | None = None
    """Who holds the rotation from ``shift_end`` (when this shift ends)."""


class NotStartedOut(Report):
    rotation: str
    starts: Instant


class SkippedOut(Report):
    """Someone the escalation chain leaves out, and why."""

    person: str
    reason: str


class PipelineWhoOut(Report):
    id: str
    name: str
    primary: str
    secondary: str
    rotation: str
    oncall: str | None
    responder: str | None
    responder_reason: Literal["oncall", "holiday-backup", "nobody-available"] | None
    escalation: list[str]
    responder_unavailable: list[DayOffOut] = Field(default_factory=list)
    skipped: list[SkippedOut] = Field(default_factory=list)


class WhoReport(Report):
    at: Instant
    timezone: str
    oncall: list[OnCallOut]
    not_started: list[NotStartedOut] = Field(default_factory=list)
    pipeline: PipelineWhoOut | None = None


class OwnerRow(Report):
    id: str
    name: str
    family: str | None
    purpose: str
    primary: str
    secondary: str
    rotation: str
    runbook: str | None


class OwnersReport(Report):
    pipelines: list[OwnerRow]
