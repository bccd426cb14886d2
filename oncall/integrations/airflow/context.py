"""Airflow and Cloud Composer callbacks that page the owners of a DAG's pipeline.

A DAG names its pipeline with a tag ``oncall:<pipeline>`` or with
``params={"oncall_pipeline": "<pipeline>"}``; the callbacks page that pipeline's responder
through :func:`oncall.paging_service.send_page`, so dedup, quiet hours, the outbox and
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
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from oncall.adapters.store import Store
    from oncall.config import Config
    from oncall.domain.paging import Severity
    from oncall.paging_service import ActionResult, PageResult

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

TAG_PREFIX = "oncall:"
"""A DAG tag ``oncall:<pipeline>`` names the pipeline whose owners are paged."""
PARAM = "oncall_pipeline"
"""``params["oncall_pipeline"]`` names the pipeline too, and wins over the tag."""

EXCEPTION_MAX = 500
_URL_CREDENTIALS = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s:@]+:[^/\s@]+@")

Clock = Callable[[], datetime]
T = TypeVar("T")


# --------------------------------------------------------------------------- reading contexts


def _field(obj: object, name: str) -> Any:
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
        name = _field(tag, "name") if not isinstance(tag, str) else tag  # Airflow 3 DagTag
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
        ("params", _field(context, "params") if context is not None else None),
        ("DAG params", _field(dag, "params")),
    ):
        value = _param_value(params)
        if value is not None:
            return value, f'{where}["{PARAM}"]'
    tags = _tag_values(_field(dag, "tags"))
    if not tags:
        return None
    if len(tags) > 1:
        log.warning(
            "oncall: DAG %s has several oncall tags (%s); paging %s",
            _field(dag, "dag_id"),
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


def _text(value: object) -> str | None:
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


def read_failure(context: Mapping[str, Any], *, task_level: bool = True) -> AirflowFailure:
    """The DAG, task, run, try, logical date, log URL and exception of a callback context."""
    dag = context.get("dag")
    dag_run = context.get("dag_run")
    ti = context.get("task_instance") or context.get("ti")
    dag_id = (
        _text(_field(dag, "dag_id"))
        or _text(_field(dag_run, "dag_id"))
        or _text(_field(ti, "dag_id"))
    )
    logical = (
        context.get("logical_date")
        or context.get("execution_date")
        or _field(dag_run, "logical_date")
    )
    return AirflowFailure(
        dag_id=dag_id,
        task_id=_text(_field(ti, "task_id")) if task_level else None,
        run_id=_text(context.get("run_id")) or _text(_field(dag_run, "run_id")),
        try_number=_int(_field(ti, "try_number")) if task_level else None,
        logical_date=_text(logical),
        log_url=_text(_field(ti, "log_url")) if task_level else None,
        exception=describe_exception(context.get("exception")),
        reason=_text(context.get("reason")),
    )


def compute_dedup_key(pipeline: str, what: str, failure: AirflowFailure) -> str:
    """Stable per pipeline, kind of alert, DAG, run and task; the try number is left out so
    retries of one task in one run share one page."""
    from oncall.domain.paging import default_dedup_key

    parts = [
        "airflow",
        what,
        failure.dag_id or "-",
        failure.run_id or failure.logical_date or "-",
        failure.task_id or "-",
    ]
    return default_dedup_key(pipeline, " ".join(parts))


# --------------------------------------------------------------------------- the callbacks


class OncallCallbacks:
    """Callbacks bound to one config directory; build them with :func:`make_callbacks`.

    Every callback returns what it did (a ``PageResult``, an ``ActionResult`` or None) for
    tests and logs; Airflow ignores the value. None of them ever raises ``Exception``.
    """

    def __init__(
        self,
        config_dir: Path | str | None = None,
        *,
        severity: Severity = "error",
        deadline_severity: Severity = "warning",
        state_db: Path | str | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.config_dir = Path(config_dir) if config_dir is not None else None
        self.severity: Severity = severity
        self.deadline_severity: Severity = deadline_severity
        self.state_db = Path(state_db) if state_db is not None else None
        self._clock = clock or (lambda: datetime.now(UTC))

    def __repr__(self) -> str:
        return f"OncallCallbacks(config_dir={str(self.config_dir)!r})"

    # -- Airflow hooks -------------------------------------------------------------------

    def on_failure_callback(self, context: Mapping[str, Any]) -> PageResult | None:
        """A task's ``on_failure_callback`` (also fine as a DAG's: a DAG-level context
        carries ``reason``, and is then paged once per DAG run)."""
        if "reason" in context:
            return self.on_dag_failure_callback(context)
        return self._guard("task failure", lambda: self._page_failure(context, task_level=True))

    def on_dag_failure_callback(self, context: Mapping[str, Any]) -> PageResult | None:
        """A DAG's ``on_failure_callback``: one page per DAG run."""
        return self._guard("DAG failure", lambda: self._page_failure(context, task_level=False))

    def on_success_callback(self, context: Mapping[str, Any]) -> ActionResult | None:
        """Resolve the page a failure of this task (or DAG, for a DAG-level context) opened
        in this run, if one is open; does nothing otherwise."""
        task_level = "reason" not in context and bool(
            context.get("task_instance") or context.get("ti")
        )
        return self._guard("success", lambda: self._resolve(context, task_level=task_level))

    def sla_miss_callback(
        self,
        dag: object,
        task_list: object = None,
        blocking_task_list: object = None,
        slas: Sequence[object] | None = None,
        blocking_tis: Sequence[object] | None = None,
    ) -> PageResult | None:
        """Airflow 2.x ``sla_miss_callback(dag, task_list, blocking_task_list, slas,
        blocking_tis)``: one page per set of missed SLAs."""
        return self._guard(
            "SLA miss", lambda: self._page_sla(dag, slas or (), blocking_tis or (), task_list)
        )

    def on_deadline_missed(
        self, context: Mapping[str, Any] | None = None, **kwargs: Any
    ) -> PageResult | None:
        """An Airflow 3 deadline-alert callback: ``context`` holds ``dag_run`` (and maybe
        ``dag``); pass ``pipeline=`` in the callback's kwargs when no DAG object is there."""
        return self._guard("deadline miss", lambda: self._page_deadline(context or {}, kwargs))

    # -- the work ------------------------------------------------------------------------

    def _guard(self, what: str, work: Callable[[], T]) -> T | None:
        try:
            return work()
        except Exception as exc:  # never raise into Airflow
            log.error("oncall: %s callback could not page: %s", what, _error_text(exc))
            log.debug("oncall: %s callback traceback", what, exc_info=True)
            return None

    def _config(self) -> Config:
        from oncall.config import load_config

        return load_config(self.config_dir)

    def _pipeline(self, cfg: Config, dag: object, context: Mapping[str, Any] | None) -> str | None:
        found = resolve_pipeline_name(dag, context)
        dag_id = _field(dag, "dag_id") or _field(_field(context, "dag_run"), "dag_id")
        if found is None:
            log.error(
                "oncall: DAG %s names no pipeline: add the tag %s<pipeline> or "
                'params={"%s": "<pipeline>"}; nobody was paged',
                dag_id,
                TAG_PREFIX,
                PARAM,
            )
            return None
        pipeline, where = found
        if pipeline not in cfg.owners.pipelines:
            log.error(
                "oncall: DAG %s names pipeline %r (%s), which is not in %s; nobody was paged",
                dag_id,
                pipeline,
                where,
                cfg.owners_path,
            )
            return None
        return pipeline

    def _page_failure(self, context: Mapping[str, Any], *, task_level: bool) -> PageResult | None:
        cfg = self._config()
        pipeline = self._pipeline(cfg, context.get("dag"), context)
        if pipeline is None:
            return None
        failure = read_failure(context, task_level=task_level)
        if task_level:
            what = f"task {failure.dag_id}.{failure.task_id}"
            tries = f", try {failure.try_number}" if failure.try_number is not None else ""
            summary = f"Airflow {what} failed (run {failure.run_id}{tries})"
        else:
            why = f": {failure.reason}" if failure.reason else ""
            summary = f"Airflow DAG {failure.dag_id} failed (run {failure.run_id}){why}"
        key = compute_dedup_key(pipeline, "task" if task_level else "dag", failure)
        return self._send(cfg, pipeline, summary, self.severity, failure, key)

    def _page_sla(
        self,
        dag: object,
        slas: Sequence[object],
        blocking_tis: Sequence[object],
        task_list: object,
    ) -> PageResult | None:
        cfg = self._config()
        pipeline = self._pipeline(cfg, dag, None)
        if pipeline is None:
            return None
        missed = sorted(
            {(str(_field(s, "task_id")), _text(_field(s, "execution_date")) or "-") for s in slas}
        )
        tasks = sorted({task for task, _ in missed})
        blocking = sorted({str(_field(ti, "task_id")) for ti in blocking_tis})
        failure = AirflowFailure(
            dag_id=_text(_field(dag, "dag_id")),
            task_id=", ".join(tasks) or None,
            logical_date=", ".join(sorted({d for _, d in missed})) or None,
            reason=("blocked by " + ", ".join(blocking)) if blocking else _text(task_list),
        )
        summary = f"Airflow SLA missed: DAG {failure.dag_id}, task(s) {failure.task_id or '?'}"
        ident = " ".join(f"{task}@{when}" for task, when in missed)
        key = compute_dedup_key(pipeline, f"sla {ident}", failure)
        return self._send(cfg, pipeline, summary, self.deadline_severity, failure, key)

    def _page_deadline(
        self, context: Mapping[str, Any], kwargs: Mapping[str, Any]
    ) -> PageResult | None:
        cfg = self._config()
        explicit = kwargs.get("pipeline")
        if isinstance(explicit, str) and explicit.strip():
            pipeline: str | None = explicit.strip()
            if pipeline not in cfg.owners.pipelines:
                log.error(
                    "oncall: deadline callback names pipeline %r, which is not in %s; "
                    "nobody was paged",
                    pipeline,
                    cfg.owners_path,
                )
                return None
        else:
            conf = _field(context.get("dag_run"), "conf")
            merged = dict(context)
            if "params" not in merged and isinstance(conf, Mapping):
                merged["params"] = conf
            pipeline = self._pipeline(cfg, context.get("dag"), merged)
        if pipeline is None:
            return None
        failure = read_failure(context, task_level=False)
        deadline = _field(context.get("deadline"), "deadline_time") or kwargs.get("deadline")
        if deadline is not None and failure.reason is None:
            failure = AirflowFailure(
                **{**failure.__dict__, "reason": f"deadline {_text(deadline)}"}
            )
        summary = f"Airflow deadline missed: DAG {failure.dag_id} (run {failure.run_id})"
        key = compute_dedup_key(pipeline, "deadline", failure)
        return self._send(cfg, pipeline, summary, self.deadline_severity, failure, key)

    def _send(
        self,
        cfg: Config,
        pipeline: str,
        summary: str,
        severity: Severity,
        failure: AirflowFailure,
        key: str,
    ) -> PageResult:
        from oncall.paging_service import load_paging, scrub_all, send_page

        paging = load_paging(cfg)
        details = {
            k: scrub_all(v, paging.secrets) if isinstance(v, str) else v
            for k, v in failure.details().items()
        }
        store = self._store()
        try:
            result = send_page(
                paging,
                target=pipeline,
                summary=scrub_all(summary, paging.secrets),
                severity=severity,
                details=details,
                dedup_key=key,
                now=self._clock(),
                store=store,
            )
        finally:
            if store is not None:
                store.close()
        _log_result(result)
        return result

    def _store(self) -> Store | None:
        if self.state_db is None:
            return None
        from oncall.adapters.store import Store

        return Store.open(self.state_db)

    def _resolve(self, context: Mapping[str, Any], *, task_level: bool) -> ActionResult | None:
        from oncall.adapters.store import Store, default_db_path
        from oncall.paging_service import load_paging, resolve_page

        path = self.state_db or default_db_path()
        if not path.is_file():
            return None  # nothing was ever paged from here
        cfg = self._config()
        found = resolve_pipeline_name(context.get("dag"), context)
        if found is None or found[0] not in cfg.owners.pipelines:
            return None  # nothing to resolve: a failure would have been logged
        failure = read_failure(context, task_level=task_level)
        key = compute_dedup_key(found[0], "task" if task_level else "dag", failure)
        with Store.open(path) as store:
            if store.open_page_by_dedup(key) is None:
                return None
            paging = load_paging(cfg)
            result = resolve_page(paging, store, key, by="airflow", now=self._clock())
        log.info(
            "oncall: %s succeeded in run %s: page %s resolved",
            failure.task_id or failure.dag_id,
            failure.run_id,
            result.page_id,
        )
        failed = [d for d in result.deliveries if d.status != "sent"]
        if failed:
            log.error(
                "oncall: page %s is resolved here, but not every provider was told: %s",
                result.page_id,
                "; ".join(f"{d.channel} to {d.to}: {d.detail}" for d in failed),
            )
        return result


def _error_text(exc: Exception) -> str:
    """One line naming the error; OncallError messages are written for people already."""
    from oncall.errors import OncallError

    text = str(exc).strip().splitlines()
    first = text[0] if text else ""
    if isinstance(exc, OncallError):
        return first or type(exc).__name__
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__


def _log_result(result: PageResult) -> None:
    who = result.responder or "the channels"
    if result.outcome == "delivered":
        sent = sorted({d.channel for d in result.deliveries if d.status == "sent"})
        log.info(
            "oncall: paged %s for %s via %s (page %s, dedup key %s)",
            who,
            result.pipeline,
            ", ".join(sent),
            result.page_id,
            result.dedup_key,
        )
    elif result.outcome == "suppressed":
        log.info(
            "oncall: already paged for %s (page %s is open): not paged again",
            result.pipeline,
            result.page_id,
        )
    elif result.outcome == "queued":
        log.info(
            "oncall: page %s for %s held for quiet hours until %s",
            result.page_id,
            result.pipeline,
            result.hold_until,
        )
    else:
        log.error(
            "oncall: page %s for %s (responder %s) was not delivered: %s; it is kept in the "
            "outbox: run `oncall page flush` once the cause is fixed",
            result.page_id,
            result.pipeline,
            who,
            "; ".join(f"{d.channel}: {d.detail}" for d in result.deliveries) or "no channel",
        )


def make_callbacks(
    config_dir: Path | str | None = None,
    *,
    severity: Severity = "error",
    deadline_severity: Severity = "warning",
    state_db: Path | str | None = None,
    clock: Clock | None = None,
) -> OncallCallbacks:
    """Callbacks for DAGs and tasks.

    ``config_dir``: the oncall config directory (default ``$ONCALL_CONFIG_DIR`` when a
    callback runs). ``severity``: of failure pages; ``deadline_severity``: of SLA and
    deadline pages. ``state_db``: the store (default ``$ONCALL_STATE_DB``, else the
    per-user store). ``clock``: for tests.
    """
    return OncallCallbacks(
        config_dir,
        severity=severity,
        deadline_severity=deadline_severity,
        state_db=state_db,
        clock=clock,
    )


# --------------------------------------------------------------------------- module-level
# For DAG files that want no factory, and for Airflow 3 deadline callbacks, which Airflow
# imports by path: the config directory is $ONCALL_CONFIG_DIR (or ``config_dir=`` kwarg).


def _default(config_dir: object = None, severity: object = None) -> OncallCallbacks:
    directory = config_dir if isinstance(config_dir, str | Path) else None
    if directory is None and not os.environ.get("ONCALL_CONFIG_DIR"):
        log.warning("oncall: ONCALL_CONFIG_DIR is not set; looking for config/ from the cwd")
    from oncall.domain.paging import SEVERITIES

    chosen = next((s for s in SEVERITIES if s == severity), None)
    if chosen is None:
        return OncallCallbacks(directory)
    return OncallCallbacks(directory, severity=chosen, deadline_severity=chosen)


def on_failure_callback(context: Mapping[str, Any]) -> PageResult | None:
    """Task (or DAG) failure: page the DAG's pipeline's responder."""
    return _default().on_failure_callback(context)


def on_dag_failure_callback(context: Mapping[str, Any]) -> PageResult | None:
    """DAG failure: one page per DAG run."""
    return _default().on_dag_failure_callback(context)


def on_success_callback(context: Mapping[str, Any]) -> ActionResult | None:
    """Resolve the page this task's (or DAG's) earlier failure in this run opened."""
    return _default().on_success_callback(context)


def sla_miss_callback(
    dag: object,
    task_list: object = None,
    blocking_task_list: object = None,
    slas: Sequence[object] | None = None,
    blocking_tis: Sequence[object] | None = None,
) -> PageResult | None:
    """Airflow 2.x SLA miss."""
    return _default().sla_miss_callback(dag, task_list, blocking_task_list, slas, blocking_tis)


def deadline_callback_sync(
    context: Mapping[str, Any] | None = None, **kwargs: Any
) -> PageResult | None:
    """Airflow 3 ``SyncCallback`` target; kwargs: ``pipeline``, ``config_dir``,
    ``severity``."""
    callbacks = _default(kwargs.pop("config_dir", None), kwargs.pop("severity", None))
    return callbacks.on_deadline_missed(context, **kwargs)


async def deadline_callback(
    context: Mapping[str, Any] | None = None, **kwargs: Any
) -> PageResult | None:
    """Airflow 3 ``AsyncCallback`` target (runs in the triggerer): paging is blocking I/O,
    so it runs in a worker thread."""
    import asyncio

    return await asyncio.to_thread(deadline_callback_sync, context, **kwargs)
