"""What ``oncall doctor`` reports: one verdict per probe, each problem with its fix."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

__all__ = ["DoctorCheck", "DoctorReport", "ProbeStatus"]

ProbeStatus = Literal["ok", "warn", "fail", "skip"]


class DoctorCheck(BaseModel):
    """One probe's verdict: what was checked, how it went and what to do about it."""

    name: str
    status: ProbeStatus
    detail: str
    fix: str | None = None


class DoctorReport(BaseModel):
    """Everything ``oncall doctor`` found; ``ok`` is False when any check failed."""

    ok: bool
    checks: list[DoctorCheck]
