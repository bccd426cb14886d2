"""Airflow and Cloud Composer callbacks that page the owners of a DAG's pipeline.

A DAG names its pipeline with a tag ``oncall:<pipeline>`` or with
``params={"oncall_pipeline": "<pipeline>"}``; the callbacks page that pipeline's responder
through :func:`oncall.services.paging.send.send_page`, so dedup, quiet hours, the outbox and
escalation work exactly as for ``oncall page``::

    from oncall.integrations.airflow import make_callbacks

    oncall = make_callbacks(config_dir="/home/airflow/gcs/data/oncall/config")

    with DAG(
        "investor_profit_daily",
        tags=["oncall:aggregate-profit"],
        default_args={
            "on_failure_callback": oncall.on_failure_callback,
            "on_success_callback": oncall.on_success_callback,  # resolves a retried failure
        },
        on_failure_callback=oncall.on_dag_failure_callback,
        sla_miss_callback=oncall.sla_miss_callback,  # Airflow 2.x
    ):
        ...

Airflow itself is never imported: the callbacks read the context dict as Airflow 2.x and
3.x pass it (``dag``, ``task_instance``/``ti``, ``dag_run``, ``run_id``, ``logical_date``,
``exception``, ``params``). A callback never raises into Airflow: anything that goes wrong
(unknown pipeline, paging not configured, every channel down) is logged on the
``oncall.airflow`` logger, identifying people by id only, and an undelivered page stays in
the outbox for ``oncall page flush``.

The dedup key is stable per DAG run and task (``oncall/<pipeline>/<hash of dag, run,
task>``), without the try number: a failure paged once is not paged again when a retry or
a cleared task fails again in the same run. ``on_success_callback`` resolves that page
when the task later succeeds.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from oncall.integrations.airflow.callbacks import OncallCallbacks, make_callbacks
from oncall.integrations.airflow.context import (
    PARAM,
    TAG_PREFIX,
    AirflowFailure,
    compute_dedup_key,
    read_failure,
    resolve_pipeline_name,
)

__all__ = [
    "PARAM",
    "TAG_PREFIX",
    "AirflowFailure",
    "OncallCallbacks",
    "compute_dedup_key",
    "deadline_callback",
    "deadline_callback_sync",
    "make_callbacks",
    "on_dag_failure_callback",
    "on_failure_callback",
    "on_success_callback",
    "read_failure",
    "resolve_pipeline_name",
    "sla_miss_callback",
]

log = logging.getLogger("oncall.airflow")


# --------------------------------------------------------------------------- module-level
# For DAG files that want no factory, and for Airflow 3 deadline callbacks, which Airflow
# imports by path: the config directory is $ONCALL_CONFIG_DIR (or ``config_dir=`` kwarg).


def _default(
    config_dir: object = None, severity: object = None, base_url: object = None
) -> OncallCallbacks:
    directory = config_dir if isinstance(config_dir, str | Path) else None
    if directory is None and not os.environ.get("ONCALL_CONFIG_DIR"):
        log.warning("oncall: ONCALL_CONFIG_DIR is not set; looking for config/ from the cwd")
    from oncall.domain.paging.content import SEVERITIES

    url = base_url if isinstance(base_url, str) else None
    chosen = next((s for s in SEVERITIES if s == severity), None)
    if chosen is None:
        return OncallCallbacks(directory, base_url=url)
    return OncallCallbacks(directory, severity=chosen, deadline_severity=chosen, base_url=url)


def _call(what: str, hook: Callable[[OncallCallbacks], object], **options: object) -> None:
    try:
        hook(_default(options.get("config_dir"), options.get("severity"), options.get("base_url")))
    except Exception as exc:  # never raise into Airflow (the hooks guard themselves too)
        log.error("oncall: %s callback could not page: %s: %s", what, type(exc).__name__, exc)


def on_failure_callback(context: Mapping[str, Any]) -> None:
    """Task (or DAG) failure: page the DAG's pipeline's responder."""
    _call("failure", lambda cb: cb.on_failure_callback(context))


def on_dag_failure_callback(context: Mapping[str, Any]) -> None:
    """DAG failure: one page per DAG run."""
    _call("DAG failure", lambda cb: cb.on_dag_failure_callback(context))


def on_success_callback(context: Mapping[str, Any]) -> None:
    """Resolve the page this task's (or DAG run's) earlier failure opened."""
    _call("success", lambda cb: cb.on_success_callback(context))


def sla_miss_callback(
    dag: object,
    task_list: object = None,
    blocking_task_list: object = None,
    slas: Sequence[object] | None = None,
    blocking_tis: Sequence[object] | None = None,
) -> None:
    """Airflow 2.x SLA miss."""
    _call(
        "SLA miss",
        lambda cb: cb.sla_miss_callback(dag, task_list, blocking_task_list, slas, blocking_tis),
    )


def deadline_callback_sync(context: Mapping[str, Any] | None = None, **kwargs: Any) -> None:
    """Airflow 3 ``SyncCallback`` target; kwargs: ``pipeline``, ``config_dir``,
    ``severity``, ``base_url``. Returns None (never a callable: Airflow would call it)."""
    options = {k: kwargs.pop(k, None) for k in ("config_dir", "severity", "base_url")}
    _call("deadline miss", lambda cb: cb.on_deadline_missed(context, **kwargs), **options)


async def deadline_callback(context: Mapping[str, Any] | None = None, **kwargs: Any) -> None:
    """Airflow 3 ``AsyncCallback`` target (runs in the triggerer): paging is blocking I/O,
    so it runs in a worker thread. Returns None: Airflow stores the return value in a text
    column, and a dict there stops the triggerer."""
    import asyncio

    try:
        await asyncio.to_thread(deadline_callback_sync, context, **kwargs)
    except Exception as exc:  # never raise into the triggerer
        log.error("oncall: deadline callback could not page: %s: %s", type(exc).__name__, exc)
