"""``page flush`` does a round of store work (record what finished, claim the next items and
read their pages) in one transaction (``store.batch()``), once a send has finished and the
others in flight had ``GATHER`` to finish too. The same outbox flushed with batches, with
every write committed on its own (a store whose ``batch`` does nothing), with every page
read just before its item is prepared (none read with the claim), with no time or a long
time to gather finished sends, and with the cycle collector left on, ends the same: the
same report, the same items left, the same deliveries and pages. A table of outboxes: one
item, fewer and more items than the send slots, items that fail, two items of one page."""

from __future__ import annotations

import gc
import shutil
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, cast
from unittest.mock import Mock
from zoneinfo import ZoneInfo

import pytest

from oncall.adapters.store import Store, open_store
from oncall.config import load_config
from oncall.config.paging import load_paging_config
from oncall.domain.paging.content import PageAction, PageContent
from oncall.domain.paging.routing import DeliveryResult, Target
from oncall.services.paging import outbox
from oncall.services.paging.common import Paging
from oncall.services.paging.outbox import FLUSH_CONCURRENCY, flush_outbox
from oncall.services.paging.send import send_page

NOW = datetime(2026, 11, 18, 11, 0, tzinfo=ZoneInfo("Asia/Kolkata"))
LATER = NOW + timedelta(minutes=5)


class ScriptedPager:
    """Down while queueing; then fails the pages whose summary says so, sends the rest."""

    def __init__(self, channel: str) -> None:
        self.channel = channel
        self.up = False

    def send(
        self, content: PageContent, target: Target, action: PageAction = "trigger"
    ) -> DeliveryResult:
        if not self.up or "fails" in content.summary:
            return DeliveryResult(self.channel, target.label, "failed", 1, "HTTP 503")
        return DeliveryResult(self.channel, target.label, "sent", 1, "HTTP 202")


class Unbatched:
    """The store with ``batch`` doing nothing: every write committed on its own."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def batch(self) -> AbstractContextManager[None]:
        return nullcontext()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


def _paging(config_dir: Path) -> Paging:
    cfg = load_config(config_dir)
    config, marks = load_paging_config(cfg)
    return Paging(cfg, config, marks, {name: ScriptedPager(name) for name in config.channels})


@contextmanager
def _opened(db: Path) -> Iterator[Store]:
    with open_store(db) as store:
        yield store


def _state(store: Store, page_ids: list[str]) -> dict[str, Any]:
    """Everything a flush changes, without the ids and leases that differ by run."""
    return {
        "outbox": [
            (i.page_id, i.level, i.attempts, i.last_error, i.not_before, i.claimed_by)
            for i in store.outbox_items()
        ],
        "deliveries": {
            p: sorted(
                (d.level, d.channel, d.to, d.status, d.attempts, d.detail, d.at)
                for d in store.list_deliveries(p)
            )
            for p in page_ids
        },
        "pages": {p: store.get_page(p) for p in page_ids},
    }


@pytest.mark.parametrize(
    "summaries",
    [
        ["down 0"],
        [f"down {i}" for i in range(FLUSH_CONCURRENCY - 1)],
        [f"down {i}" for i in range(3 * FLUSH_CONCURRENCY + 1)],
        [f"down {i}" + (" and fails" if i % 3 == 1 else "") for i in range(2 * FLUSH_CONCURRENCY)],
        ["fails 0", "fails 1"],
    ],
    ids=["one", "fewer-than-slots", "more-than-slots", "some-fail", "all-fail"],
)
@pytest.mark.parametrize("second_item", [False, True], ids=["", "two-items-of-a-page"])
def test_batched_and_unbatched_flushes_end_the_same(
    config_dir: Path, tmp_path: Path, summaries: list[str], second_item: bool
) -> None:
    template = tmp_path / "queued.db"
    paging = _paging(config_dir)
    page_ids: list[str] = []
    with _opened(template) as store:
        for summary in summaries:
            result = send_page(
                paging, target="aggregate-profit", summary=summary, now=NOW, store=store
            )
            assert result.outcome == "undelivered"
            page_ids.append(result.page_id)
        if second_item:
            first = store.outbox_items()[0]
            store.enqueue(first.page_id, 1, first.channels, NOW, NOW)
    reports, states = [], []
    variants: list[tuple[str, Any, dict[str, Any]]] = [
        ("batched", lambda s: s, {}),
        ("unbatched", Unbatched, {}),
        ("pages-read-late", lambda s: s, {"_pages_ahead": lambda *args: {}}),
        ("no-gathering", lambda s: s, {"GATHER": timedelta(0)}),
        ("long-gathering", lambda s: s, {"GATHER": timedelta(seconds=5)}),
        ("collector-on", lambda s: s, {"collector_paused": nullcontext}),
    ]
    for name, wrap, patches in variants:
        db = tmp_path / f"{name}.db"
        shutil.copyfile(template, db)
        flushing = _paging(config_dir)
        for pager in flushing.pagers.values():
            cast(ScriptedPager, pager).up = True
        with _opened(db) as store, pytest.MonkeyPatch.context() as patch:
            for attribute, value in patches.items():
                patch.setattr(outbox, attribute, value)
            report = flush_outbox(flushing, cast(Store, wrap(store)), lambda: LATER)
            reports.append(report.model_dump(mode="json"))
            states.append(_state(store, page_ids))
    for name, report, state in zip([v[0] for v in variants], reports, states, strict=True):
        assert report == reports[0], name
        assert state == states[0], name
    items = reports[0]["items"]
    assert len(items) == len(summaries) + second_item  # every due item was claimed once
    assert {i["outcome"] for i in items} <= {"sent", "failed"}
    assert reports[0]["remaining"] == sum(i["outcome"] == "failed" for i in items)


class CountingReads:
    """The store, counting the pages read by id."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self.reads: list[str] = []

    def get_page(self, ref: str) -> Any:
        self.reads.append(ref)
        return self._store.get_page(ref)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


def test_pages_read_with_the_claim_skip_pages_in_flight_and_repeated(
    config_dir: Path, tmp_path: Path
) -> None:
    paging = _paging(config_dir)
    with _opened(tmp_path / "queued.db") as store:
        ids = [
            send_page(
                paging, target="aggregate-profit", summary=f"down {i}", now=NOW, store=store
            ).page_id
            or ""
            for i in range(3)
        ]
        store.enqueue(ids[0], 1, ["slack"], NOW, NOW)
        claimed = store.claim_outbox("w1", LATER, timedelta(minutes=5), 10)
        assert sorted(i.page_id for i in claimed) == sorted([*ids, ids[0]])
        busy = Mock()
        busy.item.page_id = ids[1]
        counting = CountingReads(store)
        ahead = outbox._pages_ahead(cast(Store, counting), claimed, {object(): busy})
        first_of_0 = next(i for i in claimed if i.page_id == ids[0])
        assert set(ahead) == {first_of_0.id} | {i.id for i in claimed if i.page_id == ids[2]}
        assert sorted(counting.reads) == sorted([ids[0], ids[2]])
        assert all(ahead[i] == store.get_page(claimed_page(claimed, i)) for i in ahead)


def claimed_page(claimed: list[Any], item_id: int) -> str:
    return str(next(i.page_id for i in claimed if i.id == item_id))


def test_sends_run_with_the_collector_paused_and_it_is_on_again_after(
    config_dir: Path, tmp_path: Path
) -> None:
    seen: list[bool] = []

    class Watching(ScriptedPager):
        def send(
            self, content: PageContent, target: Target, action: PageAction = "trigger"
        ) -> DeliveryResult:
            seen.append(gc.isenabled())
            return super().send(content, target, action)

    paging = _paging(config_dir)
    with _opened(tmp_path / "queued.db") as store:
        for i in range(3):
            send_page(paging, target="aggregate-profit", summary=f"down {i}", now=NOW, store=store)
        flushing = _paging(config_dir)
        flushing.pagers = {name: Watching(name) for name in flushing.pagers}
        for pager in flushing.pagers.values():
            cast(ScriptedPager, pager).up = True
        was = gc.isenabled()
        gc.enable()
        try:
            report = flush_outbox(flushing, store, lambda: LATER)
            assert gc.isenabled() and gc.get_freeze_count() == 0
        finally:
            if not was:
                gc.disable()
    assert [i.outcome for i in report.items] == ["sent"] * 3
    assert len(seen) >= 3 and not any(seen)  # every send ran with the collector off
