"""``page flush`` sends concurrently (issue 14): at most ``FLUSH_CONCURRENCY`` sends in flight
per channel, each item claimed on its own and completed only after its send, items of one
page never in flight together, the report in claim order. Pagers behind the Pager Protocol,
a real SQLite store (read from the sending threads through a second connection)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from oncall.adapters.store import Store, open_store
from oncall.config import load_config
from oncall.config.paging import load_paging_config
from oncall.domain.paging.content import PageAction, PageContent
from oncall.domain.paging.routing import DeliveryResult, Target
from oncall.services.paging.common import Paging
from oncall.services.paging.outbox import FLUSH_CONCURRENCY, flush_outbox
from oncall.services.paging.send import send_page

NOW = datetime(2026, 11, 18, 11, 0, tzinfo=ZoneInfo("Asia/Kolkata"))
PAGES = 3 * FLUSH_CONCURRENCY


class GatedPager:
    """Fails while ``ok`` is False; then holds each send at a barrier of ``FLUSH_CONCURRENCY``
    (so the flush must have that many in flight at once, or the send fails after 10 s) and
    checks in the store that the item it sends is claimed and not yet completed."""

    def __init__(self, channel: str, db: Path) -> None:
        self.channel = channel
        self.ok = False
        self.db = db
        self.lock = threading.Lock()
        self.in_flight = 0
        self.most = 0
        self.sent: list[str] = []
        self.pending_while_sending: list[bool] = []
        self.barrier = threading.Barrier(FLUSH_CONCURRENCY, timeout=10)

    def send(
        self, content: PageContent, target: Target, action: PageAction = "trigger"
    ) -> DeliveryResult:
        if not self.ok:
            return DeliveryResult(self.channel, target.label, "failed", 1, "down")
        with self.lock:
            self.in_flight += 1
            self.most = max(self.most, self.in_flight)
        try:
            with open_store(self.db) as other:
                waiting = [i for i in other.outbox_items() if i.page_id == content.page_id]
            claimed = bool(waiting) and all(i.claimed_by is not None for i in waiting)
            self.barrier.wait()
        finally:
            with self.lock:
                self.in_flight -= 1
                self.sent.append(content.page_id)
                self.pending_while_sending.append(claimed)
        return DeliveryResult(self.channel, target.label, "sent", 1, "ok")


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "paging.db"


@pytest.fixture
def store(db: Path) -> Iterator[Store]:
    with open_store(db) as opened:
        yield opened


@pytest.fixture
def paging(config_dir: Path, db: Path) -> Paging:
    cfg = load_config(config_dir)
    config, marks = load_paging_config(cfg)
    return Paging(cfg, config, marks, {name: GatedPager(name, db) for name in config.channels})


def _undelivered(paging: Paging, store: Store, count: int) -> list[str]:
    ids = []
    for i in range(count):
        result = send_page(
            paging, target="aggregate-profit", summary=f"down {i}", now=NOW, store=store
        )
        assert result.outcome == "undelivered"
        ids.append(result.page_id)
    for pager in paging.pagers.values():
        assert isinstance(pager, GatedPager)
        pager.ok = True
    return ids


def test_flush_sends_up_to_the_limit_at_once_and_completes_each_item_after_its_send(
    paging: Paging, store: Store
) -> None:
    ids = _undelivered(paging, store, PAGES)
    queued = [item.id for item in store.outbox_items()]
    assert len(queued) == PAGES
    report = flush_outbox(paging, store, lambda: NOW + timedelta(minutes=5))
    assert [i.item_id for i in report.items] == queued  # claim order
    assert [i.page_id for i in report.items] == ids
    assert [i.outcome for i in report.items] == ["sent"] * PAGES
    assert report.remaining == 0 and store.outbox_items() == []
    for item in report.items:
        assert {d.status for d in item.deliveries} == {"sent"}
    used = [p for p in paging.pagers.values() if isinstance(p, GatedPager) and p.sent]
    assert used
    for pager in used:
        assert sorted(pager.sent) == sorted(ids)
        assert pager.most == FLUSH_CONCURRENCY  # concurrent, never past the channel's limit
        assert all(pager.pending_while_sending)  # still claimed in the outbox while sending


def test_a_failed_concurrent_send_releases_its_item_for_later(paging: Paging, store: Store) -> None:
    ids = _undelivered(paging, store, FLUSH_CONCURRENCY)
    for pager in paging.pagers.values():
        assert isinstance(pager, GatedPager)
        pager.ok = False
    report = flush_outbox(paging, store, lambda: NOW + timedelta(minutes=5))
    assert [i.outcome for i in report.items] == ["failed"] * FLUSH_CONCURRENCY
    left = store.outbox_items()
    assert sorted(i.page_id for i in left) == sorted(ids)
    assert all(i.claimed_by is None and i.not_before > NOW + timedelta(minutes=5) for i in left)


def test_items_of_one_page_are_never_in_flight_together(paging: Paging, store: Store) -> None:
    (page_id,) = _undelivered(paging, store, 1)
    (first,) = store.outbox_items()
    store.enqueue(page_id, 1, first.channels, NOW, NOW)  # a second item, same page
    for pager in paging.pagers.values():
        assert isinstance(pager, GatedPager)
        pager.barrier = threading.Barrier(1)
    report = flush_outbox(paging, store, lambda: NOW + timedelta(minutes=5))
    assert [i.outcome for i in report.items] == ["sent", "sent"]
    for pager in paging.pagers.values():
        assert isinstance(pager, GatedPager)
        assert pager.most <= 1
