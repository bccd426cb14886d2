"""Two teams on one machine keep apart in every command that touches the store: ``page
flush`` (real local HTTP servers for each team's providers), dry runs, the doctor and the
Airflow callbacks."""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from tests.cli import test_page as harness
from tests.cli.test_page import Setup, T, run_json
from tests.conftest import Run
from tests.support.mailbox import free_port

providers = harness.providers
mailbox = harness.mailbox
setup = harness.setup


class Hook:
    """Team B's webhook receiver: a real local HTTP server counting what it is sent."""

    def __init__(self, server: HTTPServer) -> None:
        self.server = server
        self.bodies: list[dict[str, Any]] = []
        server.expect_request("/b-hook").respond_with_handler(self._handle)

    def _handle(self, request: Request) -> Response:
        self.bodies.append(json.loads(request.get_data() or b"{}"))
        return Response("ok", 200)


@pytest.fixture
def hook_b() -> Iterator[Hook]:
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    try:
        yield Hook(server)
    finally:
        server.clear()
        server.stop()


def set_team_id(config_dir: Path, team_id: str) -> None:
    owners = config_dir / "owners.yaml"
    owners.write_text(owners.read_text().replace("team:\n", f"team:\n  id: {team_id}\n", 1))


@pytest.fixture
def team_b(setup: Setup, hook_b: Hook, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A second project on the machine, paging through its own webhook only."""
    other = setup.config_dir.parent.parent / f"{setup.config_dir.parent.name}-b"
    shutil.copytree(setup.config_dir.parent, other)
    set_team_id(other / "config", "team-b")
    (other / "config" / "paging.yaml").write_text(
        "channels:\n  hook: {kind: webhook, url_env: TEAM_B_HOOK, retry_budget: 1s, "
        "timeout: 0.5s}\nurgency:\n  high: {channels: [hook], ack_timeout: 15m, repeat: 1}\n"
        "  low: {channels: [hook]}\n"
    )
    monkeypatch.setenv("TEAM_B_HOOK", hook_b.server.url_for("/b-hook"))
    return other / "config"


@pytest.fixture
def no_store_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("ONCALL_STATE_DB", raising=False)
    monkeypatch.delenv("ONCALL_STATE_URL", raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg-state"))
    return tmp_path / "xdg-state" / "oncall"


def as_team(monkeypatch: pytest.MonkeyPatch, config_dir: Path) -> None:
    monkeypatch.setenv("ONCALL_CONFIG_DIR", str(config_dir))


def queue_a_page(oncall: Run, setup: Setup) -> str:
    """Team A pages while its providers are down: exit 3, the page kept in its outbox."""
    setup.providers.fault = lambda kind, body: Response("down", 503)
    setup.write(smtp_port=free_port(), email_budget="0.2s")
    result = oncall("page", "aggregate-profit", "--summary", "stale", "--now", T, "--json")
    assert result.exit_code == 3, (result.stdout, result.stderr)
    page_id: str = json.loads(result.stdout)["page_id"]
    setup.providers.fault = None
    setup.write()
    return page_id


def test_flush_in_team_b_never_sends_team_as_queued_page(
    oncall: Run,
    setup: Setup,
    team_b: Path,
    hook_b: Hook,
    no_store_named: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    page_id = queue_a_page(oncall, setup)
    before = setup.providers.requests()

    as_team(monkeypatch, team_b)
    flushed = run_json(oncall, "page", "flush", "--now", "2026-11-18T13:00")
    assert flushed["items"] == [] and flushed["remaining"] == 0
    assert hook_b.bodies == [] and setup.providers.requests() == before
    assert run_json(oncall, "page", "list") == []
    shown = oncall("page", "show", page_id)
    assert shown.exit_code != 0 and page_id in shown.stderr

    as_team(monkeypatch, setup.config_dir)
    done = run_json(oncall, "page", "flush", "--now", "2026-11-18T13:00")
    assert [(i["page_id"], i["outcome"]) for i in done["items"]] == [(page_id, "sent")]
    assert len(setup.providers.pd_events("trigger")) == 1 and hook_b.bodies == []
    files = sorted(p.name for p in no_store_named.glob("*.db"))
    assert files == sorted({"team-b.db", f"{run_json(oncall, 'store', 'info')['team']}.db"})


def test_a_dry_run_sees_its_own_teams_open_page_only(
    oncall: Run,
    setup: Setup,
    team_b: Path,
    no_store_named: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sent = run_json(oncall, "page", "aggregate-profit", "--summary", "stale", "--now", T)
    assert sent["outcome"] == "delivered"
    dry = run_json(
        oncall, "page", "aggregate-profit", "--summary", "stale", "--now", T, "--dry-run"
    )
    assert {d["status"] for d in dry["deliveries"]} == {"suppressed"}
    assert sent["page_id"] in dry["deliveries"][0]["detail"]

    as_team(monkeypatch, team_b)
    other = run_json(
        oncall, "page", "aggregate-profit", "--summary", "stale", "--now", T, "--dry-run"
    )
    assert "suppressed" not in {d["status"] for d in other["deliveries"]}
    assert not (no_store_named / "team-b.db").exists()  # a dry run creates no store


def test_the_doctor_counts_its_own_teams_outbox_on_a_shared_store(
    oncall: Run,
    setup: Setup,
    team_b: Path,
    postgres_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ONCALL_STATE_URL", postgres_url)
    set_team_id(setup.config_dir, f"a-{uuid.uuid4().hex[:8]}")
    set_team_id(team_b, f"b-{uuid.uuid4().hex[:8]}")
    queue_a_page(oncall, setup)

    def store_check() -> dict[str, Any]:
        result = oncall("doctor", "--now", T, "--json")
        checks = {c["name"]: c for c in json.loads(result.stdout)["checks"]}
        return checks["store"]  # type: ignore[no-any-return]

    mine = store_check()
    assert mine["status"] == "warn" and "1 page(s) wait in the outbox" in mine["detail"]
    assert "postgresql://oncall@127.0.0.1:" in mine["detail"]
    as_team(monkeypatch, team_b)
    theirs = store_check()
    assert theirs["status"] == "ok" and "wait in the outbox" not in theirs["detail"]


def test_airflow_callbacks_page_into_the_teams_store(
    oncall: Run, setup: Setup, no_store_named: Path
) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from oncall.integrations.airflow import make_callbacks
    from tests.support.airflow_context import failure_context, make_dag, make_ti
    from tests.support.store import open_cli_store

    now = datetime(2026, 11, 18, 11, 0, tzinfo=ZoneInfo("Asia/Kolkata"))
    callbacks = make_callbacks(config_dir=setup.config_dir, clock=lambda: now)
    dag = make_dag()
    result = callbacks.page_failure(failure_context(dag, make_ti(dag), exception=RuntimeError("x")))
    assert result is not None and result.outcome == "delivered"
    team = run_json(oncall, "store", "info")["team"]
    assert (no_store_named / f"{team}.db").is_file()
    assert not (no_store_named / "oncall.db").exists()  # not the old shared file
    with open_cli_store() as store:
        assert [p.page_id for p in store.list_pages()] == [result.page_id]


def test_airflow_callbacks_still_page_when_the_store_is_down(
    oncall: Run, setup: Setup, no_store_named: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from oncall.integrations.airflow import make_callbacks
    from tests.support.airflow_context import failure_context, make_dag, make_ti

    monkeypatch.setenv("ONCALL_STATE_URL", f"postgresql://oncall@127.0.0.1:{free_port()}/oncall")
    now = datetime(2026, 11, 18, 11, 0, tzinfo=ZoneInfo("Asia/Kolkata"))
    callbacks = make_callbacks(config_dir=setup.config_dir, clock=lambda: now)
    dag = make_dag()
    result = callbacks.page_failure(failure_context(dag, make_ti(dag), exception=RuntimeError("x")))
    assert result is not None and result.outcome == "delivered"
    assert len(setup.providers.pd_events("trigger")) == 1
    [spool] = no_store_named.glob("spool-*.jsonl")
    [line] = spool.read_text().splitlines()
    assert json.loads(line)["page"]["page_id"] == result.page_id
