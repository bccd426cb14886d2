"""What the paging commands report: ``oncall page``, ``escalate``, ``page flush``, ``ack``,
``resolve``, ``page list``/``show`` and the runbooks' notify step. Never a secret.

A delivery and what ``page flush`` reports are in :mod:`oncall.reports.outbox`: a flush
builds only those models."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from oncall.domain.paging.content import Severity
from oncall.domain.paging.urgency import Urgency
from oncall.reports.common import Report
from oncall.reports.outbox import DeliveryOut

__all__ = [
    "ActionResult",
    "EscalationOut",
    "EscalationReport",
    "NotifyResult",
    "OutboxOut",
    "PageResult",
    "PageView",
]


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
