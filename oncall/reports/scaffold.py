"""What ``oncall init`` reports: the project it wrote and what to run next."""

from __future__ import annotations

from pydantic import Field

from oncall.reports.common import Report

__all__ = ["InitReport"]


class InitReport(Report):
    directory: str
    team: str
    timezone: str
    country: str | None
    subdiv: str | None
    members: list[str]
    files: list[str] = Field(default_factory=list)
    next_steps: list[str] = Field(default_factory=list)
