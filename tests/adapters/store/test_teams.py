"""Two teams on one database: neither sees, acks, escalates nor sends the other's records."""

from __future__ import annotations

from datetime import timedelta

import pytest

from oncall.adapters.store import Store
from oncall.errors import NotFoundError
from tests.adapters.store.conftest import Reopen
from tests.adapters.store.sample import NOW, make_page


def test_pages_runs_and_outbox_are_per_team(store: Store, reopen: Reopen) -> None:
    other = reopen(store, team="team-b")
    assert store.team != other.team
    mine, created = store.create_page_if_absent(make_page())
    assert created
    theirs, created = other.create_page_if_absent(make_page())  # same dedup key, other team
    assert created and theirs.page_id != mine.page_id
    store.enqueue(mine.page_id, 0, ["slack"], NOW, NOW)
    store.record_delivery(mine.page_id, 0, "slack", "de1", "sent", 1, None, NOW)
    run = store.start_run(runbook="backfill", pipeline="orders", operator="de1", started=NOW)
    store.add_note(run.run_id, None, "mine", NOW)

    assert [p.page_id for p in other.list_pages()] == [theirs.page_id]
    assert other.get_page(mine.page_id) is None
    assert other.get_page("orders:freshness") == theirs
    assert other.open_page_by_dedup("orders:freshness") == theirs
    assert other.list_deliveries(mine.page_id) == []
    assert other.outbox_items() == []
    assert other.claim_outbox("b", NOW, timedelta(minutes=5), 10) == []
    assert [p.page_id for p in other.due_escalations(NOW + timedelta(hours=1))] == [theirs.page_id]
    assert other.advance_escalation(
        mine.page_id, expected_level=0, expected_round=0, new_level=1, new_round=0,
        next_at=None, now=NOW,
    ) is False  # fmt: skip
    with pytest.raises(NotFoundError):
        other.acknowledge(mine.page_id, "de9", NOW)
    with pytest.raises(NotFoundError):
        other.set_next_escalation(mine.page_id, None)
    with pytest.raises(NotFoundError):
        other.enqueue(mine.page_id, 0, ["slack"], NOW, NOW)

    assert other.list_runs() == [] and other.get_run(run.run_id) is None
    assert other.latest_unfinished_run("backfill") is None and other.events(run.run_id) == []
    with pytest.raises(NotFoundError):
        other.add_note(run.run_id, None, "not theirs", NOW)

    [item] = store.outbox_items()
    assert other.complete_outbox(item.id) is False
    assert other.release_outbox(item.id, "no", NOW) is False
    assert store.acknowledge(mine.page_id, "de1", NOW).status == "acknowledged"
    assert other.get_page(theirs.page_id) is not None
    assert other.get_page(theirs.page_id).status == "open"  # type: ignore[union-attr]
    assert [r.run_id for r in store.list_runs()] == [run.run_id]


def test_a_second_handle_of_the_same_team_sees_everything(store: Store, reopen: Reopen) -> None:
    page, _ = store.create_page_if_absent(make_page())
    again = reopen(store)
    assert again.get_page(page.page_id) == page
    acked = again.acknowledge("orders:freshness", "de2", NOW)
    assert store.get_page(page.page_id) == acked
