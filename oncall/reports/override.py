"""What ``oncall override``, ``oncall swap`` and ``oncall cover`` report."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from oncall.reports.common import Instant, Report
from oncall.reports.diff import ScheduleDiff

__all__ = ["OverrideChangeReport", "OverrideListReport", "OverrideOut"]


class OverrideOut(Report):
    """One entry of ``overrides:``; ``id`` is a stable short hash (see docs/config.md)."""

    id: str
    rotation: str
    person: str
    start: Instant
    end: Instant
    reason: str


class OverrideListReport(Report):
    overrides: list[OverrideOut]


class OverrideChangeReport(Report):
    """An edit of ``rotation.yaml``: the overrides added or removed and what they change."""

    action: Literal["add", "remove", "swap", "cover"]
    path: str
    written: bool
    dry_run: bool
    added: list[OverrideOut] = Field(default_factory=list)
    removed: list[OverrideOut] = Field(default_factory=list)
    diff: ScheduleDiff
