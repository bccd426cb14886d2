"""What ``oncall store info`` and ``oncall store copy`` report."""

from __future__ import annotations

from oncall.reports.common import Report

__all__ = ["StoreCopyReport", "StoreCountsOut", "StoreInfo"]


class StoreCountsOut(Report):
    runs: int
    pages: int
    queued: int


class StoreInfo(Report):
    backend: str
    """``sqlite`` or ``postgresql``."""
    where: str
    """The file, or the URL with any password masked."""
    named_by: str
    """``ONCALL_STATE_URL``, ``ONCALL_STATE_DB``, ``state.yaml`` or ``default``."""
    team: str
    schema_version: int
    counts: StoreCountsOut


class StoreCopyReport(Report):
    team: str
    source: str
    destination: str
    copied_runs: int
    copied_pages: int
    source_counts: StoreCountsOut
    destination_counts: StoreCountsOut
