"""Reading what Airflow hands a callback: which pipeline a DAG names, and what failed.

Airflow itself is never imported: the context dict is read as Airflow 2.10+ and 3.x pass it
(``dag``, ``task_instance``/``ti``, ``dag_run``, ``run_id``, ``logical_date``,
``exception``, ``params``, ``reason``), objects or plain dicts alike. An Airflow 3 deadline
callback gets ``dag_run`` as the REST API's dict, where the run id is ``dag_run_id``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

__all__ = [
    "PARAM",
    "TAG_PREFIX",
    "AirflowFailure",
    "as_text",
    "compute_dedup_key",
    "describe_exception",
    "get_field",
    "read_failure",
    "rebase_url",
    "resolve_pipeline_name",
]

log = logging.getLogger("oncall.airflow")

TAG_PREFIX = "oncall:"
"""A DAG tag ``oncall:<pipeline>`` names the pipeline whose owners are paged."""
PARAM = "oncall_pipeline"
"""``params["oncall_pipeline"]`` names the pipeline too, and wins over the tag."""

EXCEPTION_MAX = 500
AIRFLOW_DEFAULT_BASE_URL = "http://localhost:8080"
"""What Airflow builds ``ti.log_url`` on when ``[api] base_url`` is not set."""
_URL_CREDENTIALS = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s:@]+:[^/\s@]+@")


def get_field(obj: object, name: str) -> Any:
    """``obj.name`` or ``obj[name]``: Airflow 3 passes some objects as plain dicts."""
    if obj is None:
        return None
    if isinstance(obj, Mapping):
        return obj.get(name)
    return getattr(obj, name, None)


def _param_value(params: object) -> str | None:
    if not isinstance(params, Mapping):  # dict, or Airflow's ParamsDict (a MutableMapping)
        return None
    try:
        value = params.get(PARAM)
    except Exception:  # a ParamsDict that cannot resolve a value
        return None
    value = getattr(value, "value", value)  # an un-resolved airflow Param
    return value.strip() if isinstance(value, str) and value.strip() else None


def _tag_values(tags: object) -> list[str]:
    if not isinstance(tags, Iterable) or isinstance(tags, str | bytes):
        return []
    found: list[str] = []
    for tag in tags:
        name = get_field(tag, "name") if not isinstance(tag, str) else tag  # Airflow 3 DagTag
        if isinstance(name, str) and name.startswith(TAG_PREFIX):
            value = name.removeprefix(TAG_PREFIX).strip()
            if value and value not in found:
                found.append(value)
    return found


def resolve_pipeline_name(
    dag: object, context: Mapping[str, Any] | None = None
) -> tuple[str, str] | None:
    """``(pipeline, where it came from)``: ``params["oncall_pipeline"]`` (the run's merged
    params, then the DAG's), else the DAG tag ``oncall:<pipeline>``; None when neither.

    Two different ``oncall:`` tags are ambiguous: the first in sorted order is used and a
    warning is logged.
    """
    for where, params in (
        ("params", get_field(context, "params") if context is not None else None),
        ("DAG params", get_field(dag, "params")),
    ):
        value = _param_value(params)
        if value is not None:
            return value, f'{where}["{PARAM}"]'
    tags = _tag_values(get_field(dag, "tags"))
    if not tags:
        return None
    if len(tags) > 1:
        log.warning(
            "oncall: DAG %s has several oncall tags (%s); paging %s",
            get_field(dag, "dag_id"),
            ", ".join(sorted(tags)),
            sorted(tags)[0],
        )
    chosen = sorted(tags)[0]
    return chosen, f"tag {TAG_PREFIX}{chosen}"


@dataclass(frozen=True)
class AirflowFailure:
    """What a callback knows about the failed (or late) thing, from Airflow's context."""

    dag_id: str | None
    task_id: str | None = None
    run_id: str | None = None
    try_number: int | None = None
    logical_date: str | None = None
    log_url: str | None = None
    exception: str | None = None
    reason: str | None = None

    def details(self) -> dict[str, object]:
        """The page's details (PagerDuty ``custom_details.details``): only what is known."""
        fields: dict[str, object] = {
            "source": "airflow",
            "dag_id": self.dag_id,
            "task_id": self.task_id,
            "run_id": self.run_id,
            "try_number": self.try_number,
            "logical_date": self.logical_date,
            "log_url": self.log_url,
            "exception": self.exception,
            "reason": self.reason,
        }
        return {k: v for k, v in fields.items() if v is not None}


def as_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime | date):
        return value.isoformat()
    text = str(value).strip()
    return text or None


def _int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


def describe_exception(exc: object) -> str | None:
    """``Type: first line``, cut short, credentials in URLs masked."""
    if exc is None:
        return None
    if isinstance(exc, BaseException):
        message = str(exc).strip().splitlines()
        text = f"{type(exc).__name__}: {message[0]}" if message else type(exc).__name__
    else:
        text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    text = _URL_CREDENTIALS.sub(r"\1****@", text)
    if len(text) > EXCEPTION_MAX:
        text = text[: EXCEPTION_MAX - 1] + "…"
    return text or None


def read_run_id(context: Mapping[str, Any]) -> str | None:
    """The run id: ``run_id`` (tasks, DAGs), ``dag_run.run_id`` or, in an Airflow 3 deadline
    callback, ``dag_run["dag_run_id"]``."""
    dag_run = context.get("dag_run")
    return (
        as_text(context.get("run_id"))
        or as_text(get_field(dag_run, "run_id"))
        or as_text(get_field(dag_run, "dag_run_id"))
    )


def rebase_url(url: str | None, base_url: str | None) -> str | None:
    """``url`` moved from Airflow's default base (``http://localhost:8080``, used when
    ``[api] base_url`` is unset) to ``base_url``; unchanged otherwise."""
    if url is None or not base_url:
        return url
    for default in (AIRFLOW_DEFAULT_BASE_URL, "http://localhost:8080/"):
        if url == default or url.startswith(default.rstrip("/") + "/"):
            return base_url.rstrip("/") + url[len(default.rstrip("/")) :]
    return url


def read_failure(context: Mapping[str, Any], *, task_level: bool = True) -> AirflowFailure:
    """The DAG, task, run, try, logical date, log URL and exception of a callback context."""
    dag = context.get("dag")
    dag_run = context.get("dag_run")
    ti = context.get("task_instance") or context.get("ti")
    dag_id = (
        as_text(get_field(dag, "dag_id"))
        or as_text(get_field(dag_run, "dag_id"))
        or as_text(get_field(ti, "dag_id"))
    )
    logical = (
        context.get("logical_date")
        or context.get("execution_date")
        or get_field(dag_run, "logical_date")
    )
    return AirflowFailure(
        dag_id=dag_id,
        task_id=as_text(get_field(ti, "task_id")) if task_level else None,
        run_id=read_run_id(context),
        try_number=_int(get_field(ti, "try_number")) if task_level else None,
        logical_date=as_text(logical),
        log_url=as_text(get_field(ti, "log_url")) if task_level else None,
        exception=describe_exception(context.get("exception")),
        reason=as_text(context.get("reason")),
    )


def compute_dedup_key(pipeline: str, what: str, failure: AirflowFailure) -> str:
    """Stable per pipeline, kind of alert, DAG, run and task; the try number is left out so
    retries of one task in one run share one page."""
    from oncall.domain.paging.content import default_dedup_key

    parts = [
        "airflow",
        what,
        failure.dag_id or "-",
        failure.run_id or failure.logical_date or "-",
        failure.task_id or "-",
    ]
    return default_dedup_key(pipeline, " ".join(parts))
