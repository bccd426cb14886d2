"""Callback arguments shaped as Airflow 2.x passes them, without Airflow.

Airflow hands an ``on_failure_callback`` a context dict whose ``dag``, ``dag_run`` and
``task_instance`` (also under ``ti``) are objects with attributes; these are
``SimpleNamespace`` stand-ins with the attributes the callbacks read.
"""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

UTC = ZoneInfo("UTC")
LOGICAL = datetime(2026, 11, 17, 20, 30, tzinfo=UTC)
RUN_ID = "scheduled__2026-11-17T20:30:00+00:00"
BASE_URL = "https://composer.example.com"


def make_dag(
    dag_id: str = "investor_profit_daily",
    *,
    tags: list[str] | None = None,
    params: dict[str, Any] | None = None,
) -> SimpleNamespace:
    return SimpleNamespace(
        dag_id=dag_id,
        tags=["finance", "oncall:aggregate-profit"] if tags is None else tags,
        params=params or {},
    )


def make_ti(
    dag: SimpleNamespace,
    task_id: str = "load_fact_profit",
    *,
    try_number: int = 1,
    run_id: str = RUN_ID,
) -> SimpleNamespace:
    log_url = (
        f"{BASE_URL}/log?dag_id={dag.dag_id}&task_id={task_id}&execution_date={LOGICAL.isoformat()}"
    )
    return SimpleNamespace(
        dag_id=dag.dag_id,
        task_id=task_id,
        try_number=try_number,
        run_id=run_id,
        log_url=log_url,
    )


def failure_context(
    dag: SimpleNamespace,
    ti: SimpleNamespace | None = None,
    *,
    exception: BaseException | None = None,
    params: dict[str, Any] | None = None,
    run_id: str = RUN_ID,
) -> dict[str, Any]:
    """A task's failure (or success) context: Airflow 2.x keys."""
    ti = ti if ti is not None else make_ti(dag, run_id=run_id)
    dag_run = SimpleNamespace(dag_id=dag.dag_id, run_id=run_id, logical_date=LOGICAL, conf={})
    return {
        "dag": dag,
        "dag_run": dag_run,
        "task_instance": ti,
        "ti": ti,
        "task": SimpleNamespace(task_id=ti.task_id),
        "run_id": run_id,
        "logical_date": LOGICAL,
        "ds": LOGICAL.date().isoformat(),
        "params": {**dag.params, **(params or {})},
        "exception": exception,
    }


def dag_failure_context(
    dag: SimpleNamespace, reason: str = "task_failure", *, last_task: str = "publish_report"
) -> dict[str, Any]:
    """A DAG-level failure context: Airflow adds ``reason`` and some task instance."""
    context = failure_context(dag, make_ti(dag, last_task))
    context["reason"] = reason
    context.pop("exception")
    return context


def sla_miss(task_id: str, when: datetime = LOGICAL, dag_id: str = "investor_profit_daily") -> Any:
    """An Airflow 2.x ``SlaMiss`` row."""
    return SimpleNamespace(task_id=task_id, dag_id=dag_id, execution_date=when, timestamp=when)


AIRFLOW3_RUN_ID = "manual__2026-11-18T05:20:11.041331+00:00"


def airflow3_deadline_context(
    run_id: str = AIRFLOW3_RUN_ID, dag_id: str = "investor_profit_daily"
) -> dict[str, Any]:
    """What Airflow 3.3 passes an ``AsyncCallback`` of a ``DeadlineAlert`` (as observed from
    ``airflow/models/deadline.py``): the REST API's ``DAGRunResponse`` as a JSON dict, where
    the run id is ``dag_run_id`` (no ``run_id``) and a triggered run has no logical date."""
    return {
        "dag_run": {
            "dag_run_id": run_id,
            "dag_id": dag_id,
            "logical_date": None,
            "queued_at": "2026-11-18T05:20:11.041331Z",
            "start_date": "2026-11-18T05:20:12.503201Z",
            "end_date": None,
            "run_type": "manual",
            "state": "running",
            "triggered_by": "cli",
            "conf": {},
            "note": None,
        },
        "deadline": {
            "id": "0199b8f6-7a43-7c6e-a8a5-d5e1c0e6a0b1",
            "deadline_time": datetime(2026, 11, 18, 5, 20, 21, tzinfo=UTC),
        },
    }


def airflow3_task_context(
    dag: SimpleNamespace,
    *,
    try_number: object = 1,
    run_id: str = AIRFLOW3_RUN_ID,
    log_base: str = "http://localhost:8080",
) -> dict[str, Any]:
    """An Airflow 3 task callback context of a triggered run: no ``logical_date`` key, the
    log URL on Airflow's ``[api] base_url`` (its default when unset)."""
    log_url = f"{log_base}/dags/{dag.dag_id}/runs/{run_id}/tasks/load_fact_profit?try_number=1"
    ti = SimpleNamespace(
        dag_id=dag.dag_id,
        task_id="load_fact_profit",
        run_id=run_id,
        try_number=try_number,
        max_tries=0,
        map_index=-1,
        state="failed",
        log_url=log_url,
    )
    dag_run = SimpleNamespace(
        dag_id=dag.dag_id, run_id=run_id, logical_date=None, conf={}, state="running"
    )
    return {
        "dag": dag,
        "dag_run": dag_run,
        "ti": ti,
        "task_instance": ti,
        "run_id": run_id,
        "params": dict(dag.params),
        "exception": RuntimeError("load failed: postgresql://etl:hunter2@db.internal/x"),
    }
