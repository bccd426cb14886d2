"""Doctor probes of what the config reads from: holiday calendars and state sources.

Calendars: every calendar key the config uses resolves and builds this year and next.
State sources: a local directory exists and its files parse; Cloud Monitoring answers a
cheap ``ListTimeSeries`` over one minute (credentials, permission) within the source's
own timeout.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING

from oncall.errors import CalendarError, ConfigError, StateDataError, StateSourceError
from oncall.reports.doctor import DoctorCheck
from oncall.services.doctor.runner import Probe, fail, ok, warn

if TYPE_CHECKING:
    from oncall.adapters.calendars import CalendarKey
    from oncall.config import Config
    from oncall.services.runbook.sources import StateSources

__all__ = [
    "DEFAULT_PROBE_METRIC",
    "calendar_name",
    "calendar_probes",
    "probe_calendar",
    "probe_state_source",
    "source_probes",
]

DEFAULT_PROBE_METRIC = "pipeline/run_completed"
"""The metric a state source is probed with when no runbook reads it."""
PROBE_INTERVAL = timedelta(minutes=1)
"""The interval a Cloud Monitoring probe asks for: tiny, so the answer is cheap."""

_ADC_FIX = (
    "run `gcloud auth application-default login` (or set GOOGLE_APPLICATION_CREDENTIALS to a "
    "service-account key file)"
)


# --------------------------------------------------------------------------- calendars


def calendar_probes(cfg: Config, now: datetime) -> list[Probe]:
    """One probe per calendar the team or a person uses, naming who uses it."""
    from oncall.services.roster import calendar_key

    keys: dict[CalendarKey, list[str]] = {}
    if cfg.owners.team.holidays is not None:
        keys.setdefault(calendar_key(cfg.owners.team.holidays), []).append("team")
    for pid in cfg.owners.people:
        spec = cfg.holidays_for(pid)
        if spec is not None:
            keys.setdefault(calendar_key(spec), []).append(pid)
    return [
        Probe(calendar_name(key), partial(probe_calendar, key, users, now), 30.0)
        for key, users in keys.items()
    ]


def calendar_name(key: CalendarKey) -> str:
    """``calendar IN-MH``; categories are named when they are not just ``public``."""
    place = f"{key.country}-{key.subdiv}" if key.subdiv else key.country
    extra = f" ({', '.join(key.categories)})" if key.categories != ("public",) else ""
    return f"calendar {place}{extra}"


def probe_calendar(key: CalendarKey, used_by: Sequence[str], now: datetime) -> DoctorCheck:
    """The ``holidays`` package knows ``key`` and builds this year and next."""
    from oncall.adapters.calendar_cache import CachedHolidayCalendars
    from oncall.adapters.calendars import check_calendar

    name = calendar_name(key)
    who = ", ".join(used_by)
    message = check_calendar(key)
    if message is not None:
        return fail(
            name,
            f"used by {who}: {message}",
            "correct `holidays:` in owners.yaml (`oncall validate` shows where)",
        )
    calendars = CachedHolidayCalendars()
    years = (now.year, now.year + 1)
    try:
        count = sum(len(calendars.year(key, y)) for y in years)
        coverage = calendars.coverage_warning(key, years)
    except CalendarError as exc:
        return fail(name, f"used by {who}: {exc}", "correct `holidays:` in owners.yaml")
    if coverage is not None:
        return warn(name, f"used by {who}: {coverage}", "upgrade the holidays package")
    return ok(name, f"used by {who}: {count} holidays in {years[0]}-{years[1]}")


# --------------------------------------------------------------------------- state sources


def source_probes(cfg: Config, now: datetime) -> tuple[list[Probe], list[DoctorCheck]]:
    """One probe per state source, querying a metric a runbook reads from it; or, when
    state.yaml is invalid, no probe and a failed check saying so."""
    from oncall.config.models.state import (
        BigQuerySourceSpec,
        MonitoringSourceSpec,
        SqlSourceSpec,
    )
    from oncall.domain.checks import required_queries
    from oncall.services.runbook.catalog import list_runbooks
    from oncall.services.runbook.sources import load_state_sources

    try:
        sources = load_state_sources(cfg)
    except ConfigError as exc:
        first = exc.problems[0].render() if exc.problems else "invalid"
        return [], [
            fail(
                "sources",
                f"config/state.yaml is invalid: {first}",
                "run `oncall validate` and fix config/state.yaml",
            )
        ]
    metrics: dict[str, str] = {}
    try:
        runbooks = list_runbooks(cfg)
    except ConfigError:
        runbooks = []  # the config probe reports it
    for loaded in runbooks:
        for _, check in loaded.checks:
            for query in required_queries(check, now=now, team_tz=cfg.team_tz):
                if query.sql is None:
                    metrics.setdefault(query.source or loaded.runbook.source, query.metric)
    probes: list[Probe] = []
    for name in sources.names:
        spec = sources.config.sources[name]
        bound = 60.0  # local: reading and parsing every file
        if isinstance(spec, MonitoringSourceSpec):
            bound = _seconds(spec.timeout, 10.0) + 5.0
        if isinstance(spec, SqlSourceSpec | BigQuerySourceSpec):
            bound = _seconds(spec.timeout, 60.0) + 5.0
            probe = partial(probe_query_state_source, sources, name)
            probes.append(Probe(f"source {name}", probe, bound))
            continue
        metric = metrics.get(name, DEFAULT_PROBE_METRIC)
        probes.append(
            Probe(f"source {name}", partial(probe_state_source, sources, name, metric, now), bound)
        )
    return probes, []


def _seconds(raw: object, default: float) -> float:
    from oncall.domain.timeutil import parse_duration

    if isinstance(raw, bool):
        return default
    if isinstance(raw, int | float):
        return float(raw)
    if isinstance(raw, str):
        try:
            return parse_duration(raw).total_seconds()
        except ValueError:
            return default
    return default


def probe_state_source(sources: StateSources, name: str, metric: str, now: datetime) -> DoctorCheck:
    """One cheap query: a minute of ``metric`` before ``now``, within the source's timeout.

    A local source reads and parses every file under its directory; Cloud Monitoring answers
    one ``ListTimeSeries`` (credentials, permission and the network all take part).
    """
    from oncall.adapters.probes import fetch_once
    from oncall.domain.checks import SeriesQuery

    check_name = f"source {name}"
    query = SeriesQuery(metric=metric, labels=(), start=now - PROBE_INTERVAL, end=now)
    local = sources.local_path(name)
    files = sorted(local.rglob("*.jsonl")) if local is not None and local.is_dir() else []
    try:
        elapsed = fetch_once(name, sources.config.sources[name], sources.config.base_dir, query)
    except StateDataError as exc:
        return fail(
            check_name,
            str(exc),
            "fix that line (JSON Lines: metric, labels, time, value), or regenerate demo "
            "state with `oncall state demo`",
        )
    except StateSourceError as exc:
        reason = _without_prefix(str(exc), name)
        if local is not None:  # the source's own advice is the fix below
            reason = reason.split("; ", 1)[0]
        return fail(check_name, reason, _source_fix(sources, name, exc))
    if local is not None:
        if not files:
            return warn(
                check_name,
                f"{local} holds no *.jsonl files: every check will find no data",
                "write state there (`oncall state demo` for demo data), or point the "
                "source's path at your state files",
            )
        return ok(check_name, f"{len(files)} file(s) in {local} read and parsed")
    return ok(check_name, f"{sources.describe(name)}: ListTimeSeries answered in {elapsed:.2f}s")


def probe_query_state_source(sources: StateSources, name: str) -> DoctorCheck:
    """A ``sql`` source answers ``SELECT 1`` in a read-only transaction; a ``bigquery`` source
    answers a dry run (credentials, project, permission and the network all take part)."""
    from oncall.adapters.probes import probe_query_source

    check_name = f"source {name}"
    spec = sources.config.sources[name]
    try:
        elapsed = probe_query_source(name, spec, sources.config.base_dir)
    except StateSourceError as exc:
        return fail(check_name, _without_prefix(str(exc), name), _query_fix(spec.kind, str(exc)))
    what = "SELECT 1" if spec.kind == "sql" else "a dry run"
    return ok(check_name, f"{sources.describe(name)}: {what} answered in {elapsed:.2f}s")


def _query_fix(kind: str, message: str) -> str:
    if "environment variable" in message:
        return "export the variable with the database's SQLAlchemy URL (see docs/runbooks.md)"
    if kind == "sql":
        if "unable to open" in message.lower() or "SQLite" in message:
            return "write the demo warehouse with `oncall state demo`, or fix the source's path"
        return "check the URL, the network and the user's SELECT grants"
    if "credentials" in message:
        return _ADC_FIX
    if "access denied" in message:
        return "grant roles/bigquery.jobUser on the project and roles/bigquery.dataViewer"
    return "check the project, the location, the network and the endpoint in config/state.yaml"


def _without_prefix(message: str, name: str) -> str:
    """The reason alone: the check's name already says which source."""
    if message.startswith(f"state source {name!r}") and ": " in message:
        return message.split(": ", 1)[1]
    return message


def _source_fix(sources: StateSources, name: str, exc: StateSourceError) -> str:
    from oncall.adapters.probes import monitoring_failure
    from oncall.config.models.state import LocalSourceSpec

    spec = sources.config.sources[name]
    if isinstance(spec, LocalSourceSpec):
        return (
            "create the directory and write state into it (`oncall state demo` for demo "
            "data), or point the source's path in config/state.yaml at your state files"
        )
    project = str(getattr(spec, "project", ""))
    kind = monitoring_failure(exc.__cause__)
    if kind == "permission":
        return (
            f"grant the account oncall runs as roles/monitoring.viewer on project {project}: "
            f"gcloud projects add-iam-policy-binding {project} --member=ACCOUNT "
            "--role=roles/monitoring.viewer"
        )
    if kind == "credentials":
        return _ADC_FIX
    if kind == "not-found":
        return (
            f"check the project id {project!r} and enable the API: gcloud services enable "
            f"monitoring.googleapis.com --project {project}"
        )
    if kind == "argument":
        return "check the source's metric_prefix and the runbooks' metric names"
    if kind == "timeout":
        return "check the network and the endpoint, or raise the source's timeout"
    return "check the network, the endpoint and the project in config/state.yaml"
