"""``oncall.integrations.airflow``: callbacks called as Airflow calls them, against the local
PagerDuty, Slack, webhook (pytest-httpserver) and SMTP (aiosmtpd) servers."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from werkzeug import Response

from oncall.integrations.airflow import (
    compute_dedup_key,
    deadline_callback,
    make_callbacks,
    on_failure_callback,
    read_failure,
    resolve_pipeline_name,
)
from tests.cli import test_page as harness
from tests.cli.test_page import SECRETS, Setup, assert_no_secrets, free_port, run_json, who
from tests.conftest import Run
from tests.support.airflow_context import (
    LOGICAL,
    RUN_ID,
    dag_failure_context,
    failure_context,
    make_dag,
    make_ti,
    sla_miss,
)

providers = harness.providers
mailbox = harness.mailbox
setup = harness.setup

T = "2026-11-18T11:00"
NOW = datetime(2026, 11, 18, 11, 0, tzinfo=ZoneInfo("Asia/Kolkata"))


@pytest.fixture
def callbacks(setup: Setup) -> Any:
    return make_callbacks(config_dir=setup.config_dir, clock=lambda: NOW)


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO, logger="oncall")
    return caplog


def ours(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name.startswith("oncall")]


def all_down(setup: Setup) -> None:
    setup.providers.fault = lambda kind, body: Response("down", 503)
    setup.write(smtp_port=free_port())  # email would catch the fall-through


# --------------------------------------------------------------------------- paging


def test_task_failure_pages_the_responder_with_the_airflow_details(
    oncall: Run, setup: Setup, callbacks: Any, logs: pytest.LogCaptureFixture
) -> None:
    responder, chain = who(oncall, "aggregate-profit", T)
    dag = make_dag()
    ti = make_ti(dag, try_number=2)
    result = callbacks.page_failure(
        failure_context(dag, ti, exception=RuntimeError("BigQuery job failed: quota"))
    )
    assert result is not None and result.outcome == "delivered"
    (event,) = setup.providers.pd_events("trigger")
    harness.pagerduty_validator().validate(event)
    payload = event["payload"]
    assert payload["component"] == "aggregate-profit"
    assert payload["severity"] == "error"
    assert "investor_profit_daily.load_fact_profit" in payload["summary"]
    custom = payload["custom_details"]
    assert custom["responder"] == responder and custom["escalation"] == chain
    assert custom["details"] == {
        "source": "airflow",
        "dag_id": "investor_profit_daily",
        "task_id": "load_fact_profit",
        "run_id": RUN_ID,
        "try_number": 2,  # a number, as Airflow counts it
        "logical_date": LOGICAL.isoformat(),
        "log_url": ti.log_url,
        "exception": "RuntimeError: BigQuery job failed: quota",
    }
    assert event["dedup_key"] == compute_dedup_key(
        "aggregate-profit", "task", read_failure(failure_context(dag, ti))
    )
    (message,) = setup.providers.accepted("slack")
    assert message["text"].startswith(f"<@U01DE000{responder[-1]}>")
    messages = [r.getMessage() for r in ours(logs)]
    assert any(f"paged {responder} for aggregate-profit" in m for m in messages), messages


def test_the_same_failure_again_is_one_page(setup: Setup, callbacks: Any) -> None:
    dag = make_dag()
    first = callbacks.page_failure(failure_context(dag, make_ti(dag, try_number=1)))
    again = callbacks.page_failure(failure_context(dag, make_ti(dag, try_number=2)))
    assert (first.outcome, again.outcome) == ("delivered", "suppressed")
    assert again.page_id == first.page_id
    assert len(setup.providers.pd_events("trigger")) == 1
    assert len(setup.providers.accepted("slack")) == 1
    # Another task, or another run, is another page.
    other_task = callbacks.page_failure(failure_context(dag, make_ti(dag, "extract")))
    other_run = callbacks.page_failure(failure_context(dag, run_id="manual__2026-11-18"))
    assert other_task.outcome == other_run.outcome == "delivered"
    assert len({first.dedup_key, other_task.dedup_key, other_run.dedup_key}) == 3


def test_success_after_a_failed_try_resolves_the_page(
    oncall: Run, setup: Setup, callbacks: Any
) -> None:
    dag = make_dag()
    page = callbacks.page_failure(failure_context(dag, make_ti(dag, try_number=1)))
    done = callbacks.resolve_success(failure_context(dag, make_ti(dag, try_number=2)))
    assert done is not None and done.status == "resolved" and done.page_id == page.page_id
    (resolve,) = setup.providers.pd_events("resolve")
    assert resolve["dedup_key"] == page.dedup_key
    (stored,) = run_json(oncall, "page", "list")
    assert stored["status"] == "resolved"
    # A success with nothing open does nothing and tells nobody.
    before = setup.providers.requests()
    assert callbacks.resolve_success(failure_context(dag, make_ti(dag, "other"))) is None
    assert setup.providers.requests() == before


def test_success_without_any_store_does_nothing(
    setup: Setup, callbacks: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ONCALL_STATE_DB", str(tmp_path / "none" / "oncall.db"))
    assert callbacks.resolve_success(failure_context(make_dag())) is None
    assert not (tmp_path / "none").exists()


def test_dag_level_failure_is_one_page_per_run(setup: Setup, callbacks: Any) -> None:
    dag = make_dag()
    first = callbacks.page_failure(dag_failure_context(dag, last_task="a"))
    again = callbacks.page_dag_failure(dag_failure_context(dag, last_task="b"))
    assert (first.outcome, again.outcome) == ("delivered", "suppressed")
    (event,) = setup.providers.pd_events("trigger")
    details = event["payload"]["custom_details"]["details"]
    assert details["reason"] == "task_failure"
    assert "task_id" not in details and details["run_id"] == RUN_ID
    assert event["payload"]["summary"].startswith("Airflow DAG investor_profit_daily failed")


def test_dag_success_resolves_the_dag_failure_page(setup: Setup, callbacks: Any) -> None:
    dag = make_dag()
    task_page = callbacks.page_failure(failure_context(dag))
    dag_page = callbacks.page_failure(dag_failure_context(dag))
    done = callbacks.resolve_success(dag_failure_context(dag, reason="success"))
    assert done is not None and done.page_id == dag_page.page_id != task_page.page_id
    assert [e["dedup_key"] for e in setup.providers.pd_events("resolve")] == [dag_page.dedup_key]


# --------------------------------------------------------------------------- which pipeline


def test_tag_and_params_name_the_pipeline() -> None:
    assert resolve_pipeline_name(make_dag()) == ("aggregate-profit", "tag oncall:aggregate-profit")
    by_params = make_dag(tags=[], params={"oncall_pipeline": "aggregate-growth"})
    assert resolve_pipeline_name(by_params) == (
        "aggregate-growth",
        'DAG params["oncall_pipeline"]',
    )
    # The run's params (task params, run conf) win over the DAG's tag.
    context = {"params": {"oncall_pipeline": "aggregate-engagement"}}
    assert resolve_pipeline_name(make_dag(), context)[0] == "aggregate-engagement"  # type: ignore[index]
    assert resolve_pipeline_name(make_dag(tags=["finance"])) is None
    # An Airflow Param object that was not resolved to its value.
    param = type("Param", (), {"value": "aggregate-growth"})()
    assert resolve_pipeline_name(make_dag(tags=[], params={"oncall_pipeline": param})) == (
        "aggregate-growth",
        'DAG params["oncall_pipeline"]',
    )


def test_params_pipeline_is_paged(setup: Setup, callbacks: Any) -> None:
    dag = make_dag("growth_daily", tags=["growth"], params={"oncall_pipeline": "aggregate-growth"})
    result = callbacks.page_failure(failure_context(dag))
    assert result.outcome == "delivered"
    (event,) = setup.providers.pd_events("trigger")
    assert event["payload"]["component"] == "aggregate-growth"
    assert event["payload"]["custom_details"]["details"]["dag_id"] == "growth_daily"


def test_unknown_pipeline_is_logged_and_nobody_is_paged(
    setup: Setup, callbacks: Any, logs: pytest.LogCaptureFixture
) -> None:
    dag = make_dag(tags=["oncall:no-such-pipeline"])
    assert callbacks.page_failure(failure_context(dag)) is None
    assert setup.providers.requests() == 0
    (record,) = [r for r in ours(logs) if r.levelno == logging.ERROR]
    assert "'no-such-pipeline'" in record.getMessage() and "owners.yaml" in record.getMessage()


def test_dag_without_a_pipeline_is_logged(
    setup: Setup, callbacks: Any, logs: pytest.LogCaptureFixture
) -> None:
    assert callbacks.page_failure(failure_context(make_dag(tags=[]))) is None
    assert setup.providers.requests() == 0
    (record,) = [r for r in ours(logs) if r.levelno == logging.ERROR]
    assert "oncall:<pipeline>" in record.getMessage()


# --------------------------------------------------------------------------- failures


def test_paging_down_is_logged_kept_in_the_outbox_and_never_raised(
    oncall: Run, setup: Setup, callbacks: Any, logs: pytest.LogCaptureFixture
) -> None:
    all_down(setup)
    result = callbacks.page_failure(failure_context(make_dag()))
    assert result is not None and result.outcome == "undelivered"
    assert len(setup.rows()["outbox"]) == 1
    errors = [r.getMessage() for r in ours(logs) if r.levelno >= logging.ERROR]
    assert any("kept in the outbox" in m and "oncall page flush" in m for m in errors), errors
    # People are named by id, never by name or address; no secret is logged.
    text = "\n".join(r.getMessage() for r in ours(logs))
    assert "de1" in text or "de2" in text or "de3" in text or "de4" in text
    assert "Data Engineer" not in text and "@example.com" not in text
    assert_no_secrets(text)
    # Once the providers are back, flush delivers it exactly once.
    setup.providers.fault = None
    setup.write()
    flushed = run_json(oncall, "page", "flush", "--now", T)
    assert [i["outcome"] for i in flushed["items"]] == ["sent"]
    assert len(setup.providers.pd_events("trigger")) == 1


def test_paging_not_configured_is_logged_not_raised(
    config_dir: Path, logs: pytest.LogCaptureFixture
) -> None:
    (config_dir / "paging.yaml").unlink()
    callbacks = make_callbacks(config_dir=config_dir, clock=lambda: NOW)
    assert callbacks.page_failure(failure_context(make_dag())) is None
    (record,) = [r for r in ours(logs) if r.levelno == logging.ERROR]
    assert "paging is not configured" in record.getMessage()


def test_a_broken_context_is_logged_not_raised(
    setup: Setup, callbacks: Any, logs: pytest.LogCaptureFixture
) -> None:
    class Exploding:
        @property
        def tags(self) -> list[str]:
            raise RuntimeError("metadata database unavailable")

    assert callbacks.page_failure({"dag": Exploding()}) is None
    (record,) = [r for r in ours(logs) if r.levelno == logging.ERROR]
    assert "RuntimeError: metadata database unavailable" in record.getMessage()


def test_secrets_in_exceptions_are_masked(setup: Setup, callbacks: Any) -> None:
    dag = make_dag()
    leaked = f"cannot POST to {setup.providers.slack_url}; db mysql://etl:hunter2pass@10.0.0.5/x"
    callbacks.page_failure(failure_context(dag, exception=ValueError(leaked)))
    (event,) = setup.providers.pd_events("trigger")
    text = event["payload"]["custom_details"]["details"]["exception"]
    assert text.startswith("ValueError: cannot POST to ")
    assert "hunter2pass" not in text and "mysql://****@10.0.0.5/x" in text
    assert_no_secrets(text)


# --------------------------------------------------------------------------- SLA and deadlines


def test_sla_miss_callback_pages_once_per_set_of_misses(setup: Setup, callbacks: Any) -> None:
    dag = make_dag()
    blocking = [make_ti(dag, "extract_ledger")]
    slas = [sla_miss("load_fact_profit"), sla_miss("publish_report")]
    first = callbacks.page_sla_miss(dag, "load_fact_profit\npublish_report", "", slas, blocking)
    again = callbacks.page_sla_miss(dag, "", "", list(reversed(slas)), blocking)
    assert (first.outcome, again.outcome) == ("delivered", "suppressed")
    (event,) = setup.providers.pd_events("trigger")
    assert event["payload"]["severity"] == "warning"
    details = event["payload"]["custom_details"]["details"]
    assert details["task_id"] == "load_fact_profit, publish_report"
    assert details["reason"] == "blocked by extract_ledger"


def test_airflow3_deadline_callback(
    setup: Setup, monkeypatch: pytest.MonkeyPatch, logs: pytest.LogCaptureFixture
) -> None:
    """Airflow 3 calls ``await callback(context=..., **kwargs)`` in the triggerer, with
    ``dag_run`` as a plain mapping and no DAG object."""
    context = {
        "dag_run": {"dag_id": "investor_profit_daily", "run_id": RUN_ID, "logical_date": LOGICAL},
        "deadline": {"deadline_time": "2026-11-18T00:30:00+00:00"},
    }
    returned = asyncio.run(
        deadline_callback(context, pipeline="aggregate-profit", config_dir=str(setup.config_dir))
    )
    assert returned is None  # Airflow stores it in a text column
    (event,) = setup.providers.pd_events("trigger")
    assert event["payload"]["component"] == "aggregate-profit"
    details = event["payload"]["custom_details"]["details"]
    assert details["dag_id"] == "investor_profit_daily" and details["run_id"] == RUN_ID
    assert details["reason"] == "deadline 2026-11-18T00:30:00+00:00"
    # Without a pipeline the triggerer logs it and nothing is raised.
    assert asyncio.run(deadline_callback(context)) is None
    assert any("names no pipeline" in r.getMessage() for r in ours(logs))


def test_module_level_callback_uses_oncall_config_dir(setup: Setup) -> None:
    # The setup's config_dir fixture set ONCALL_CONFIG_DIR.
    assert on_failure_callback(failure_context(make_dag())) is None
    assert len(setup.providers.pd_events("trigger")) == 1


def test_no_secret_reaches_the_logs_even_in_debug(
    setup: Setup, callbacks: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    all_down(setup)
    callbacks.page_failure(failure_context(make_dag()))
    records = ours(caplog)  # the test servers' own access logs are not ours
    assert [r for r in records if r.levelno >= logging.ERROR]
    text = "\n".join(r.getMessage() + (r.exc_text or "") for r in records)
    for secret in SECRETS:
        assert secret not in text
