"""Sample records shared by the store tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from oncall.adapters.store import PageRecord, new_page_id

NOW = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")


def make_page(dedup_key: str = "orders:freshness", **overrides: Any) -> PageRecord:
    fields: dict[str, Any] = {
        "page_id": new_page_id(),
        "dedup_key": dedup_key,
        "pipeline": "orders",
        "target": "orders",
        "urgency": "high",
        "severity": "critical",
        "summary": "orders is 3h stale",
        "details": {"lag_minutes": 180, "checks": ["freshness"]},
        "responder": "de1",
        "escalation": ("de1", "de2", "lead1"),
        "created": NOW,
        "next_escalation_at": NOW + timedelta(minutes=15),
    }
    fields.update(overrides)
    return PageRecord(**fields)
