"""What ``oncall doctor`` reports: one verdict per probe, each problem with its fix."""

from __future__ import annotations

from typing import Literal

from oncall.reports.common import Report

__all__ = ["DoctorCheck", "DoctorReport", "ProbeStatus"]

ProbeStatus = Literal["ok", "warn", "fail", "skip"]


class DoctorCheck(Report):
    """One probe's verdict: what was checked, how it went and what to do about it."""

    name: str
    status: ProbeStatus
    detail: str
    fix: str | None = None


class DoctorReport(Report):
    """Everything ``oncall doctor`` found; ``ok`` is False when any check failed."""

    ok: bool
    checks: list[DoctorCheck]
