"""The paging outbox: queued items, leases, release and completion, on every backend."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from oncall.adapters.store import Store
from tests.adapters.store.sample import NOW, make_page


def test_outbox_claim_respects_not_before_and_leases(store: Store) -> None:
    page, _ = store.create_page_if_absent(make_page())
    quiet_until = NOW + timedelta(hours=8)
    ready = store.enqueue(page.page_id, 0, ["slack", "email"], NOW, NOW)
    quiet = store.enqueue(page.page_id, 1, ["pagerduty"], quiet_until, NOW)
    assert ready.channels == ("slack", "email") and ready.attempts == 0
    assert ready.claimed_by is None and quiet.not_before == quiet_until
    assert store.outbox_items() == [ready, quiet]

    lease = timedelta(minutes=5)
    claimed = store.claim_outbox("w1", NOW, lease, limit=10)
    assert [i.id for i in claimed] == [ready.id]
    assert claimed[0].claimed_by == "w1" and claimed[0].claimed_until == NOW + lease
    assert store.claim_outbox("w2", NOW + timedelta(minutes=4), lease, limit=10) == []

    expired = store.claim_outbox("w2", NOW + lease, lease, limit=10)
    assert [(i.id, i.claimed_by) for i in expired] == [(ready.id, "w2")]

    late = store.claim_outbox("w3", quiet_until, timedelta(hours=1), limit=10)
    assert [(i.id, i.claimed_by) for i in late] == [(ready.id, "w3"), (quiet.id, "w3")]
    assert json.loads(json.dumps(late[1].to_dict()))["channels"] == ["pagerduty"]


def test_outbox_claim_limit_and_order(store: Store) -> None:
    page, _ = store.create_page_if_absent(make_page())
    ids = [
        store.enqueue(page.page_id, n, ["slack"], NOW - timedelta(minutes=n), NOW).id
        for n in range(5)
    ]
    claimed = store.claim_outbox("w1", NOW, timedelta(minutes=1), limit=2)
    assert [i.id for i in claimed] == [ids[4], ids[3]]
    assert store.claim_outbox("w1", NOW, timedelta(minutes=1), limit=0) == []
    with pytest.raises(ValueError, match="lease"):
        store.claim_outbox("w1", NOW, timedelta(0), limit=1)


def test_outbox_release_and_complete(store: Store) -> None:
    page, _ = store.create_page_if_absent(make_page())
    item = store.enqueue(page.page_id, 0, ["slack"], NOW, NOW)
    store.claim_outbox("w1", NOW, timedelta(minutes=5), limit=1)

    retry_at = NOW + timedelta(minutes=2)
    assert store.release_outbox(item.id, "HTTP 503", NOW, not_before=retry_at) is True
    [released] = store.outbox_items()
    assert (released.attempts, released.last_error) == (1, "HTTP 503")
    assert released.claimed_by is None and released.claimed_until is None
    assert released.not_before == retry_at
    assert store.claim_outbox("w2", NOW + timedelta(minutes=1), timedelta(minutes=5), 1) == []

    [again] = store.claim_outbox("w2", retry_at, timedelta(minutes=5), 1)
    assert store.release_outbox(again.id, "timeout", retry_at) is True
    [twice] = store.outbox_items()
    assert (twice.attempts, twice.last_error, twice.not_before) == (2, "timeout", retry_at)

    assert store.complete_outbox(item.id) is True
    assert store.outbox_items() == []
    assert store.complete_outbox(item.id) is False
    assert store.release_outbox(item.id, "gone", NOW) is False
