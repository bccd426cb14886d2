"""``store.batch()``: writes sharing one transaction, on every backend. Each write inside
still succeeds or fails alone, what was written before a failure is kept, and nothing is
visible to another handle (another machine) before the block ends."""

from __future__ import annotations

from datetime import timedelta

import pytest

from oncall.adapters.store import Store
from oncall.errors import NotFoundError
from tests.adapters.store.conftest import Reopen
from tests.adapters.store.sample import NOW, make_page

LEASE = timedelta(minutes=5)


def test_writes_in_a_batch_are_seen_inside_at_once_and_outside_when_it_ends(
    store: Store, reopen: Reopen
) -> None:
    page, _ = store.create_page_if_absent(make_page())
    first = store.enqueue(page.page_id, 0, ["slack"], NOW, NOW)
    other = reopen(store)
    with store.batch():
        second = store.enqueue(page.page_id, 1, ["slack"], NOW, NOW)
        [claimed] = store.claim_outbox("w1", NOW, LEASE, limit=1)
        assert claimed.id == first.id
        store.record_delivery(page.page_id, 0, "slack", "de1", "sent", 1, "ok", NOW)
        assert [i.id for i in store.outbox_items()] == [first.id, second.id]
        assert [d.detail for d in store.list_deliveries(page.page_id)] == ["ok"]
        assert [i.id for i in other.outbox_items()] == [first.id]  # not committed yet
        assert other.list_deliveries(page.page_id) == []
    assert [(i.id, i.claimed_by) for i in other.outbox_items()] == [
        (first.id, "w1"),
        (second.id, None),
    ]
    assert [d.detail for d in other.list_deliveries(page.page_id)] == ["ok"]
    assert [i.id for i in other.claim_outbox("w2", NOW, LEASE, limit=10)] == [second.id]


def test_a_failed_write_is_undone_alone_and_what_came_before_it_is_kept(
    store: Store, reopen: Reopen
) -> None:
    page, _ = store.create_page_if_absent(make_page())
    item = store.enqueue(page.page_id, 0, ["slack"], NOW, NOW)
    with pytest.raises(NotFoundError), store.batch():
        store.claim_outbox("w1", NOW, LEASE, limit=1)
        store.record_delivery(page.page_id, 0, "slack", "de1", "sent", 1, "ok", NOW)
        store.record_delivery("p-missing", 0, "slack", "de1", "sent", 1, "ok", NOW)
    other = reopen(store)
    [kept] = other.outbox_items()
    assert (kept.id, kept.claimed_by) == (item.id, "w1")
    assert [d.detail for d in other.list_deliveries(page.page_id)] == ["ok"]
    # the store is usable after the failed block, in a batch and outside one
    with store.batch():
        assert store.complete_outbox(item.id) is True
    assert other.outbox_items() == []
    store.record_delivery(page.page_id, 1, "slack", "de2", "sent", 1, "later", NOW)
    assert [d.detail for d in other.list_deliveries(page.page_id)] == ["ok", "later"]


def test_an_error_between_writes_keeps_the_writes_before_it(store: Store, reopen: Reopen) -> None:
    page, _ = store.create_page_if_absent(make_page())
    item = store.enqueue(page.page_id, 0, ["slack"], NOW, NOW)
    with pytest.raises(RuntimeError, match="bug"), store.batch():
        store.claim_outbox("w1", NOW, LEASE, limit=1)
        raise RuntimeError("bug")
    [kept] = reopen(store).outbox_items()
    assert (kept.id, kept.claimed_by) == (item.id, "w1")


def test_batches_nest_and_the_outermost_commits(store: Store, reopen: Reopen) -> None:
    page, _ = store.create_page_if_absent(make_page())
    other = reopen(store)
    with store.batch():
        with store.batch():
            store.enqueue(page.page_id, 0, ["slack"], NOW, NOW)
        assert other.outbox_items() == []
        store.enqueue(page.page_id, 1, ["slack"], NOW, NOW)
    assert [i.level for i in other.outbox_items()] == [0, 1]


def test_an_empty_batch_changes_nothing(store: Store) -> None:
    before = store.counts()
    with store.batch():
        pass
    assert store.counts() == before
    page, _ = store.create_page_if_absent(make_page())
    assert store.get_page(page.page_id) == page
