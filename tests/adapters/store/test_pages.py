"""Pages, acknowledgement, escalation compare-and-swap and deliveries, on every backend."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest

from oncall.adapters.store import Store
from oncall.errors import NotFoundError, StoreError
from tests.adapters.store.sample import NOW, make_page


def test_create_page_if_absent_dedups_until_resolved(store: Store) -> None:
    first = make_page()
    stored, created = store.create_page_if_absent(first)
    assert created is True
    assert stored == replace(first, updated=NOW)

    again, created = store.create_page_if_absent(make_page(summary="a second alert"))
    assert created is False
    assert again.page_id == first.page_id and again.summary == "orders is 3h stale"

    store.acknowledge(first.page_id, "de1", NOW + timedelta(minutes=1))
    still, created = store.create_page_if_absent(make_page())
    assert created is False and still.page_id == first.page_id

    store.resolve(first.page_id, NOW + timedelta(minutes=2))
    assert store.open_page_by_dedup(first.dedup_key) is None
    fresh, created = store.create_page_if_absent(make_page(created=NOW + timedelta(minutes=3)))
    assert created is True and fresh.page_id != first.page_id
    open_page = store.open_page_by_dedup(first.dedup_key)
    assert open_page is not None and open_page.page_id == fresh.page_id
    assert len(store.list_pages()) == 2


def test_page_round_trip_and_to_dict(store: Store) -> None:
    record = make_page(pipeline=None, escalation=(), next_escalation_at=None, round=1, level=0)
    stored, _ = store.create_page_if_absent(record)
    loaded = store.get_page(record.page_id)
    assert loaded == stored
    assert loaded.pipeline is None and loaded.escalation == () and loaded.round == 1
    assert loaded.details == {"lag_minutes": 180, "checks": ["freshness"]}
    as_dict = loaded.to_dict()
    assert json.loads(json.dumps(as_dict)) == as_dict
    assert as_dict["escalation"] == [] and as_dict["created"] == "2026-11-21T09:00:00+00:00"


def test_duplicate_page_id_is_refused(store: Store) -> None:
    store.create_page_if_absent(make_page("k1", page_id="p-same"))
    with pytest.raises(StoreError, match="already exists"):
        store.create_page_if_absent(make_page("k2", page_id="p-same"))
    assert store.open_page_by_dedup("k2") is None


def test_get_page_by_id_or_dedup_key(store: Store) -> None:
    old, _ = store.create_page_if_absent(make_page("k"))
    store.resolve("k", NOW + timedelta(minutes=1))
    resolved = store.get_page("k")
    assert resolved is not None and resolved.page_id == old.page_id
    live, _ = store.create_page_if_absent(make_page("k", created=NOW + timedelta(minutes=2)))
    by_key = store.get_page("k")
    assert by_key is not None and by_key.page_id == live.page_id
    by_id = store.get_page(old.page_id)
    assert by_id is not None and by_id.status == "resolved"
    assert store.get_page("nothing") is None


def test_list_pages_newest_first_and_open_only(store: Store) -> None:
    ids = []
    for n in range(4):
        page, _ = store.create_page_if_absent(
            make_page(f"k{n}", created=NOW + timedelta(minutes=n))
        )
        ids.append(page.page_id)
    store.resolve(ids[1], NOW + timedelta(hours=1))
    store.acknowledge(ids[2], "de2", NOW + timedelta(hours=1))
    assert [p.page_id for p in store.list_pages()] == ids[::-1]
    assert [p.page_id for p in store.list_pages(open_only=True)] == [ids[3], ids[2], ids[0]]
    assert [p.page_id for p in store.list_pages(limit=2)] == [ids[3], ids[2]]


def test_acknowledge_is_idempotent_and_stops_escalation(store: Store) -> None:
    page, _ = store.create_page_if_absent(make_page())
    acked = store.acknowledge(page.dedup_key, "de1", NOW + timedelta(minutes=5))
    assert acked.status == "acknowledged"
    assert acked.acked_by == "de1" and acked.acked_at == NOW + timedelta(minutes=5)
    assert acked.next_escalation_at is None and acked.updated == NOW + timedelta(minutes=5)
    again = store.acknowledge(page.page_id, "de2", NOW + timedelta(minutes=9))
    assert again == acked
    assert store.due_escalations(NOW + timedelta(days=1)) == []


def test_resolve_is_idempotent_and_keeps_the_ack(store: Store) -> None:
    page, _ = store.create_page_if_absent(make_page())
    store.acknowledge(page.page_id, "de1", NOW + timedelta(minutes=1))
    resolved = store.resolve(page.page_id, NOW + timedelta(minutes=2))
    assert resolved.status == "resolved" and resolved.resolved_at == NOW + timedelta(minutes=2)
    assert resolved.acked_by == "de1"
    assert store.resolve(page.dedup_key, NOW + timedelta(minutes=7)) == resolved
    after = store.acknowledge(page.page_id, "de2", NOW + timedelta(minutes=8))
    assert after.status == "resolved" and after.acked_by == "de1"


def test_unknown_page_is_not_found(store: Store) -> None:
    with pytest.raises(NotFoundError, match="p-missing"):
        store.acknowledge("p-missing", "de1", NOW)
    with pytest.raises(NotFoundError):
        store.resolve("p-missing", NOW)
    with pytest.raises(NotFoundError):
        store.set_next_escalation("p-missing", NOW)
    with pytest.raises(NotFoundError):
        store.record_delivery("p-missing", 0, "slack", "de1", "sent", 1, None, NOW)
    with pytest.raises(NotFoundError):
        store.enqueue("p-missing", 0, ["slack"], NOW, NOW)
    assert store.outbox_items() == []


def test_due_escalations(store: Store) -> None:
    due_early, _ = store.create_page_if_absent(make_page("a", next_escalation_at=NOW))
    due_now, _ = store.create_page_if_absent(
        make_page("b", next_escalation_at=NOW + timedelta(minutes=5))
    )
    store.create_page_if_absent(make_page("c", next_escalation_at=NOW + timedelta(minutes=6)))
    store.create_page_if_absent(make_page("d", next_escalation_at=None))
    acked, _ = store.create_page_if_absent(make_page("e", next_escalation_at=NOW))
    store.acknowledge(acked.page_id, "de1", NOW)
    due = store.due_escalations(NOW + timedelta(minutes=5))
    assert [p.page_id for p in due] == [due_early.page_id, due_now.page_id]

    store.set_next_escalation(due_early.page_id, None)
    store.set_next_escalation(due_now.page_id, NOW + timedelta(hours=1))
    assert store.due_escalations(NOW + timedelta(minutes=5)) == []
    later = store.get_page(due_now.page_id)
    assert later is not None and later.next_escalation_at == NOW + timedelta(hours=1)


def test_advance_escalation_is_a_compare_and_swap(store: Store) -> None:
    page, _ = store.create_page_if_absent(make_page())
    later = NOW + timedelta(minutes=30)

    def advance(expected: tuple[int, int], new: tuple[int, int]) -> bool:
        return store.advance_escalation(
            page.page_id,
            expected_level=expected[0],
            expected_round=expected[1],
            new_level=new[0],
            new_round=new[1],
            next_at=later,
            now=NOW + timedelta(minutes=15),
        )

    assert advance((0, 0), (1, 0)) is True
    assert advance((0, 0), (1, 0)) is False
    assert advance((1, 1), (2, 1)) is False
    moved = store.get_page(page.page_id)
    assert moved is not None
    assert (moved.level, moved.round, moved.next_escalation_at) == (1, 0, later)
    assert moved.updated == NOW + timedelta(minutes=15)
    assert advance((1, 0), (0, 1)) is True

    store.acknowledge(page.page_id, "de2", NOW + timedelta(minutes=20))
    assert advance((0, 1), (1, 1)) is False
    final = store.get_page(page.page_id)
    assert final is not None and (final.level, final.round) == (0, 1)
    assert (
        store.advance_escalation(
            "p-missing",
            expected_level=0,
            expected_round=0,
            new_level=1,
            new_round=0,
            next_at=None,
            now=NOW,
        )
        is False
    )


def test_deliveries_round_trip(store: Store) -> None:
    page, _ = store.create_page_if_absent(make_page())
    first = store.record_delivery(page.page_id, 0, "slack", "de1", "failed", 3, "HTTP 500", NOW)
    second = store.record_delivery(
        page.page_id, 0, "email", "de1", "sent", 1, None, NOW + timedelta(seconds=5)
    )
    assert second.id > first.id
    assert store.list_deliveries(page.page_id) == [first, second]
    assert (first.channel, first.to, first.status, first.attempts, first.detail) == (
        "slack",
        "de1",
        "failed",
        3,
        "HTTP 500",
    )
    assert json.loads(json.dumps(second.to_dict()))["at"] == "2026-11-21T09:00:05+00:00"
    with pytest.raises(ValueError, match="bad delivery status"):
        store.record_delivery(page.page_id, 0, "slack", "de1", "lost", 1, None, NOW)  # type: ignore[arg-type]
    assert store.list_deliveries("p-other") == []


def test_kind_and_runbook_round_trip_apart_from_the_details(store: Store) -> None:
    notice = make_page("k-notice", kind="notice", runbook="backfill", details={"n": 1})
    stored, _ = store.create_page_if_absent(notice)
    loaded = store.get_page(notice.page_id)
    assert loaded == stored
    assert (loaded.kind, loaded.runbook, loaded.details) == ("notice", "backfill", {"n": 1})
    plain, _ = store.create_page_if_absent(make_page("k-page"))
    assert (plain.kind, plain.runbook) == ("page", None)
    assert "_kind" not in plain.details and "_runbook" not in plain.details
