"""The SQLite backend's own file: location, schema and migrations, WAL, errors, crash-resume.

What every backend must do is tested through the ``store`` fixture in test_runs.py,
test_pages.py and test_outbox.py; this file checks what only the SQLite file shows.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import platformdirs
import pytest

from oncall.adapters.store import SCHEMA_VERSION, Store, default_db_path, open_store
from oncall.adapters.store.sqlite import MIGRATIONS, SqliteStore
from oncall.errors import StoreError
from tests.adapters.store.sample import NOW, make_page

REPO_ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "state" / "oncall.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    """Here: the SQLite store in the file at ``db_path``, so tests can look inside the file."""
    with open_store(db_path) as opened:
        yield opened


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
    with open_store() as opened:
        assert isinstance(opened, SqliteStore) and opened.path == target
    assert target.is_file()


def test_open_creates_parent_dir_schema_and_wal(db_path: Path) -> None:
    assert not db_path.parent.exists()
    with open_store(db_path) as opened:
        assert opened.schema_version() == SCHEMA_VERSION
    conn = raw(db_path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"runs", "steps", "events", "pages", "deliveries", "outbox"} <= tables
    conn.close()


def test_reopen_keeps_data_and_does_not_remigrate(db_path: Path) -> None:
    with open_store(db_path) as first:
        first.start_run(
            runbook="backfill", pipeline="orders", operator="de1", started=NOW, run_id="r-1"
        )
    with open_store(db_path) as second:
        run = second.get_run("r-1")
    assert run is not None and run.runbook == "backfill"


def test_newer_schema_is_refused(db_path: Path) -> None:
    open_store(db_path).close()
    conn = raw(db_path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StoreError, match="newer than this oncall understands") as info:
        open_store(db_path)
    assert str(db_path) in str(info.value)


def test_corrupt_file_is_a_store_error_naming_path_and_fix(tmp_path: Path) -> None:
    path = tmp_path / "oncall.db"
    path.write_bytes(b"this is not sqlite at all\n" * 200)
    with pytest.raises(StoreError) as info:
        open_store(path)
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
        open_store(path)
    message = str(info.value)
    assert str(path.parent) in message
    assert "ONCALL_STATE_DB" in message
    assert info.value.exit_code == 3


def test_path_that_is_a_directory_is_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "oncall.db"
    path.mkdir()
    with pytest.raises(StoreError, match="ONCALL_STATE_DB") as info:
        open_store(path)
    assert str(path) in str(info.value)


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file permissions")
def test_read_only_directory_is_a_store_error(tmp_path: Path) -> None:  # pragma: no cover
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with pytest.raises(StoreError, match="ONCALL_STATE_DB"):
            open_store(locked / "oncall.db")
    finally:
        locked.chmod(0o700)


# --------------------------------------------------------------------------- runbook runs


def test_times_are_stored_as_iso_utc_text(store: Store, db_path: Path) -> None:
    started = datetime(2026, 7, 1, 12, 30, tzinfo=timezone(timedelta(hours=5, minutes=30)))
    store.start_run(
        runbook="backfill", pipeline="orders", operator="de1", started=started, run_id="r-tz"
    )
    conn = raw(db_path)
    text = conn.execute("SELECT started FROM runs WHERE run_id = 'r-tz'").fetchone()[0]
    conn.close()
    assert text == "2026-07-01T07:00:00.000000+00:00"


def test_events_are_append_only(store: Store, db_path: Path) -> None:
    run = store.start_run(runbook="backfill", pipeline="orders", operator="de1", started=NOW)
    conn = raw(db_path)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("UPDATE events SET kind = 'x'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("DELETE FROM events")
    conn.close()
    assert [e.kind for e in store.events(run.run_id)] == ["start"]


# --------------------------------------------------------------------------- resume after a crash

_CRASHING_RUN = """
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from oncall.adapters.store import open_store

store = open_store(Path(sys.argv[1]))
t0 = datetime(2026, 11, 21, 9, 0, tzinfo=timezone.utc)
run = store.start_run(runbook="backfill", pipeline="orders", operator="de1", started=t0,
                      run_id="r-crash001")
for n in (1, 2):
    store.record_step(run.run_id, f"step-{n}", status="passed", title=f"Step {n}",
                      checks=[{"n": n}], note=None, finished=t0 + timedelta(minutes=n))
print("recorded 2 of 4", flush=True)
sys.stdin.readline()  # blocks until the test kills the process
store.record_step(run.run_id, "step-3", status="passed", title="Step 3", checks=[], note=None,
                  finished=t0 + timedelta(minutes=3))
"""


@pytest.mark.timeout(60)
def test_run_killed_mid_way_resumes_with_recorded_steps(db_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    child = subprocess.Popen(
        [sys.executable, "-c", _CRASHING_RUN, str(db_path)],
        stdin=subprocess.PIPE,
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
        for stream in (child.stdout, child.stdin):
            if stream is not None:
                stream.close()
    assert child.returncode == -signal.SIGKILL

    with open_store(db_path) as reopened:
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


def test_kind_and_runbook_keep_their_place_in_the_details_column(
    store: Store, db_path: Path
) -> None:
    """Files written before pages had fields for them keep working, and the reverse."""
    page = make_page("k", kind="notice", runbook="backfill", details={"n": 1})
    store.create_page_if_absent(page)
    conn = raw(db_path)
    [details] = conn.execute("SELECT details FROM pages").fetchone()
    conn.close()
    assert json.loads(details) == {"n": 1, "_kind": "notice", "_runbook": "backfill"}


# --------------------------------------------------------------------------- files of earlier versions


def _write_version_1_file(path: Path) -> None:
    """A file as the first oncall with a store wrote it: version-1 schema, one run, one page."""
    path.parent.mkdir(parents=True)
    conn = sqlite3.connect(path, isolation_level=None)
    for statement in MIGRATIONS[0]:
        conn.execute(statement)
    conn.execute("PRAGMA user_version = 1")
    stamp = "2026-11-21T09:00:00.000000+00:00"
    conn.execute(
        "INSERT INTO runs (run_id, runbook, pipeline, operator, status, started) "
        "VALUES ('r-old00001', 'backfill', 'orders', 'de1', 'running', ?)",
        (stamp,),
    )
    conn.execute(
        "INSERT INTO pages (page_id, dedup_key, target, urgency, severity, summary, details, "
        "responder, escalation, created, updated, next_escalation_at) "
        "VALUES ('p-old000000001', 'orders:freshness', 'orders', 'high', 'critical', 'stale', "
        "'{}', 'de1', '[\"de1\",\"de2\"]', ?, ?, ?)",
        (stamp, stamp, stamp),
    )
    conn.close()


def test_a_file_of_an_earlier_version_opens_with_its_records(db_path: Path) -> None:
    _write_version_1_file(db_path)
    with open_store(db_path) as opened:
        assert opened.schema_version() == SCHEMA_VERSION
        run = opened.latest_unfinished_run("backfill")
        assert run is not None and run.run_id == "r-old00001" and run.started == NOW
        [page] = opened.due_escalations(NOW)
        assert (page.page_id, page.escalation, page.status) == (
            "p-old000000001",
            ("de1", "de2"),
            "open",
        )
        acked = opened.acknowledge("orders:freshness", "de2", NOW + timedelta(minutes=1))
        assert acked.acked_by == "de2"


def test_migrations_only_add() -> None:
    """Released migrations are never edited: the first one keeps creating these six tables.

    No migration loses data: nothing is deleted or updated, and only indexes are dropped (the
    one-live-page index became one per team in migration 2).
    """
    created = [s.split("(")[0].split()[-1] for s in MIGRATIONS[0] if "CREATE TABLE" in s]
    assert created == ["runs", "steps", "events", "pages", "deliveries", "outbox"]
    assert SCHEMA_VERSION == len(MIGRATIONS) >= 2
    for migration in MIGRATIONS:
        for statement in migration:
            words = statement.lstrip().upper()
            assert not words.startswith(("DELETE", "UPDATE", "DROP TABLE", "ALTER TABLE DROP"))
            assert not words.startswith("DROP") or words.startswith("DROP INDEX")


@pytest.mark.parametrize("batched", [False, True], ids=["alone", "in-a-batch"])
def test_a_single_statement_write_that_fails_is_undone_alone(
    store: Store, db_path: Path, batched: bool
) -> None:
    """Single-statement writes (deliveries, completing, releasing) skip the savepoint inside
    a batch: a failed one is still undone whole, the batch's other writes kept, the same
    as one committed on its own."""
    assert isinstance(store, SqliteStore)
    page, _ = store.create_page_if_absent(make_page())
    first = store.enqueue(page.page_id, 0, ["slack"], NOW, NOW)
    second = store.enqueue(page.page_id, 1, ["slack"], NOW, NOW)
    store._conn.execute(  # this connection only: a delivery saying "boom" fails once inserted
        "CREATE TEMP TRIGGER boom AFTER INSERT ON deliveries WHEN NEW.detail = 'boom' "
        "BEGIN SELECT RAISE(ABORT, 'boom'); END"
    )
    with store.batch() if batched else contextlib.nullcontext():
        assert store.complete_outbox(first.id) is True
        store.record_delivery(page.page_id, 0, "slack", "de1", "sent", 1, "ok", NOW)
        with pytest.raises(StoreError, match="boom"):
            store.record_delivery(page.page_id, 0, "slack", "de1", "sent", 1, "boom", NOW)
        assert store.release_outbox(second.id, "down", NOW) is True
        assert store.complete_outbox(first.id) is False
    with open_store(db_path) as other:
        assert [d.detail for d in other.list_deliveries(page.page_id)] == ["ok"]
        [left] = other.outbox_items()
        assert (left.id, left.attempts, left.last_error) == (second.id, 1, "down")
