"""Store.reopen_run: an aborted run goes back to running (issue 13), on every backend."""

from __future__ import annotations

from datetime import timedelta

import pytest

from oncall.adapters.store import Store
from oncall.errors import NotFoundError, StoreError
from tests.adapters.store.sample import NOW


def test_an_aborted_run_reopens_with_its_steps(store: Store) -> None:
    run = store.start_run(runbook="backfill", pipeline="orders", operator="de1", started=NOW)
    store.record_step(
        run.run_id,
        "first",
        status="passed",
        title="First",
        checks=[],
        note="looked fine",
        finished=NOW + timedelta(minutes=1),
    )
    store.finish_run(run.run_id, "aborted", NOW + timedelta(minutes=2))
    reopened = store.reopen_run(run.run_id, NOW + timedelta(minutes=30))
    assert reopened.status == "running" and reopened.finished is None
    assert [(s.step_id, s.note) for s in reopened.steps] == [("first", "looked fine")]
    assert store.latest_unfinished_run("backfill") is not None
    kinds = [e.kind for e in store.events(run.run_id)]
    assert kinds[-2:] == ["abort", "reopen"]


def test_only_an_aborted_run_reopens(store: Store) -> None:
    run = store.start_run(runbook="backfill", pipeline="orders", operator="de1", started=NOW)
    with pytest.raises(StoreError, match="not aborted"):
        store.reopen_run(run.run_id, NOW)  # still running
    store.finish_run(run.run_id, "passed", NOW + timedelta(minutes=5))
    with pytest.raises(StoreError, match="not aborted"):
        store.reopen_run(run.run_id, NOW + timedelta(minutes=6))
    assert store.get_run(run.run_id).status == "passed"  # type: ignore[union-attr]
    with pytest.raises(NotFoundError):
        store.reopen_run("r-00000000", NOW)
