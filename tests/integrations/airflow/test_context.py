"""Reading Airflow's callback arguments, without Airflow: Airflow 2.x objects and Airflow 3
plain dicts alike."""

from __future__ import annotations

import logging
from types import SimpleNamespace
from typing import Any

import pytest

from oncall.integrations.airflow.context import (
    EXCEPTION_MAX,
    compute_dedup_key,
    describe_exception,
    read_failure,
    resolve_pipeline_name,
)
from tests.support.airflow_context import (
    LOGICAL,
    RUN_ID,
    failure_context,
    make_dag,
    make_ti,
)


class RaisingParams(dict[str, Any]):
    """Like Airflow's ParamsDict when a value cannot be resolved."""

    def get(self, key: str, default: Any = None) -> Any:
        raise ValueError("cannot resolve")


def test_the_run_params_win_over_the_dag_params_and_the_tag() -> None:
    dag = make_dag(params={"oncall_pipeline": "from-dag"})
    assert resolve_pipeline_name(dag, {"params": {"oncall_pipeline": " from-run "}}) == (
        "from-run",
        'params["oncall_pipeline"]',
    )
    assert resolve_pipeline_name(dag, {"params": {}}) == (
        "from-dag",
        'DAG params["oncall_pipeline"]',
    )
    assert resolve_pipeline_name(make_dag(), None) == (
        "aggregate-profit",
        "tag oncall:aggregate-profit",
    )


def test_airflow_3_tags_and_params_are_read_too() -> None:
    dag = {
        "dag_id": "d",
        "tags": [SimpleNamespace(name="oncall:nightly")],
        "params": RaisingParams(),
    }
    assert resolve_pipeline_name(dag) == ("nightly", "tag oncall:nightly")
    param = SimpleNamespace(value="wrapped")  # an airflow Param not yet resolved
    assert resolve_pipeline_name({"dag_id": "d", "params": {"oncall_pipeline": param}}) == (
        "wrapped",
        'DAG params["oncall_pipeline"]',
    )


def test_no_name_is_none_and_two_tags_pick_the_first_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    assert resolve_pipeline_name(make_dag(tags=["finance", "oncall:"])) is None
    caplog.set_level(logging.WARNING, logger="oncall.airflow")
    found = resolve_pipeline_name(make_dag(tags=["oncall:zeta", "oncall:alpha"]))
    assert found == ("alpha", "tag oncall:alpha")
    assert "several oncall tags (alpha, zeta); paging alpha" in caplog.text


def test_read_failure_from_airflow_2_objects() -> None:
    dag = make_dag()
    context = failure_context(dag, make_ti(dag, try_number=3), exception=RuntimeError("boom\nmore"))
    failure = read_failure(context)
    assert failure.dag_id == "investor_profit_daily" and failure.task_id == "load_fact_profit"
    assert (failure.run_id, failure.try_number) == (RUN_ID, 3)
    assert failure.logical_date == LOGICAL.isoformat()
    assert failure.exception == "RuntimeError: boom"
    dag_level = read_failure(context, task_level=False)
    assert (dag_level.task_id, dag_level.try_number, dag_level.log_url) == (None, None, None)
    assert set(dag_level.details()) == {"source", "dag_id", "run_id", "logical_date", "exception"}


def test_read_failure_from_airflow_3_dicts() -> None:
    context = {
        "dag_run": {"dag_id": "d3", "run_id": "manual__1", "logical_date": LOGICAL},
        "ti": {"task_id": "t", "try_number": "2"},
    }
    failure = read_failure(context)
    assert (failure.dag_id, failure.task_id, failure.run_id) == ("d3", "t", "manual__1")
    assert failure.try_number == 2 and failure.logical_date == LOGICAL.isoformat()


def test_exceptions_are_cut_short_and_lose_url_credentials() -> None:
    exc = ConnectionError("cannot reach postgresql://loader:hunter2@db.internal:5432/x")
    assert describe_exception(exc) == (
        "ConnectionError: cannot reach postgresql://****@db.internal:5432/x"
    )
    long = describe_exception(ValueError("x" * 2000))
    assert long is not None and len(long) == EXCEPTION_MAX and long.endswith("…")
    assert describe_exception(None) is None
    assert describe_exception("  \n") is None


def test_the_dedup_key_ignores_the_try_number_only() -> None:
    dag = make_dag()
    first = read_failure(failure_context(dag, make_ti(dag, try_number=1)))
    retry = read_failure(failure_context(dag, make_ti(dag, try_number=2)))
    other_run = read_failure(failure_context(dag, run_id="manual__2"))
    key = compute_dedup_key("aggregate-profit", "task", first)
    assert key == compute_dedup_key("aggregate-profit", "task", retry)
    assert key != compute_dedup_key("aggregate-profit", "task", other_run)
    assert key != compute_dedup_key("aggregate-profit", "dag", first)
    assert key.startswith("oncall/aggregate-profit/")
