"""What the store keeps: runbook runs, steps, notes and events; pages, deliveries and queued items.

Plain frozen dataclasses, the same for every backend. Times are timezone-aware; ``to_dict``
gives the JSON shape the CLI prints.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, get_args

__all__ = [
    "DELIVERY_STATUSES",
    "FINAL_RUN_STATUSES",
    "PAGE_STATUSES",
    "STEP_STATUSES",
    "DeliveryRecord",
    "DeliveryStatus",
    "Event",
    "EventKind",
    "FinalRunStatus",
    "Note",
    "OutboxItem",
    "PageKind",
    "PageRecord",
    "PageStatus",
    "PublishedRecord",
    "Run",
    "RunStatus",
    "StepRecord",
    "StepStatus",
    "StoreCounts",
    "new_page_id",
    "new_run_id",
]

StepStatus = Literal["passed", "failed", "warned", "skipped", "error"]
RunStatus = Literal["running", "passed", "failed", "error", "aborted"]
FinalRunStatus = Literal["passed", "failed", "error", "aborted"]
EventKind = Literal["start", "step", "note", "skip", "rerun", "abort", "reopen", "finish"]
PageStatus = Literal["open", "acknowledged", "resolved"]
PageKind = Literal["page", "notice"]
DeliveryStatus = Literal["sent", "failed", "queued", "suppressed"]

STEP_STATUSES = frozenset(get_args(StepStatus))
FINAL_RUN_STATUSES = frozenset(get_args(FinalRunStatus))
PAGE_STATUSES = frozenset(get_args(PageStatus))
DELIVERY_STATUSES = frozenset(get_args(DeliveryStatus))


def new_run_id() -> str:
    """A short random run id such as ``r-1f2e3d4c``."""
    return "r-" + secrets.token_hex(4)


def new_page_id() -> str:
    """A short random page id such as ``p-9a8b7c6d5e4f``."""
    return "p-" + secrets.token_hex(6)


def _iso(value: datetime) -> str:
    return value.isoformat()


def _iso_or_none(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


# --------------------------------------------------------------------------- runbook runs


@dataclass(frozen=True, slots=True)
class StepRecord:
    """The latest outcome of one runbook step within a run."""

    step_id: str
    status: StepStatus
    title: str
    checks: tuple[dict[str, Any], ...]
    note: str | None
    finished: datetime
    attempts: int = 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "step_id": self.step_id,
            "status": self.status,
            "title": self.title,
            "checks": [dict(c) for c in self.checks],
            "note": self.note,
            "finished": _iso(self.finished),
            "attempts": self.attempts,
        }


@dataclass(frozen=True, slots=True)
class Note:
    """A free-text note an operator added during a run (``step_id`` None: about the run)."""

    step_id: str | None
    text: str
    at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {"step_id": self.step_id, "text": self.text, "at": _iso(self.at)}


@dataclass(frozen=True, slots=True)
class Run:
    """One execution of a runbook against a pipeline; ``status`` is ``running`` until finished."""

    run_id: str
    runbook: str
    pipeline: str
    operator: str
    status: RunStatus
    started: datetime
    finished: datetime | None = None
    steps: tuple[StepRecord, ...] = ()
    notes: tuple[Note, ...] = ()

    def step(self, step_id: str) -> StepRecord | None:
        return next((s for s in self.steps if s.step_id == step_id), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "runbook": self.runbook,
            "pipeline": self.pipeline,
            "operator": self.operator,
            "status": self.status,
            "started": _iso(self.started),
            "finished": _iso_or_none(self.finished),
            "steps": [s.to_dict() for s in self.steps],
            "notes": [n.to_dict() for n in self.notes],
        }


@dataclass(frozen=True, slots=True)
class Event:
    """One entry of a run's append-only event log."""

    seq: int
    run_id: str
    at: datetime
    kind: EventKind
    payload: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "run_id": self.run_id,
            "at": _iso(self.at),
            "kind": self.kind,
            "payload": self.payload,
        }


# --------------------------------------------------------------------------- pages


@dataclass(frozen=True, slots=True)
class PageRecord:
    """A page: who was paged for what, and how far its escalation has gone.

    ``escalation`` holds person ids; ``level`` is the index reached in it (0 = responder)
    and ``round`` counts passes through the whole chain. ``updated`` defaults to ``created``.
    """

    page_id: str
    dedup_key: str
    target: str
    urgency: str
    severity: str
    summary: str
    responder: str
    created: datetime
    pipeline: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    escalation: tuple[str, ...] = ()
    level: int = 0
    round: int = 0
    status: PageStatus = "open"
    updated: datetime | None = None
    acked_at: datetime | None = None
    acked_by: str | None = None
    resolved_at: datetime | None = None
    next_escalation_at: datetime | None = None
    kind: PageKind = "page"
    """``notice``: an all-clear to the owners (never escalated, acknowledged or resolved)."""
    runbook: str | None = None
    """The runbook whose checks raised the page, if one did (overrides the pipeline's)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "page_id": self.page_id,
            "dedup_key": self.dedup_key,
            "pipeline": self.pipeline,
            "target": self.target,
            "urgency": self.urgency,
            "severity": self.severity,
            "summary": self.summary,
            "details": self.details,
            "responder": self.responder,
            "escalation": list(self.escalation),
            "level": self.level,
            "round": self.round,
            "status": self.status,
            "created": _iso(self.created),
            "updated": _iso_or_none(self.updated),
            "acked_at": _iso_or_none(self.acked_at),
            "acked_by": self.acked_by,
            "resolved_at": _iso_or_none(self.resolved_at),
            "next_escalation_at": _iso_or_none(self.next_escalation_at),
            "kind": self.kind,
            "runbook": self.runbook,
        }


@dataclass(frozen=True, slots=True)
class DeliveryRecord:
    """One attempt (or decision not) to notify someone of a page on one channel."""

    id: int
    page_id: str
    level: int
    channel: str
    to: str
    status: DeliveryStatus
    attempts: int
    detail: str | None
    at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "page_id": self.page_id,
            "level": self.level,
            "channel": self.channel,
            "to": self.to,
            "status": self.status,
            "attempts": self.attempts,
            "detail": self.detail,
            "at": _iso(self.at),
        }


# --------------------------------------------------------------------------- outbox


@dataclass(frozen=True, slots=True)
class OutboxItem:
    """A notification waiting to be sent, not before ``not_before`` (quiet hours)."""

    id: int
    page_id: str
    level: int
    channels: tuple[str, ...]
    not_before: datetime
    attempts: int
    last_error: str | None
    created: datetime
    claimed_by: str | None
    claimed_until: datetime | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "page_id": self.page_id,
            "level": self.level,
            "channels": list(self.channels),
            "not_before": _iso(self.not_before),
            "attempts": self.attempts,
            "last_error": self.last_error,
            "created": _iso(self.created),
            "claimed_by": self.claimed_by,
            "claimed_until": _iso_or_none(self.claimed_until),
        }


# --------------------------------------------------------------------------- published


@dataclass(frozen=True, slots=True)
class PublishedRecord:
    """What was last published of one rotation to one target (a calendar, a channel...).

    ``fingerprint`` is the publisher's digest of what it sent (so an unchanged rotation is not
    sent again); ``payload`` is whatever JSON the publisher needs next time (e.g. remote ids).
    """

    target: str
    rotation: str
    fingerprint: str
    payload: dict[str, Any]
    at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "rotation": self.rotation,
            "fingerprint": self.fingerprint,
            "payload": self.payload,
            "at": _iso(self.at),
        }


@dataclass(frozen=True, slots=True)
class StoreCounts:
    """How many records one team has in a store."""

    runs: int
    pages: int
    queued: int

    def to_dict(self) -> dict[str, int]:
        return {"runs": self.runs, "pages": self.pages, "queued": self.queued}
