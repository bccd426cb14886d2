"""A real Apache Airflow 3 calls ``oncall.integrations.airflow``, wired as
docs/integrations.md shows, against the loopback PagerDuty and Slack stand-ins.

* installing this project into Airflow's environment leaves ``pip check`` clean and Airflow's
  typer as it was; usage errors still exit 2 with Airflow's (vendored-click) typer;
* ``airflow dags test`` on a failing DAG: the task page and the DAG page, each once, with
  DAG, task, run, try (a number) and the right responder, the password masked;
* the scheduler, dag-processor, triggerer and API server on 127.0.0.1 for a bounded time: a
  ``DeadlineAlert`` pages once, names the run, and the triggerer is still alive after it;
  the failing DAG's run, cleared once the cause is fixed, succeeds and resolves both the
  task page and the DAG page.

The Airflow environment is built once per Airflow/Python/dependency key and cached
(tests/support/airflow_env.py); every process the tests start is stopped again.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.cli import test_page as harness
from tests.cli.test_page import PD_KEY, Setup, assert_no_secrets, free_port, who
from tests.conftest import Run
from tests.support.airflow_env import (
    AirflowVenv,
    Components,
    airflow_env,
    airflow_venv,
    session_members,
)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1500)]

providers = harness.providers
mailbox = harness.mailbox
setup = harness.setup

PASSWORD = "hunter2pw"
LOGICAL = "2026-11-18T00:00:00+00:00"
BUDGET = 300.0  # seconds for each wait on Airflow's own processes (a loaded 2-core runner)

# The DAG file: exactly the wiring of docs/integrations.md, with a task that fails until a
# marker file exists (so the same run, cleared, can then succeed), and a deadline a few
# seconds after the run is queued, with a task that outlasts it. Both run once by themselves
# when a scheduler runs (no `airflow dags trigger`: a CLI call costs seconds).
DAGS = """
import datetime as dt
import os
import time
from pathlib import Path

from airflow.sdk import DAG, AsyncCallback, DeadlineAlert, DeadlineReference, task

from oncall.integrations.airflow import make_callbacks

oncall = make_callbacks(
    config_dir={config_dir!r},
    severity="error",
    deadline_severity="warning",
)

with DAG(
    "investor_profit_daily",
    schedule="@once",
    start_date=dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc),
    tags=["finance", "oncall:aggregate-profit"],
    default_args={{
        "retries": 0,
        "on_failure_callback": oncall.on_failure_callback,
        "on_success_callback": oncall.on_success_callback,
    }},
    on_failure_callback=oncall.on_dag_failure_callback,
    on_success_callback=oncall.on_success_callback,
):

    @task
    def load_fact_profit():
        if not Path({marker!r}).exists():
            raise RuntimeError("load failed: postgresql://etl:{password}@db.internal/warehouse")

    load_fact_profit()

with DAG(
    "investor_profit_deadline",
    schedule="@once",
    start_date=dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc),
    tags=["finance", "oncall:aggregate-profit"],
    deadline=DeadlineAlert(
        reference=DeadlineReference.DAGRUN_QUEUED_AT,
        interval=dt.timedelta(seconds=5),
        callback=AsyncCallback(
            "oncall.integrations.airflow.deadline_callback",
            kwargs={{"pipeline": "aggregate-profit", "config_dir": {config_dir!r}}},
        ),
    ),
):

    @task
    def slow_load():
        time.sleep(20)

    slow_load()
"""


@pytest.fixture(scope="session")
def venv(tmp_path_factory: pytest.TempPathFactory) -> AirflowVenv:
    return airflow_venv(tmp_path_factory.mktemp("airflow-venv-work"))


@pytest.fixture
def airflow(
    venv: AirflowVenv, setup: Setup, tmp_path: Path
) -> Iterator[tuple[Components, Callable[..., Any]]]:
    """An AIRFLOW_HOME with the DAG file and a migrated database; the components started
    through the returned ``Components`` are all stopped afterwards."""
    setup.write(channels=("pagerduty", "slack"), low="[slack]")
    home = tmp_path / "airflow"
    (home / "dags").mkdir(parents=True)
    marker = tmp_path / "fixed"
    (home / "dags" / "profit.py").write_text(
        DAGS.format(config_dir=str(setup.config_dir), marker=str(marker), password=PASSWORD)
    )
    port = free_port()
    env = airflow_env(home, port, os.environ)  # ONCALL_* config, store and secrets included
    components = Components(venv, env, home)

    def airflow_cli(*args: str, timeout: float = BUDGET) -> Any:
        return venv.run("airflow", *args, timeout=timeout, env=env)

    migrated = airflow_cli("db", "migrate")
    assert migrated.returncode == 0, migrated.stdout[-2000:] + migrated.stderr[-2000:]
    airflow_cli.port = port  # type: ignore[attr-defined]
    airflow_cli.marker = marker  # type: ignore[attr-defined]
    airflow_cli.home = home  # type: ignore[attr-defined]
    try:
        yield components, airflow_cli
    finally:
        components.stop()
        assert not list(session_members({p.pid for p in components.procs.values()}))


def responder_now(oncall: Run) -> tuple[str, list[str]]:
    """Airflow pages at the real time: who is on call for aggregate-profit now."""
    now = datetime.now(ZoneInfo("Asia/Kolkata")).strftime("%Y-%m-%dT%H:%M")
    return who(oncall, "aggregate-profit", now)


def test_installing_into_airflow_keeps_pip_check_clean_and_its_typer(venv: AirflowVenv) -> None:
    check = venv.run("python", "-m", "pip", "check", timeout=120)
    assert check.returncode == 0, check.stdout + check.stderr
    assert venv.with_oncall["oncall-cli"]
    assert venv.with_oncall["typer"] == venv.airflow_only["typer"]  # not downgraded
    changed = {
        name: (old, venv.with_oncall.get(name))
        for name, old in venv.airflow_only.items()
        if venv.with_oncall.get(name) != old
    }
    # holidays pins python-dateutil<3 (Airflow asks only >=2.7): the one allowed change.
    assert set(changed) <= {"python-dateutil"}, changed
    # Airflow's typer (0.26+ vendors click): a usage error is still a usage error.
    bogus = venv.run("oncall", "who", "--bogus", timeout=120)
    assert bogus.returncode == 2, bogus.stderr
    assert "No such option" in bogus.stderr and "internal error" not in bogus.stderr


def test_dags_test_pages_the_task_and_the_dag_once(
    airflow: tuple[Components, Any], setup: Setup, oncall: Run
) -> None:
    _, airflow_cli = airflow
    responder, chain = responder_now(oncall)
    failed = airflow_cli("dags", "test", "investor_profit_daily", LOGICAL)
    assert failed.returncode == 1, failed.stdout[-3000:]  # `dags test` exits 1 on a failed run
    triggers = setup.providers.pd_events("trigger")
    assert len(triggers) == 2, failed.stdout[-3000:]
    validator = harness.pagerduty_validator()
    for event in triggers:
        validator.validate(event)
        assert event["routing_key"] == PD_KEY
        assert event["payload"]["component"] == "aggregate-profit"
        custom = event["payload"]["custom_details"]
        assert custom["responder"] == responder and custom["escalation"] == chain
    task_page, dag_page = sorted(triggers, key=lambda e: "task_id" not in _details(e))
    task, dag = _details(task_page), _details(dag_page)
    run_id = task["run_id"]
    assert run_id.startswith("manual__20")
    assert task["dag_id"] == dag["dag_id"] == "investor_profit_daily"
    assert task["task_id"] == "load_fact_profit" and task["try_number"] == 1
    assert task["log_url"].startswith(
        f"http://127.0.0.1:{airflow_cli.port}/dags/investor_profit_daily/runs/"
    )
    assert task["exception"].startswith("RuntimeError: load failed: postgresql://****@")
    assert "task_id" not in dag and dag["run_id"] == run_id and dag["reason"] == "task_failure"
    assert f"run {run_id}, try 1" in task_page["payload"]["summary"]
    assert task_page["dedup_key"] != dag_page["dedup_key"]
    assert_no_secrets(str([e["payload"] for e in triggers]))  # the routing key is one
    assert PASSWORD not in str(setup.providers.accepted())


def test_deadline_pages_once_and_the_triggerer_lives_and_a_cleared_run_resolves(
    airflow: tuple[Components, Any], setup: Setup, oncall: Run
) -> None:
    components, airflow_cli = airflow
    responder, _ = responder_now(oncall)
    port = airflow_cli.port
    components.start("api-server", "api-server", "--host", "127.0.0.1", "--port", str(port))
    components.start("scheduler", "scheduler", "--skip-serve-logs")
    components.start("dag-processor", "dag-processor")
    components.start("triggerer", "triggerer", "--skip-serve-logs")
    started = time.monotonic()

    def deadline_pages() -> list[dict[str, Any]]:
        return [
            e
            for e in setup.providers.pd_events("trigger")
            if e["payload"]["summary"].startswith("Airflow deadline missed")
        ]

    def wait_for(what: str, done: Callable[[], bool]) -> None:
        while not done():
            assert not components.dead(), {n: components.log_tail(n) for n in components.dead()}
            assert time.monotonic() - started < BUDGET, (what, components.log_tail("triggerer"))
            time.sleep(1)

    wait_for("three pages", lambda: len(setup.providers.pd_events("trigger")) >= 3)
    wait_for("the deadline page", lambda: bool(deadline_pages()))
    # The callback's aftermath (Airflow stores its return value): the triggerer survives it.
    settle = time.monotonic() + 10
    while time.monotonic() < settle:
        assert components.procs["triggerer"].poll() is None, components.log_tail("triggerer")
        time.sleep(1)
    (page,) = deadline_pages()
    harness.pagerduty_validator().validate(page)
    details = _details(page)
    run_id = details["run_id"]
    assert run_id.startswith("scheduled__2026-01-01"), details
    summary = page["payload"]["summary"]
    assert f"(run {run_id})" in summary and "None" not in summary
    assert details["dag_id"] == "investor_profit_deadline"
    assert details["reason"].startswith("deadline 20")
    assert page["payload"]["custom_details"]["responder"] == responder
    assert page["payload"]["severity"] == "warning"
    with sqlite3.connect(airflow_cli.home / "airflow.db") as db:
        rows = db.execute("SELECT state, output FROM callback").fetchall()
    assert rows == [("success", None)], rows
    # The failing DAG paged its task and its run once each; fixed and cleared, the same run
    # succeeds and both pages resolve (the DAG's on_success_callback resolves the DAG page).
    failures = [e for e in setup.providers.pd_events("trigger") if e not in deadline_pages()]
    assert len(failures) == 2, failures
    assert {_details(e)["run_id"] for e in failures} == {"scheduled__2026-01-01T00:00:00+00:00"}
    airflow_cli.marker.write_text("fixed")
    cleared = airflow_cli("tasks", "clear", "investor_profit_daily", "--yes")
    assert cleared.returncode == 0, cleared.stdout[-2000:] + cleared.stderr[-2000:]
    wait_for("two resolves", lambda: len(setup.providers.pd_events("resolve")) >= 2)
    resolved = [e["dedup_key"] for e in setup.providers.pd_events("resolve")]
    assert sorted(resolved) == sorted(e["dedup_key"] for e in failures)
    assert len(setup.providers.pd_events("trigger")) == 3  # nothing paged again
    assert not components.dead()
    _assert_loopback_only(components)


def _details(event: dict[str, Any]) -> dict[str, Any]:
    return dict(event["payload"]["custom_details"]["details"])


def _assert_loopback_only(components: Components) -> None:
    """Every socket our Airflow processes listen on is bound to 127.0.0.1."""
    pids = set(session_members({p.pid for p in components.procs.values()}))
    inodes: set[str] = set()
    for pid in pids:
        fd_dir = Path(f"/proc/{pid}/fd")
        try:
            for fd in fd_dir.iterdir():
                target = os.readlink(fd)
                if target.startswith("socket:["):
                    inodes.add(target[8:-1])
        except (FileNotFoundError, PermissionError, ProcessLookupError):
            continue
    listening = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and fields[9] in inodes:  # LISTEN
                listening.append(fields[1])
    assert listening, "the API server listens somewhere"
    for local in listening:
        address = local.split(":")[0]
        assert address in ("0100007F", "00000000000000000000000001000000"), (
            f"an Airflow process listens on {local} (not 127.0.0.1)"
        )
