"""What ``oncall calendar export`` reports: the files written and the stale ones found."""

from __future__ import annotations

from pydantic import Field

from oncall.reports.common import Instant, Report

__all__ = ["CalendarExportReport", "CalendarFileOut"]


class CalendarFileOut(Report):
    path: str
    kind: str
    id: str
    events: int


class CalendarExportReport(Report):
    directory: str
    start: Instant
    end: Instant
    generated: Instant
    files: list[CalendarFileOut] = Field(default_factory=list)
    stale: list[str] = Field(default_factory=list)
