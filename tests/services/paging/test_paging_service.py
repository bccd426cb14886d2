"""The paging services called directly: fake pagers (the Pager Protocol), a real SQLite store."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from oncall.adapters.store import Store, open_store
from oncall.config import load_config
from oncall.config.paging import load_paging_config
from oncall.domain.paging.content import PageAction, PageContent
from oncall.domain.paging.routing import DeliveryResult, Target
from oncall.services.paging.actions import acknowledge_page
from oncall.services.paging.common import Paging
from oncall.services.paging.escalate import run_escalations
from oncall.services.paging.notify import notify_pipeline
from oncall.services.paging.outbox import flush_outbox
from oncall.services.paging.send import send_page
from tests.support.store import open_cli_store

KOLKATA = ZoneInfo("Asia/Kolkata")
NOW = datetime(2026, 11, 18, 11, 0, tzinfo=KOLKATA)  # a Wednesday morning, no quiet hours


@dataclass
class FakePager:
    channel: str
    ok: bool = True
    sent: list[tuple[str, str, PageAction]] = field(default_factory=list)

    def send(
        self, content: PageContent, target: Target, action: PageAction = "trigger"
    ) -> DeliveryResult:
        self.sent.append((content.page_id, target.label, action))
        status = "sent" if self.ok else "failed"
        return DeliveryResult(self.channel, target.label, status, 1, f"fake {status}")


@pytest.fixture
def paging(config_dir: Path) -> Paging:
    cfg = load_config(config_dir)
    config, marks = load_paging_config(cfg)
    pagers = {name: FakePager(name) for name in config.channels}
    return Paging(cfg, config, marks, dict(pagers))


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with open_store(tmp_path / "paging.db") as db:
        yield db


def fake(paging: Paging, name: str) -> FakePager:
    pager = paging.pagers[name]
    assert isinstance(pager, FakePager)
    return pager


def test_a_page_goes_to_the_urgency_channels_once_per_dedup_key(
    paging: Paging, store: Store
) -> None:
    first = send_page(paging, target="aggregate-profit", summary="stale", now=NOW, store=store)
    assert first.outcome == "delivered" and first.urgency == "high"
    assert sorted(d.channel for d in first.deliveries) == ["pagerduty", "slack"]
    again = send_page(paging, target="aggregate-profit", summary="stale", now=NOW, store=store)
    assert again.outcome == "suppressed" and again.page_id == first.page_id
    assert len(fake(paging, "slack").sent) == 1
    assert store.outbox_items() == []


def test_nothing_delivered_falls_through_in_config_order_then_waits_in_the_outbox(
    paging: Paging, store: Store
) -> None:
    for pager in paging.pagers.values():
        assert isinstance(pager, FakePager)
        pager.ok = False
    result = send_page(paging, target="aggregate-profit", summary="down", now=NOW, store=store)
    assert result.outcome == "undelivered"
    tried = [d.channel for d in result.deliveries]
    assert sorted(tried[:2]) == ["pagerduty", "slack"] and tried[2:] == ["email", "hook"]
    (item,) = store.outbox_items()
    assert item.page_id == result.page_id
    fake(paging, "hook").ok = True
    report = flush_outbox(paging, store, lambda: NOW + timedelta(minutes=1))
    assert [i.outcome for i in report.items] == ["sent"] and report.remaining == 0


def test_escalation_pages_the_next_person_after_the_ack_timeout_and_ack_stops_it(
    paging: Paging, store: Store
) -> None:
    page = send_page(paging, target="aggregate-profit", summary="stale", now=NOW, store=store)
    assert page.page_id is not None
    early = run_escalations(paging, store, lambda: NOW + timedelta(minutes=14))
    assert early.escalations == []
    (step,) = run_escalations(paging, store, lambda: NOW + timedelta(minutes=16)).escalations
    assert step.outcome == "escalated" and step.person == page.escalation[1]
    assert step.level == 1 and step.round == 0
    acked = acknowledge_page(paging, store, page.page_id, by="de2", now=NOW + timedelta(minutes=17))
    assert acked.changed and acked.status == "acknowledged"
    later = run_escalations(paging, store, lambda: NOW + timedelta(hours=2))
    assert later.escalations == []


def test_a_passed_runbook_is_a_notice_with_its_runbook_as_a_field(
    paging: Paging, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    import oncall.services.paging.notify as notify

    monkeypatch.setattr(notify, "load_paging", lambda cfg: paging)
    result = notify_pipeline(
        paging.cfg,
        pipeline="aggregate-profit",
        runbook="profit",
        status="passed",
        failing=[],
        now=NOW,
    )
    assert result.outcome == "delivered" and result.urgency == "low"
    assert "owners" in result.note and result.page_id in result.note
    assert result.model_dump(mode="json")["note"] == result.note
    with open_cli_store() as db:
        stored = db.get_page(result.page_id or "")
    assert stored is not None
    assert (stored.kind, stored.runbook, stored.status) == ("notice", "profit", "resolved")
    assert stored.details == {"runbook": "profit", "status": "passed"}
