"""The store unreachable (PostgreSQL stopped, the SQLite file locked, unwritable, corrupt or
read-only): ``oncall page`` still delivers to the (real, local) providers, says repeats cannot
be suppressed, and spools the page (JSON Lines, 0600, in the user state dir); the next command
that reaches the store writes it back, with nothing lost or doubled."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from werkzeug import Response

from tests.cli import test_page as harness
from tests.cli.test_page import Setup, T, run_json
from tests.conftest import Run
from tests.support.mailbox import free_port
from tests.support.postgres import PostgresServer
from tests.support.store import open_cli_store

providers = harness.providers
mailbox = harness.mailbox
setup = harness.setup

REPEATS = "repeats cannot be suppressed"


@pytest.fixture
def state_home(setup: Setup, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("ONCALL_STATE_DB", raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg-state"))
    return tmp_path / "xdg-state" / "oncall"


@pytest.fixture
def short_busy_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """A locked file gives up after 0.2s instead of 10s (a real lock, a short wait)."""
    monkeypatch.setattr("oncall.adapters.store.sqlite.base.BUSY_TIMEOUT", timedelta(seconds=0.2))


def spooled(state_home: Path) -> list[dict[str, Any]]:
    [spool] = state_home.glob("spool-*.jsonl")
    assert spool.stat().st_mode & 0o777 == 0o600
    return [json.loads(line) for line in spool.read_text().splitlines()]


def page(oncall: Run, code: int = 0, summary: str = "stale") -> tuple[dict[str, Any], str]:
    result = oncall("page", "aggregate-profit", "--summary", summary, "--now", T, "--json")
    assert result.exit_code == code, (result.stdout, result.stderr)
    return json.loads(result.stdout), result.stderr


def sent(setup: Setup) -> tuple[int, int]:
    return len(setup.providers.pd_events("trigger")), len(setup.providers.accepted("slack"))


def assert_written_back_once(oncall: Run, state_home: Path, page_id: str) -> None:
    back = oncall("page", "show", page_id, "--json")
    assert back.exit_code == 0, back.stderr
    assert "wrote 1 page(s) sent while the store was unreachable back" in back.stderr
    shown = json.loads(back.stdout)
    assert shown["page_id"] == page_id
    assert sorted(d["channel"] for d in shown["deliveries"]) == ["pagerduty", "slack"]
    assert not list(state_home.glob("spool-*"))
    again = oncall("page", "list", "--json")
    assert "wrote" not in again.stderr
    assert [p["page_id"] for p in json.loads(again.stdout)] == [page_id]


def test_postgresql_stopped_the_page_is_delivered_spooled_and_written_back(
    oncall: Run,
    setup: Setup,
    state_home: Path,
    own_postgres: PostgresServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ONCALL_STATE_URL", own_postgres.url)
    assert oncall("store", "migrate").exit_code == 0
    own_postgres.halt()

    data, stderr = page(oncall)
    assert data["outcome"] == "delivered" and sent(setup) == (1, 1)
    assert REPEATS in stderr and "cannot reach the PostgreSQL store" in stderr
    [line] = spooled(state_home)
    assert line["page"]["page_id"] == data["page_id"]
    assert sorted(d["channel"] for d in line["deliveries"]) == ["pagerduty", "slack"]
    listed = oncall("page", "list")
    assert listed.exit_code == 3 and len(spooled(state_home)) == 1  # still kept

    own_postgres.resume()
    assert_written_back_once(oncall, state_home, data["page_id"])
    assert sent(setup) == (1, 1)
    suppressed, _ = page(oncall)  # the store is back: repeats are suppressed again
    assert suppressed["outcome"] == "suppressed" and sent(setup) == (1, 1)


def test_a_locked_sqlite_file_the_page_is_delivered_spooled_and_written_back(
    oncall: Run, setup: Setup, state_home: Path, short_busy_timeout: None
) -> None:
    where = Path(run_json(oncall, "store", "info")["where"])
    holder = sqlite3.connect(where, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        data, stderr = page(oncall)
        assert data["outcome"] == "delivered" and REPEATS in stderr and "locked" in stderr
        assert [line["page"]["page_id"] for line in spooled(state_home)] == [data["page_id"]]
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert_written_back_once(oncall, state_home, data["page_id"])
    assert sent(setup) == (1, 1)


def _unwritable_dir(tmp_path: Path) -> Path:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory\n")
    return blocker / "oncall.db"


def _corrupt_file(tmp_path: Path) -> Path:
    bad = tmp_path / "corrupt.db"
    bad.write_bytes(b"this is not a SQLite database\n" * 200)
    return bad


def _read_only_dir(tmp_path: Path) -> Path:
    if os.geteuid() == 0:
        pytest.skip("root writes to read-only directories: covered by the other cases")
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    return ro / "oncall.db"


@pytest.mark.parametrize("broken", [_unwritable_dir, _corrupt_file, _read_only_dir])
def test_an_unusable_sqlite_store_the_page_is_delivered_spooled_and_written_back(
    oncall: Run,
    setup: Setup,
    state_home: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    broken: Callable[[Path], Path],
) -> None:
    monkeypatch.setenv("ONCALL_STATE_DB", str(broken(tmp_path)))
    data, stderr = page(oncall)
    assert data["outcome"] == "delivered" and REPEATS in stderr and sent(setup) == (1, 1)
    assert len(spooled(state_home)) == 1
    monkeypatch.setenv("ONCALL_STATE_DB", str(tmp_path / "fixed" / "oncall.db"))
    assert_written_back_once(oncall, state_home, data["page_id"])


def test_nothing_delivered_and_no_store_exits_3_and_flush_sends_it_once(
    oncall: Run, setup: Setup, state_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ONCALL_STATE_DB", str(_unwritable_dir(tmp_path)))
    setup.providers.fault = lambda kind, body: Response("down", 503)
    setup.write(smtp_port=free_port(), email_budget="0.2s")
    data, stderr = page(oncall, code=3)
    assert data["outcome"] == "undelivered" and REPEATS in stderr
    [line] = spooled(state_home)
    assert [q["channels"] for q in line["queued"]] == [["pagerduty", "slack"]]

    setup.providers.fault = None
    setup.write()
    monkeypatch.setenv("ONCALL_STATE_DB", str(tmp_path / "fixed" / "oncall.db"))
    flushed = oncall("page", "flush", "--now", T, "--json")
    assert flushed.exit_code == 0, flushed.stderr
    assert "wrote 1 page(s)" in flushed.stderr
    items = json.loads(flushed.stdout)["items"]
    assert [(i["page_id"], i["outcome"]) for i in items] == [(data["page_id"], "sent")]
    assert sent(setup) == (1, 1)
    again = run_json(oncall, "page", "flush", "--now", "2026-11-18T13:00")
    assert again["items"] == [] and sent(setup) == (1, 1)
    with open_cli_store() as store:
        assert [p.page_id for p in store.list_pages()] == [data["page_id"]]
        assert store.outbox_items() == []
