"""The callbacks themselves: page, resolve, log; never raise into Airflow.

:class:`OncallCallbacks` is bound to one config directory; each hook reads the context
(:mod:`.context`), then pages through :mod:`oncall.services.paging`, so dedup, quiet
hours, the outbox and escalation work exactly as for ``oncall page``.

The ``on_*``/``*_callback`` hooks return None: Airflow 3 stores what a deadline callback
returns in a text column (a dict stops the triggerer), and ignores the rest. The
``page_*``/``resolve_success`` methods behind them return what was done, for tests and
scripts; neither ever raises ``Exception``.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from oncall.integrations.airflow.context import (
    AIRFLOW_DEFAULT_BASE_URL,
    PARAM,
    TAG_PREFIX,
    AirflowFailure,
    as_text,
    compute_dedup_key,
    get_field,
    read_failure,
    rebase_url,
    resolve_pipeline_name,
)

if TYPE_CHECKING:
    from oncall.adapters.store import StoreLocation
    from oncall.config import Config
    from oncall.domain.paging.content import Severity
    from oncall.reports.paging import ActionResult, PageResult

__all__ = ["Clock", "OncallCallbacks", "make_callbacks"]

log = logging.getLogger("oncall.airflow")


def _warn(text: str) -> None:
    log.warning("oncall: %s", text)


Clock = Callable[[], datetime]
T = TypeVar("T")


class OncallCallbacks:
    """Callbacks bound to one config directory; build them with :func:`make_callbacks`.

    The Airflow hooks return None; ``page_failure``, ``page_dag_failure``,
    ``resolve_success``, ``page_sla_miss`` and ``page_deadline`` do the same work and
    return what was done (a ``PageResult``, an ``ActionResult`` or None). None of them
    ever raises ``Exception``.
    """

    def __init__(
        self,
        config_dir: Path | str | None = None,
        *,
        severity: Severity = "error",
        deadline_severity: Severity = "warning",
        state_db: Path | str | None = None,
        clock: Clock | None = None,
        base_url: str | None = None,
    ) -> None:
        self.config_dir = Path(config_dir) if config_dir is not None else None
        self.base_url = base_url
        self.severity: Severity = severity
        self.deadline_severity: Severity = deadline_severity
        self.state_db = Path(state_db) if state_db is not None else None
        self._clock = clock or (lambda: datetime.now(UTC))

    def __repr__(self) -> str:
        return f"OncallCallbacks(config_dir={str(self.config_dir)!r})"

    # -- Airflow hooks: return None, never raise ----------------------------------------

    def on_failure_callback(self, context: Mapping[str, Any]) -> None:
        """A task's ``on_failure_callback`` (also fine as a DAG's: a DAG-level context
        carries ``reason``, and is then paged once per DAG run)."""
        self.page_failure(context)

    def on_dag_failure_callback(self, context: Mapping[str, Any]) -> None:
        """A DAG's ``on_failure_callback``: one page per DAG run."""
        self.page_dag_failure(context)

    def on_success_callback(self, context: Mapping[str, Any]) -> None:
        """A task's or a DAG's ``on_success_callback``: resolve the page a failure of this
        task (or of this DAG run, for a DAG-level context) opened, if one is open."""
        self.resolve_success(context)

    def sla_miss_callback(self, dag: object, *args: Any) -> None:
        """Airflow 2.x ``sla_miss_callback(dag, task_list, blocking_task_list, slas,
        blocking_tis)``: one page per set of missed SLAs."""
        self.page_sla_miss(dag, *args)

    def on_deadline_missed(self, context: Mapping[str, Any] | None = None, **kwargs: Any) -> None:
        """An Airflow 3 deadline-alert callback: ``context`` holds ``dag_run`` (and maybe
        ``dag``); pass ``pipeline=`` in the callback's kwargs when no DAG object is there."""
        self.page_deadline(context, **kwargs)

    # -- the same work, returning what was done ------------------------------------------

    def page_failure(self, context: Mapping[str, Any]) -> PageResult | None:
        """What ``on_failure_callback`` does: a task page, or a DAG page for a DAG context."""
        return self._guard(
            "task failure",
            lambda: self._page_failure(context, task_level="reason" not in context),
        )

    def page_dag_failure(self, context: Mapping[str, Any]) -> PageResult | None:
        """What ``on_dag_failure_callback`` does: one page per DAG run."""
        return self._guard("DAG failure", lambda: self._page_failure(context, task_level=False))

    def resolve_success(self, context: Mapping[str, Any]) -> ActionResult | None:
        """What ``on_success_callback`` does; None when nothing was open."""

        def work() -> ActionResult | None:
            task_level = "reason" not in context and bool(
                context.get("task_instance") or context.get("ti")
            )
            return self._resolve(context, task_level=task_level)

        return self._guard("success", work)

    def page_sla_miss(
        self,
        dag: object,
        task_list: object = None,
        blocking_task_list: object = None,
        slas: Sequence[object] | None = None,
        blocking_tis: Sequence[object] | None = None,
    ) -> PageResult | None:
        """What ``sla_miss_callback`` does, with Airflow 2.x's arguments."""
        return self._guard(
            "SLA miss", lambda: self._page_sla(dag, slas or (), blocking_tis or (), task_list)
        )

    def page_deadline(
        self, context: Mapping[str, Any] | None = None, **kwargs: Any
    ) -> PageResult | None:
        """What ``on_deadline_missed`` does: one page per DAG run and deadline."""
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
        dag_id = get_field(dag, "dag_id") or get_field(get_field(context, "dag_run"), "dag_id")
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
        failure = replace(failure, log_url=self._log_url(failure.log_url))
        run = _run_label(failure)
        if task_level:
            what = f"task {failure.dag_id}.{failure.task_id}"
            tries = f", try {failure.try_number}" if failure.try_number is not None else ""
            summary = f"Airflow {what} failed (run {run}{tries})"
        else:
            why = f": {failure.reason}" if failure.reason else ""
            summary = f"Airflow DAG {failure.dag_id} failed (run {run}){why}"
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
            {
                (str(get_field(s, "task_id")), as_text(get_field(s, "execution_date")) or "-")
                for s in slas
            }
        )
        tasks = sorted({task for task, _ in missed})
        blocking = sorted({str(get_field(ti, "task_id")) for ti in blocking_tis})
        failure = AirflowFailure(
            dag_id=as_text(get_field(dag, "dag_id")),
            task_id=", ".join(tasks) or None,
            logical_date=", ".join(sorted({d for _, d in missed})) or None,
            reason=("blocked by " + ", ".join(blocking)) if blocking else as_text(task_list),
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
            conf = get_field(context.get("dag_run"), "conf")
            merged = dict(context)
            if "params" not in merged and isinstance(conf, Mapping):
                merged["params"] = conf
            pipeline = self._pipeline(cfg, context.get("dag"), merged)
        if pipeline is None:
            return None
        failure = read_failure(context, task_level=False)
        deadline = get_field(context.get("deadline"), "deadline_time") or kwargs.get("deadline")
        if deadline is not None and failure.reason is None:
            failure = replace(failure, reason=f"deadline {as_text(deadline)}")
        summary = f"Airflow deadline missed: DAG {failure.dag_id} (run {_run_label(failure)})"
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
        from oncall.services.paging.common import load_paging, scrub_all
        from oncall.services.paging.send import send_page

        paging = load_paging(cfg)
        details = {
            k: scrub_all(v, paging.secrets) if isinstance(v, str) else v
            for k, v in failure.details().items()
        }
        from oncall.services.store import open_store_or_spool

        # The store down: the page is still sent, and spooled for the next command.
        with open_store_or_spool(cfg, say=_warn, location=self._location(cfg)) as store:
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
        _log_result(result)
        return result

    def _log_url(self, url: str | None) -> str | None:
        """``ti.log_url`` on the configured base URL: ``base_url=``, else Airflow's own
        ``[api] base_url`` (or ``$AIRFLOW__API__BASE_URL``); Airflow itself falls back to
        ``http://localhost:8080``, which is not where anyone's UI is."""
        base = self.base_url or _airflow_base_url()
        moved = rebase_url(url, base)
        if moved is not None and moved.startswith(AIRFLOW_DEFAULT_BASE_URL) and not base:
            log.warning(
                "oncall: the log link points at Airflow's default %s: set [api] base_url "
                "in Airflow (or make_callbacks(base_url=...)) to link to your Airflow UI",
                AIRFLOW_DEFAULT_BASE_URL,
            )
        return moved

    def _location(self, cfg: Config) -> StoreLocation:
        """The team's store: ``state_db`` if given, else where every command finds it."""
        from oncall.adapters.store import StoreLocation
        from oncall.services.store import resolve_store_location

        if self.state_db is not None:
            return StoreLocation("state_db", path=self.state_db)
        return resolve_store_location(cfg)

    def _resolve(self, context: Mapping[str, Any], *, task_level: bool) -> ActionResult | None:
        from oncall.services.paging.actions import resolve_page
        from oncall.services.paging.common import load_paging
        from oncall.services.store import open_team_store

        cfg = self._config()
        location = self._location(cfg)
        if location.path is not None and not location.path.is_file():
            return None  # nothing was ever paged from here
        found = resolve_pipeline_name(context.get("dag"), context)
        if found is None or found[0] not in cfg.owners.pipelines:
            return None  # nothing to resolve: a failure would have been logged
        failure = read_failure(context, task_level=task_level)
        key = compute_dedup_key(found[0], "task" if task_level else "dag", failure)
        with open_team_store(cfg, say=_warn, location=location) as store:
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


def _run_label(failure: AirflowFailure) -> str:
    return failure.run_id or failure.logical_date or "unknown"


def _airflow_base_url() -> str | None:
    """Airflow's ``[api] base_url`` when this runs inside Airflow (its config module is
    loaded already, so nothing is imported), else ``$AIRFLOW__API__BASE_URL``."""
    configuration = sys.modules.get("airflow.configuration")
    conf = getattr(configuration, "conf", None)
    if conf is not None:
        try:
            value = conf.get("api", "base_url", fallback=None)
        except Exception:  # an Airflow without that option
            value = None
        if isinstance(value, str) and value.strip():
            return value.strip()
    return os.environ.get("AIRFLOW__API__BASE_URL", "").strip() or None


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
    base_url: str | None = None,
) -> OncallCallbacks:
    """Callbacks for DAGs and tasks.

    ``config_dir``: the oncall config directory (default ``$ONCALL_CONFIG_DIR`` when a
    callback runs). ``severity``: of failure pages; ``deadline_severity``: of SLA and
    deadline pages. ``state_db``: the store (default ``$ONCALL_STATE_DB``, else the
    per-user store). ``clock``: for tests. ``base_url``: the Airflow UI that log links
    point at (default Airflow's ``[api] base_url``).
    """
    return OncallCallbacks(
        config_dir,
        severity=severity,
        deadline_severity=deadline_severity,
        state_db=state_db,
        clock=clock,
        base_url=base_url,
    )
