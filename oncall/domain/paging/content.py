"""What a page says, independent of the channel that carries it, and how it is capped."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from oncall.domain.paging.quiet import require_aware

__all__ = [
    "ACTIONS",
    "DEDUP_KEY_MAX",
    "DETAILS_MAX",
    "DETAIL_VALUE_MAX",
    "SEVERITIES",
    "DetailValue",
    "PageAction",
    "PageContent",
    "Severity",
    "cap_details",
    "cap_text",
    "default_dedup_key",
    "one_line",
    "utc_iso",
]

Severity = Literal["critical", "error", "warning", "info"]
PageAction = Literal["trigger", "acknowledge", "resolve"]
DetailValue = str | int | float | bool
"""A page detail: text, or a JSON number or boolean that providers receive as such."""
SEVERITIES: tuple[Severity, ...] = ("critical", "error", "warning", "info")
ACTIONS: tuple[PageAction, ...] = ("trigger", "acknowledge", "resolve")

DEDUP_KEY_MAX = 255
"""The longest dedup key (PagerDuty's documented limit, which every channel shares)."""
# Our own caps so a page stays far below any provider's size limit (PagerDuty: 512 KB).
DETAIL_VALUE_MAX = 2000
DETAILS_MAX = 50


@dataclass(frozen=True, slots=True)
class PageContent:
    """Everything a page says, independent of the channel that carries it."""

    page_id: str
    dedup_key: str
    pipeline: str | None
    family: str | None
    severity: Severity
    summary: str
    created: datetime
    details: Mapping[str, DetailValue] = field(default_factory=dict)
    responder: str | None = None
    escalation: tuple[str, ...] = ()
    owners: tuple[str | None, str | None] = (None, None)
    runbook: str | None = None  # a command, e.g. "oncall runbook profit"

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"severity must be one of {', '.join(SEVERITIES)}")
        if not 0 < len(self.dedup_key) <= DEDUP_KEY_MAX:
            raise ValueError(f"dedup_key must be 1-{DEDUP_KEY_MAX} characters")
        if not self.summary.strip():
            raise ValueError("summary must not be empty")
        require_aware(self.created)

    @property
    def subject_label(self) -> str:
        return self.pipeline or (f"page for {self.responder}" if self.responder else "page")


def default_dedup_key(pipeline: str, summary: str) -> str:
    """``oncall/<pipeline>/<sha256[:16]>``: stable across runs and hosts, <= 255 chars.

    The hash covers the pipeline and the summary with whitespace collapsed.
    """
    norm = " ".join(summary.split())
    digest = hashlib.sha256(f"{pipeline}\n{norm}".encode()).hexdigest()[:16]
    room = DEDUP_KEY_MAX - len("oncall/") - 1 - len(digest)
    return f"oncall/{pipeline[:room]}/{digest}"


def cap_text(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, an ellipsis marking the cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def cap_details(details: Mapping[str, DetailValue]) -> dict[str, DetailValue]:
    """At most :data:`DETAILS_MAX` details, keys and text values capped; numbers and
    booleans stay as they are."""
    items = list(details.items())[:DETAILS_MAX]
    return {
        cap_text(str(k), 200): v
        if isinstance(v, int | float | bool)
        else cap_text(str(v), DETAIL_VALUE_MAX)
        for k, v in items
    }


def one_line(text: str) -> str:
    """``text`` with every run of whitespace (newlines included) made one space."""
    return " ".join(text.split())


def utc_iso(dt: datetime) -> str:
    """``dt`` in UTC, ISO 8601 to the second."""
    return dt.astimezone(UTC).isoformat(timespec="seconds")
