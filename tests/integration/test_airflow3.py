"""``oncall.integrations.airflow`` with contexts shaped as Airflow 3.3 passes them (field
names from Airflow's own source; the real Airflow runs in test_airflow_real.py): every hook
returns None and never raises, deadline pages name the run, try numbers are numbers and log
links point at the configured Airflow UI."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from oncall.integrations.airflow import deadline_callback, deadline_callback_sync, make_callbacks
from tests.cli import test_page as harness
from tests.cli.test_page import Setup
from tests.support.airflow_context import (
    AIRFLOW3_RUN_ID,
    airflow3_deadline_context,
    airflow3_task_context,
    dag_failure_context,
    failure_context,
    make_dag,
    sla_miss,
)

providers = harness.providers
mailbox = harness.mailbox
setup = harness.setup

NOW = datetime(2026, 11, 18, 11, 0, tzinfo=ZoneInfo("Asia/Kolkata"))


@pytest.fixture
def callbacks(setup: Setup, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.delenv("AIRFLOW__API__BASE_URL", raising=False)
    return make_callbacks(config_dir=setup.config_dir, clock=lambda: NOW)


def test_every_hook_returns_none_and_still_pages(setup: Setup, callbacks: Any) -> None:
    dag = make_dag()
    hooks: list[tuple[str, Any]] = [
        ("task failure", lambda: callbacks.on_failure_callback(failure_context(dag))),
        ("DAG failure", lambda: callbacks.on_dag_failure_callback(dag_failure_context(dag))),
        ("task success", lambda: callbacks.on_success_callback(failure_context(dag))),
        ("DAG success", lambda: callbacks.on_success_callback(dag_failure_context(dag, "success"))),
        ("SLA", lambda: callbacks.sla_miss_callback(dag, "", "", [sla_miss("t")], [])),
        (
            "deadline",
            lambda: callbacks.on_deadline_missed(
                airflow3_deadline_context(), pipeline="aggregate-profit"
            ),
        ),
    ]
    for name, hook in hooks:
        assert hook() is None, name
    triggers = setup.providers.pd_events("trigger")
    assert len(triggers) == 4  # task, DAG, SLA, deadline
    assert len(setup.providers.pd_events("resolve")) == 2  # the task page and the DAG page


def test_airflow3_deadline_page_names_the_run_once(setup: Setup, callbacks: Any) -> None:
    context = airflow3_deadline_context()
    first = callbacks.page_deadline(context, pipeline="aggregate-profit")
    # A triggerer restart runs the callback again: the same page, not a second one.
    again = callbacks.page_deadline(airflow3_deadline_context(), pipeline="aggregate-profit")
    assert (first.outcome, again.outcome) == ("delivered", "suppressed")
    (event,) = setup.providers.pd_events("trigger")
    harness.pagerduty_validator().validate(event)
    summary = event["payload"]["summary"]
    assert AIRFLOW3_RUN_ID in summary and "None" not in summary
    details = event["payload"]["custom_details"]["details"]
    assert details["run_id"] == AIRFLOW3_RUN_ID
    assert details["reason"] == "deadline 2026-11-18T05:20:21+00:00"
    assert event["payload"]["component"] == "aggregate-profit"


def test_a_deadline_without_a_pipeline_kwarg_pages_nobody_and_says_why(
    setup: Setup, callbacks: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="oncall")
    assert callbacks.page_deadline(airflow3_deadline_context()) is None
    assert setup.providers.requests() == 0
    assert any("names no pipeline" in r.getMessage() for r in caplog.records)


def test_another_run_is_another_deadline_page(setup: Setup, callbacks: Any) -> None:
    callbacks.page_deadline(airflow3_deadline_context(), pipeline="aggregate-profit")
    callbacks.page_deadline(airflow3_deadline_context("manual__2"), pipeline="aggregate-profit")
    assert len(setup.providers.pd_events("trigger")) == 2


def test_the_async_deadline_callback_returns_none_and_never_raises(
    setup: Setup, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="oncall")
    context = airflow3_deadline_context()
    ok = deadline_callback(context, pipeline="aggregate-profit", config_dir=str(setup.config_dir))
    assert asyncio.iscoroutine(ok)
    assert asyncio.run(ok) is None
    assert len(setup.providers.pd_events("trigger")) == 1
    missing = str(tmp_path / "no-such-config")
    assert asyncio.run(deadline_callback(context, pipeline="x", config_dir=missing)) is None
    assert deadline_callback_sync(context, pipeline="x", config_dir=missing) is None
    assert any("could not page" in r.getMessage() for r in caplog.records)
    assert len(setup.providers.pd_events("trigger")) == 1


def test_airflow3_task_page_sends_the_try_as_a_number_and_masks_the_password(
    setup: Setup, callbacks: Any
) -> None:
    dag = make_dag()
    result = callbacks.page_failure(airflow3_task_context(dag, try_number="3"))
    assert result.outcome == "delivered"
    (event,) = setup.providers.pd_events("trigger")
    harness.pagerduty_validator().validate(event)
    details = event["payload"]["custom_details"]["details"]
    assert details["try_number"] == 3
    assert details["run_id"] == AIRFLOW3_RUN_ID and "logical_date" not in details
    assert "hunter2" not in details["exception"]
    assert "postgresql://****@db.internal/x" in details["exception"]
    assert f"run {AIRFLOW3_RUN_ID}, try 3" in event["payload"]["summary"]


def test_log_links_use_the_configured_airflow_ui(
    setup: Setup, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="oncall")
    dag = make_dag()
    path = f"/dags/{dag.dag_id}/runs/{AIRFLOW3_RUN_ID}/tasks/load_fact_profit?try_number=1"
    monkeypatch.delenv("AIRFLOW__API__BASE_URL", raising=False)

    def log_url(callbacks: Any, run: str) -> str:
        callbacks.page_failure(airflow3_task_context(dag, run_id=run))
        event = setup.providers.pd_events("trigger")[-1]
        return str(event["payload"]["custom_details"]["details"]["log_url"])

    # Unset everywhere: Airflow's own default, and a warning saying how to fix it.
    plain = make_callbacks(config_dir=setup.config_dir, clock=lambda: NOW)
    assert log_url(plain, AIRFLOW3_RUN_ID) == "http://localhost:8080" + path
    assert any("[api] base_url" in r.getMessage() for r in caplog.records)
    # Given to make_callbacks, or set for Airflow ($AIRFLOW__API__BASE_URL): used.
    given = make_callbacks(
        config_dir=setup.config_dir, clock=lambda: NOW, base_url="https://airflow.example.com/"
    )
    url = log_url(given, "r2")
    assert url.startswith("https://airflow.example.com/dags/investor_profit_daily/runs/r2/")
    monkeypatch.setenv("AIRFLOW__API__BASE_URL", "https://composer.example.com/x")
    assert log_url(plain, "r3").startswith("https://composer.example.com/x/dags/")
    # A log URL already on a real host is left alone.
    ctx = airflow3_task_context(dag, run_id="r4", log_base="https://ui.example.com")
    given.page_failure(ctx)
    event = setup.providers.pd_events("trigger")[-1]
    assert event["payload"]["custom_details"]["details"]["log_url"].startswith(
        "https://ui.example.com/dags/"
    )


class _Unreadable(dict[str, Any]):
    """A context whose every lookup fails (as a broken Context proxy would)."""

    def __contains__(self, key: object) -> bool:
        raise RuntimeError("unreadable context")

    def get(self, *args: Any) -> Any:
        raise RuntimeError("unreadable context")


def test_the_factory_hooks_never_raise_on_an_odd_context(
    setup: Setup, callbacks: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="oncall")
    for context in (None, 5, _Unreadable()):
        for hook in (
            callbacks.on_failure_callback,
            callbacks.on_dag_failure_callback,
            callbacks.on_success_callback,
            callbacks.on_deadline_missed,
        ):
            assert hook(context) is None
        assert callbacks.page_failure(context) is None
        assert callbacks.resolve_success(context) is None
    assert any("could not page" in r.getMessage() for r in caplog.records)
    assert not setup.providers.pd_events("trigger")
