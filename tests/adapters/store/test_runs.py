"""Runbook runs, steps, notes and events, through the Store Protocol, on every backend."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oncall.adapters.store import Note, Store, new_page_id, new_run_id
from oncall.errors import NotFoundError, StoreError
from tests.adapters.store.conftest import OpenFresh
from tests.adapters.store.sample import BERLIN, NOW


def test_ids_are_short_and_unique() -> None:
    run_ids = {new_run_id() for _ in range(200)}
    page_ids = {new_page_id() for _ in range(200)}
    assert len(run_ids) == 200 and len(page_ids) == 200
    assert all(r.startswith("r-") and len(r) == 10 for r in run_ids)
    assert all(p.startswith("p-") and len(p) == 14 for p in page_ids)


def test_run_round_trip(store: Store) -> None:
    started = datetime(2026, 11, 21, 10, 0, tzinfo=BERLIN)
    run = store.start_run(runbook="backfill", pipeline="orders", operator="de1", started=started)
    assert run.run_id.startswith("r-")
    assert run.status == "running" and run.finished is None
    checks = [{"kind": "freshness", "ok": True, "lag": 12.5}]
    store.record_step(
        run.run_id,
        "check-lag",
        status="passed",
        title="Check lag",
        checks=checks,
        note=None,
        finished=started + timedelta(minutes=1),
    )
    store.record_step(
        run.run_id,
        "pause",
        status="warned",
        title="Pause DAG",
        checks=[],
        note="paused by hand",
        finished=started + timedelta(minutes=2),
    )
    store.add_note(run.run_id, "pause", "scheduler was slow", started + timedelta(minutes=3))
    store.add_note(run.run_id, None, "handing over to de2", started + timedelta(minutes=4))
    store.finish_run(run.run_id, "failed", started + timedelta(minutes=5))

    loaded = store.get_run(run.run_id)
    assert loaded is not None
    assert (loaded.runbook, loaded.pipeline, loaded.operator) == ("backfill", "orders", "de1")
    assert loaded.status == "failed"
    assert loaded.started == started and loaded.started.tzinfo == UTC
    assert loaded.finished == started + timedelta(minutes=5)
    assert [s.step_id for s in loaded.steps] == ["check-lag", "pause"]
    first = loaded.steps[0]
    assert (first.status, first.title, first.note, first.attempts) == (
        "passed",
        "Check lag",
        None,
        1,
    )
    assert list(first.checks) == checks
    assert loaded.steps[1].note == "paused by hand"
    assert loaded.notes == (
        Note("pause", "scheduler was slow", started + timedelta(minutes=3)),
        Note(None, "handing over to de2", started + timedelta(minutes=4)),
    )
    assert loaded.step("pause") == loaded.steps[1] and loaded.step("nope") is None

    as_dict = loaded.to_dict()
    assert json.loads(json.dumps(as_dict)) == as_dict
    assert as_dict["started"] == "2026-11-21T09:00:00+00:00"
    assert as_dict["steps"][0]["checks"] == checks
    assert as_dict["notes"][1] == {
        "step_id": None,
        "text": "handing over to de2",
        "at": "2026-11-21T09:04:00+00:00",
    }


def test_rerunning_a_step_replaces_it_in_place(store: Store) -> None:
    run = store.start_run(runbook="backfill", pipeline="orders", operator="de1", started=NOW)
    for step_id, status in (("a", "failed"), ("b", "passed"), ("a", "passed"), ("c", "skipped")):
        store.record_step(
            run.run_id,
            step_id,
            status=status,  # type: ignore[arg-type]
            title=step_id.upper(),
            checks=[{"status": status}],
            note=None,
            finished=NOW + timedelta(minutes=len(step_id)),
        )
    loaded = store.get_run(run.run_id)
    assert loaded is not None
    assert [(s.step_id, s.status, s.attempts) for s in loaded.steps] == [
        ("a", "passed", 2),
        ("b", "passed", 1),
        ("c", "skipped", 1),
    ]
    assert list(loaded.steps[0].checks) == [{"status": "passed"}]
    store.finish_run(run.run_id, "aborted", NOW + timedelta(hours=1))
    events = store.events(run.run_id)
    assert [e.kind for e in events] == ["start", "step", "step", "rerun", "skip", "abort"]
    assert [e.seq for e in events] == sorted(e.seq for e in events)
    assert events[1].payload["status"] == "failed" and events[3].payload["status"] == "passed"
    assert events[-1].payload == {"status": "aborted"}
    assert json.loads(json.dumps(events[1].to_dict()))["kind"] == "step"


def test_unknown_run_is_not_found(store: Store) -> None:
    assert store.get_run("r-missing") is None
    with pytest.raises(NotFoundError, match="r-missing"):
        store.record_step(
            "r-missing", "a", status="passed", title="A", checks=[], note=None, finished=NOW
        )
    with pytest.raises(NotFoundError):
        store.add_note("r-missing", None, "hello", NOW)
    with pytest.raises(NotFoundError):
        store.finish_run("r-missing", "passed", NOW)
    assert store.events("r-missing") == []


def test_duplicate_run_id_is_refused(store: Store) -> None:
    store.start_run(runbook="a", pipeline="p", operator="de1", started=NOW, run_id="r-same")
    with pytest.raises(StoreError, match="already exists"):
        store.start_run(runbook="b", pipeline="p", operator="de1", started=NOW, run_id="r-same")
    run = store.get_run("r-same")
    assert run is not None and run.runbook == "a"


def test_bad_values_are_programming_errors(store: Store) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        store.start_run(runbook="a", pipeline="p", operator="de1", started=datetime(2026, 1, 1))
    run = store.start_run(runbook="a", pipeline="p", operator="de1", started=NOW)
    with pytest.raises(ValueError, match="bad step status"):
        store.record_step(
            run.run_id,
            "s",
            status="great",  # type: ignore[arg-type]
            title="S",
            checks=[],
            note=None,
            finished=NOW,
        )
    with pytest.raises(ValueError, match="bad run status"):
        store.finish_run(run.run_id, "running", NOW)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="limit"):
        store.list_runs(limit=-1)
    loaded = store.get_run(run.run_id)
    assert loaded is not None and loaded.steps == () and loaded.status == "running"


def test_list_runs_latest_unfinished_and_last_run(store: Store) -> None:
    def start(runbook: str, minutes: int) -> str:
        started = NOW + timedelta(minutes=minutes)
        return store.start_run(
            runbook=runbook, pipeline="orders", operator="de1", started=started
        ).run_id

    old_open = start("backfill", 0)
    newer_open = start("backfill", 10)
    finished = start("backfill", 20)
    other = start("restart", 30)
    store.finish_run(finished, "passed", NOW + timedelta(minutes=25))

    assert [r.run_id for r in store.list_runs()] == [other, finished, newer_open, old_open]
    assert [r.run_id for r in store.list_runs("backfill")] == [finished, newer_open, old_open]
    assert [r.run_id for r in store.list_runs(limit=2)] == [other, finished]
    assert store.list_runs("nothing") == []

    unfinished = store.latest_unfinished_run("backfill")
    assert unfinished is not None and unfinished.run_id == newer_open
    assert store.latest_unfinished_run("nothing") is None
    store.finish_run(newer_open, "aborted", NOW + timedelta(minutes=40))
    unfinished = store.latest_unfinished_run("backfill")
    assert unfinished is not None and unfinished.run_id == old_open

    last = store.last_run("backfill")
    assert last is not None and last.run_id == finished and last.status == "passed"
    assert store.last_run("nothing") is None


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    st.lists(
        st.datetimes(
            min_value=datetime(1970, 1, 2),
            max_value=datetime(2200, 1, 1),
            timezones=st.timezones(),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_any_aware_time_round_trips_and_sorts_by_instant(
    open_fresh_store: OpenFresh, starts: list[datetime]
) -> None:
    with open_fresh_store() as st_:
        ids = [
            st_.start_run(runbook="rb", pipeline="p", operator="de1", started=s).run_id
            for s in starts
        ]
        runs = st_.list_runs("rb", limit=len(starts))
    by_id = {r.run_id: r for r in runs}
    for run_id, started in zip(ids, starts, strict=True):
        # Compare in UTC: PEP 495 makes cross-zone == false for times in a DST gap or fold.
        assert by_id[run_id].started == started.astimezone(UTC)
        assert by_id[run_id].started.utcoffset() == timedelta(0)
    instants = [r.started for r in runs]
    assert instants == sorted(instants, reverse=True)
