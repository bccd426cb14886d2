"""What ``oncall page flush`` reports, and one delivery as every paging report shows it.

Apart from :mod:`oncall.reports.paging` (which imports them too), so that a flush builds
these three models only. Never a secret."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from oncall.reports.common import Report

__all__ = ["DeliveryOut", "DeliveryStatus", "FlushItemOut", "FlushReport"]

DeliveryStatus = Literal["sent", "failed", "queued", "suppressed", "dry-run"]


class DeliveryOut(Report):
    """One delivery as reported: never a secret."""

    channel: str
    to: str
    status: DeliveryStatus
    attempts: int
    detail: str
    level: int = 0
    # Dry runs only, and not part of the JSON (the detail says the same in words): why
    # this delivery would fail, and which secret environment variables it lacks.
    would_fail: list[str] = Field(default_factory=list, exclude=True)
    missing_env: list[str] = Field(default_factory=list, exclude=True)


class FlushItemOut(Report):
    item_id: int
    page_id: str
    dedup_key: str | None
    level: int
    outcome: Literal["sent", "failed", "dropped"]
    next_attempt: datetime | None
    deliveries: list[DeliveryOut]


class FlushReport(Report):
    at: datetime
    items: list[FlushItemOut]
    remaining: int
