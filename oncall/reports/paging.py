"""What the paging commands report: ``oncall page``, ``escalate``, ``page flush``, ``ack``,
``resolve``, ``page list``/``show`` and the runbooks' notify step. Never a secret."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from oncall.domain.paging.content import Severity
from oncall.domain.paging.urgency import Urgency
from oncall.reports.common import Report

__all__ = [
    "ActionResult",
    "DeliveryOut",
    "DeliveryStatus",
    "EscalationOut",
    "EscalationReport",
    "FlushItemOut",
    "FlushReport",
    "NotifyResult",
    "OutboxOut",
    "PageResult",
    "PageView",
]

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


class PageResult(Report):
    """What ``oncall page`` did."""

    page_id: str | None
    dedup_key: str
    pipeline: str | None
    target: str
    responder: str | None
    escalation: list[str]
    urgency: Urgency
    severity: Severity
    summary: str
    outcome: Literal["delivered", "queued", "suppressed", "undelivered", "dry-run"]
    hold_until: datetime | None = None
    deliveries: list[DeliveryOut]


class NotifyResult(PageResult):
    """What telling a pipeline's people about a runbook's checks did: the page, plus
    ``note``, one human line on what happened."""

    note: str


class EscalationOut(Report):
    page_id: str
    dedup_key: str
    outcome: Literal["escalated", "exhausted", "taken", "undelivered"]
    from_level: int
    from_round: int
    level: int | None
    round: int | None
    person: str | None
    skipped: list[str]
    next_escalation_at: datetime | None
    deliveries: list[DeliveryOut]


class EscalationReport(Report):
    at: datetime
    escalations: list[EscalationOut]


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


class ActionResult(Report):
    action: Literal["acknowledge", "resolve"]
    page_id: str
    dedup_key: str
    status: str
    changed: bool
    by: str | None
    deliveries: list[DeliveryOut]


class OutboxOut(Report):
    id: int
    level: int
    channels: list[str]
    not_before: datetime
    attempts: int
    last_error: str | None


class PageView(Report):
    page_id: str
    kind: Literal["page", "notice"]
    dedup_key: str
    pipeline: str | None
    target: str
    urgency: str
    severity: str
    summary: str
    details: dict[str, Any]
    responder: str
    escalation: list[str]
    level: int
    round: int
    status: str
    created: datetime
    updated: datetime | None
    acked_at: datetime | None
    acked_by: str | None
    resolved_at: datetime | None
    next_escalation_at: datetime | None
    deliveries: list[DeliveryOut]
    outbox: list[OutboxOut]
