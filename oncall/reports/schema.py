"""What ``oncall schema --output DIR`` reports: each schema file and whether it changed."""

from __future__ import annotations

from pydantic import Field

from oncall.reports.common import Report

__all__ = ["SchemaFileOut", "SchemaWriteReport"]


class SchemaFileOut(Report):
    name: str
    path: str
    describes: str
    changed: bool


class SchemaWriteReport(Report):
    directory: str
    files: list[SchemaFileOut] = Field(default_factory=list)
