"""What ``oncall validate`` reports: every finding, located, and the totals."""

from __future__ import annotations

from oncall.errors import Severity
from oncall.reports.common import Report

__all__ = ["Finding", "ValidateReport"]


class Finding(Report):
    file: str
    line: int
    col: int
    severity: Severity
    message: str


class ValidateReport(Report):
    ok: bool
    errors: int
    warnings: int
    findings: list[Finding]
