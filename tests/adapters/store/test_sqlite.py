"""The SQLite store against real database files: round trips, resume after a crash, errors."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import platformdirs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oncall.adapters.store import (
    SCHEMA_VERSION,
    Note,
    PageRecord,
    Store,
    default_db_path,
    new_page_id,
    new_run_id,
)
from oncall.errors import NotFoundError, StoreError

NOW = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")
REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "state" / "oncall.db"


@pytest.fixture
def store(db_path: Path) -> Any:
    with Store.open(db_path) as opened:
        yield opened


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


def raw(db_path: Path) -> sqlite3.Connection:
    return sqlite3.connect(db_path, isolation_level=None)


# --------------------------------------------------------------------------- location & schema


def test_default_db_path_uses_env_var(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ONCALL_STATE_DB", str(tmp_path / "x" / "state.db"))
    assert default_db_path() == tmp_path / "x" / "state.db"


@pytest.mark.parametrize("value", [None, "", "  "])
def test_default_db_path_falls_back_to_user_state_dir(
    monkeypatch: pytest.MonkeyPatch, value: str | None
) -> None:
    if value is None:
        monkeypatch.delenv("ONCALL_STATE_DB", raising=False)
    else:
        monkeypatch.setenv("ONCALL_STATE_DB", value)
    assert default_db_path() == Path(platformdirs.user_state_dir("oncall")) / "oncall.db"


def test_open_without_path_uses_env_var(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    target = tmp_path / "from-env" / "oncall.db"
    monkeypatch.setenv("ONCALL_STATE_DB", str(target))
    with Store.open() as opened:
        assert opened.path == target
    assert target.is_file()


def test_open_creates_parent_dir_schema_and_wal(db_path: Path) -> None:
    assert not db_path.parent.exists()
    with Store.open(db_path) as opened:
        assert opened.schema_version() == SCHEMA_VERSION
    conn = raw(db_path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"runs", "steps", "events", "pages", "deliveries", "outbox"} <= tables
    conn.close()


def test_reopen_keeps_data_and_does_not_remigrate(db_path: Path) -> None:
    with Store.open(db_path) as first:
        first.start_run(
            runbook="backfill", pipeline="orders", operator="de1", started=NOW, run_id="r-1"
        )
    with Store.open(db_path) as second:
        run = second.get_run("r-1")
    assert run is not None and run.runbook == "backfill"


def test_newer_schema_is_refused(db_path: Path) -> None:
    Store.open(db_path).close()
    conn = raw(db_path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StoreError, match="newer than this oncall understands") as info:
        Store.open(db_path)
    assert str(db_path) in str(info.value)


def test_corrupt_file_is_a_store_error_naming_path_and_fix(tmp_path: Path) -> None:
    path = tmp_path / "oncall.db"
    path.write_bytes(b"this is not sqlite at all\n" * 200)
    with pytest.raises(StoreError) as info:
        Store.open(path)
    message = str(info.value)
    assert str(path) in message
    assert "not a database" in message
    assert "ONCALL_STATE_DB" in message
    assert info.value.exit_code == 3


def test_unwritable_location_is_a_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    path = blocker / "state" / "oncall.db"
    with pytest.raises(StoreError) as info:
        Store.open(path)
    message = str(info.value)
    assert str(path.parent) in message
    assert "ONCALL_STATE_DB" in message
    assert info.value.exit_code == 3


def test_path_that_is_a_directory_is_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "oncall.db"
    path.mkdir()
    with pytest.raises(StoreError, match="ONCALL_STATE_DB") as info:
        Store.open(path)
    assert str(path) in str(info.value)


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file permissions")
def test_read_only_directory_is_a_store_error(tmp_path: Path) -> None:  # pragma: no cover
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with pytest.raises(StoreError, match="ONCALL_STATE_DB"):
            Store.open(locked / "oncall.db")
    finally:
        locked.chmod(0o700)


# --------------------------------------------------------------------------- runbook runs


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


def test_times_are_stored_as_iso_utc_text(store: Store, db_path: Path) -> None:
    started = datetime(2026, 7, 1, 12, 30, tzinfo=timezone(timedelta(hours=5, minutes=30)))
    store.start_run(
        runbook="backfill", pipeline="orders", operator="de1", started=started, run_id="r-tz"
    )
    conn = raw(db_path)
    text = conn.execute("SELECT started FROM runs WHERE run_id = 'r-tz'").fetchone()[0]
    conn.close()
    assert text == "2026-07-01T07:00:00.000000+00:00"


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


def test_events_are_append_only(store: Store, db_path: Path) -> None:
    run = store.start_run(runbook="backfill", pipeline="orders", operator="de1", started=NOW)
    conn = raw(db_path)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("UPDATE events SET kind = 'x'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("DELETE FROM events")
    conn.close()
    assert [e.kind for e in store.events(run.run_id)] == ["start"]


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


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
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
def test_any_aware_time_round_trips_and_sorts_by_instant(starts: list[datetime]) -> None:
    with tempfile.TemporaryDirectory() as tmp, Store.open(Path(tmp) / "oncall.db") as st_:
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


# --------------------------------------------------------------------------- resume after a crash

_CRASHING_RUN = """
import sys, time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from oncall.adapters.store import Store

store = Store.open(Path(sys.argv[1]))
t0 = datetime(2026, 11, 21, 9, 0, tzinfo=timezone.utc)
run = store.start_run(runbook="backfill", pipeline="orders", operator="de1", started=t0,
                      run_id="r-crash001")
for n in (1, 2):
    store.record_step(run.run_id, f"step-{n}", status="passed", title=f"Step {n}",
                      checks=[{"n": n}], note=None, finished=t0 + timedelta(minutes=n))
print("recorded 2 of 4", flush=True)
time.sleep(120)
store.record_step(run.run_id, "step-3", status="passed", title="Step 3", checks=[], note=None,
                  finished=t0 + timedelta(minutes=3))
"""


@pytest.mark.timeout(60)
def test_run_killed_mid_way_resumes_with_recorded_steps(db_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    child = subprocess.Popen(
        [sys.executable, "-c", _CRASHING_RUN, str(db_path)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "recorded 2 of 4"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        if child.stdout is not None:
            child.stdout.close()
    assert child.returncode == -signal.SIGKILL

    with Store.open(db_path) as reopened:
        run = reopened.latest_unfinished_run("backfill")
        assert run is not None
        assert run.run_id == "r-crash001" and run.status == "running" and run.finished is None
        assert [(s.step_id, s.status) for s in run.steps] == [
            ("step-1", "passed"),
            ("step-2", "passed"),
        ]
        assert [list(s.checks) for s in run.steps] == [[{"n": 1}], [{"n": 2}]]
        # The operator carries on from step 3 in the same run.
        reopened.record_step(
            run.run_id,
            "step-3",
            status="passed",
            title="Step 3",
            checks=[],
            note=None,
            finished=NOW,
        )
        reopened.finish_run(run.run_id, "passed", NOW)
        assert reopened.latest_unfinished_run("backfill") is None
        resumed = reopened.get_run(run.run_id)
        assert resumed is not None and len(resumed.steps) == 3


# --------------------------------------------------------------------------- pages


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


def test_one_live_page_per_dedup_key_is_enforced_by_the_database(
    store: Store, db_path: Path
) -> None:
    page = make_page()
    store.create_page_if_absent(page)
    conn = raw(db_path)
    stamp = "2026-11-21T09:00:00.000000+00:00"
    columns = "page_id, dedup_key, target, urgency, severity, summary, details, responder, "
    columns += "escalation, created, updated"
    values = (
        "p-dup",
        page.dedup_key,
        "t",
        "high",
        "critical",
        "s",
        "{}",
        "de1",
        "[]",
        stamp,
        stamp,
    )
    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
        conn.execute(f"INSERT INTO pages ({columns}) VALUES ({', '.join('?' * 11)})", values)
    conn.execute(
        f"INSERT INTO pages ({columns}, status) VALUES ({', '.join('?' * 12)})",
        (*values, "resolved"),
    )
    conn.close()
    assert store.get_page("p-dup") is not None


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


# --------------------------------------------------------------------------- deliveries & outbox


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
