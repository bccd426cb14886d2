"""``oncall doctor``: what works and what does not, each problem with its fix.

Probes, each bounded in time and run concurrently:

* **config**: everything ``oncall validate`` reports (errors fail, warnings warn);
* **holiday calendars**: every calendar key the config uses resolves and builds;
* **state sources**: local directories exist and their files parse; Cloud Monitoring
  answers a cheap ``ListTimeSeries`` over a one-minute interval (credentials, permission)
  within the source's own timeout;
* **paging channels**: each channel's environment variables are set and its endpoint is
  reachable *without sending a page*: an HTTP ``HEAD`` of the URL's origin (``/``, never the
  secret path, never a POST), or SMTP connect, ``EHLO``, ``STARTTLS`` if configured, login
  if credentials are set, then ``QUIT`` (no mail is sent);
* **state store**: it opens, and a write transaction can be taken and rolled back.

Secrets never appear in a result: URLs that come from environment variables are shown as
their host and port only, and every detail is scrubbed of known secrets.

Nothing here reads the clock or imports typer: the instant is resolved by the caller.
"""

from __future__ import annotations

import os
import smtplib
import socket
import sqlite3
import ssl
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from pydantic import BaseModel

from oncall.errors import ConfigError, OncallError, Problem, StateDataError, StateSourceError

if TYPE_CHECKING:
    from oncall.adapters.calendars import CalendarKey
    from oncall.config import Config
    from oncall.domain.paging import EmailChannel, Secret
    from oncall.paging_service import Paging
    from oncall.runbooks import StateSources

__all__ = [
    "DEFAULT_PROBE_METRIC",
    "DoctorCheck",
    "DoctorReport",
    "ProbeStatus",
    "probe_calendar",
    "probe_channel",
    "probe_config",
    "probe_state_source",
    "probe_store",
    "run_doctor",
]

ProbeStatus = Literal["ok", "warn", "fail", "skip"]

DEFAULT_PROBE_METRIC = "pipeline/run_completed"
"""The metric a state source is probed with when no runbook reads it."""
PROBE_INTERVAL = timedelta(minutes=1)
"""The interval a Cloud Monitoring probe asks for: tiny, so the answer is cheap."""
NETWORK_TIMEOUT_MAX = 5.0
"""An endpoint probe waits at most this long per network operation (or the channel's
``timeout`` when that is shorter)."""
STORE_BUSY_TIMEOUT = 5.0
OVERALL_MARGIN = 10.0
"""How much longer than its slowest bound the whole doctor waits for a probe."""

_ADC_FIX = (
    "run `gcloud auth application-default login` (or set GOOGLE_APPLICATION_CREDENTIALS to a "
    "service-account key file)"
)


class DoctorCheck(BaseModel):
    """One probe's verdict: what was checked, how it went and what to do about it."""

    name: str
    status: ProbeStatus
    detail: str
    fix: str | None = None


class DoctorReport(BaseModel):
    """Everything ``oncall doctor`` found; ``ok`` is False when any check failed."""

    ok: bool
    checks: list[DoctorCheck]


def _ok(name: str, detail: str) -> DoctorCheck:
    return DoctorCheck(name=name, status="ok", detail=detail)


def _warn(name: str, detail: str, fix: str) -> DoctorCheck:
    return DoctorCheck(name=name, status="warn", detail=detail, fix=fix)


def _fail(name: str, detail: str, fix: str) -> DoctorCheck:
    return DoctorCheck(name=name, status="fail", detail=detail, fix=fix)


def _skip(name: str, detail: str, fix: str | None = None) -> DoctorCheck:
    return DoctorCheck(name=name, status="skip", detail=detail, fix=fix)


# --------------------------------------------------------------------------- the runner


@dataclass(frozen=True)
class _Probe:
    name: str
    run: Callable[[], DoctorCheck]
    bound: float
    """Seconds the probe may take; the runner gives up on it a margin after that."""
    then: tuple[_Probe, ...] = ()
    """Probes run after this one in the same thread (the ``holidays`` package's warning
    filters are process-global, so calendar work is never run concurrently)."""


def run_doctor(
    directory: Path | None,
    *,
    now_text: str | None,
    resolve_now: Callable[[str | None, ZoneInfo], datetime],
    environ: Mapping[str, str] | None = None,
) -> DoctorReport:
    """Every probe, concurrently; a probe that overruns its bound is reported as failed.

    ``resolve_now`` turns ``now_text`` (``None`` meaning the clock) into an instant in the
    team's time zone, as the CLI does for ``--now``.
    """
    from oncall.config import load_config

    env = os.environ if environ is None else environ
    checks: list[DoctorCheck] = []
    probes: list[_Probe] = []
    secrets: list[Secret] = []
    try:
        cfg: Config | None = load_config(directory)
    except ConfigError as exc:
        cfg = None
        checks.append(_config_failed(exc.problems))
    if cfg is not None:
        now = resolve_now(now_text, cfg.team_tz)
        calendars = tuple(_calendar_probes(cfg, now))
        probes.append(
            _Probe(
                "config",
                partial(probe_config, directory, now_text, resolve_now),
                60.0 + sum(p.bound for p in calendars),
                then=calendars,
            )
        )
        source_probes, early = _source_probes(cfg, now)
        probes.extend(source_probes)
        checks.extend(early)
        channel_probes, early, secrets = _channel_probes(cfg, env)
        probes.extend(channel_probes)
        checks.extend(early)
    else:
        for what in ("calendars", "sources", "paging"):
            checks.append(_skip(what, "not checked: the config did not load", None))
    probes.append(_Probe("store", probe_store, 2 * STORE_BUSY_TIMEOUT + 10.0))
    checks.extend(_run_all(probes))
    return DoctorReport(
        ok=not any(c.status == "fail" for c in checks),
        checks=[_scrubbed(c, secrets) for c in _ordered(checks)],
    )


_ORDER = ("config", "calendar", "source", "paging", "channel", "store")


def _ordered(checks: Sequence[DoctorCheck]) -> list[DoctorCheck]:
    def rank(check: DoctorCheck) -> int:
        return next((i for i, p in enumerate(_ORDER) if check.name.startswith(p)), len(_ORDER))

    return sorted(checks, key=rank)  # stable: probes keep their order within a group


def _run_all(probes: Sequence[_Probe]) -> list[DoctorCheck]:
    """Each probe (and what it chains) in a daemon thread of its own, all at once.

    Daemon threads, not an executor: an executor's threads are joined when the process
    exits, so one stuck probe (DNS resolution is not bounded by socket timeouts) would
    hold the command open. Here the command ends on time and reports the probe as failed.
    """
    results: list[list[DoctorCheck] | None] = [None] * len(probes)

    def work(index: int, probe: _Probe) -> None:
        results[index] = _chain(probe)

    threads = [
        threading.Thread(target=work, args=(i, p), name=f"doctor-{i}", daemon=True)
        for i, p in enumerate(probes)
    ]
    for thread in threads:
        thread.start()
    limit = max((p.bound for p in probes), default=0.0) + OVERALL_MARGIN
    deadline = time.monotonic() + limit
    for thread in threads:
        thread.join(max(deadline - time.monotonic(), 0.0))
    out: list[DoctorCheck] = []
    for probe, found in zip(probes, results, strict=True):
        if found is not None:
            out.extend(found)
        else:
            out.append(
                _fail(
                    probe.name,
                    f"no verdict within {limit:g}s",
                    "something on the way hangs past every timeout (often DNS): check name "
                    "resolution and the network from this machine",
                )
            )
    return out


def _chain(probe: _Probe) -> list[DoctorCheck]:
    return [_guarded(p) for p in (probe, *probe.then)]


def _guarded(probe: _Probe) -> DoctorCheck:
    """A probe's verdict; a bug in a probe becomes a failed check, not a crash."""
    try:
        return probe.run()
    except OncallError as exc:
        return _fail(probe.name, str(exc), "fix the problem above, then run `oncall doctor` again")
    except Exception as exc:
        return _fail(
            probe.name,
            f"unexpected error: {type(exc).__name__}: {exc}",
            "this is a bug in oncall doctor: please report it with this message",
        )


def _scrubbed(check: DoctorCheck, secrets: Sequence[Secret]) -> DoctorCheck:
    """Defence in depth: no known secret survives in a result, whatever a library said."""
    if not secrets:
        return check
    from oncall.paging_service import scrub_all

    return check.model_copy(
        update={
            "detail": scrub_all(check.detail, secrets),
            "fix": scrub_all(check.fix, secrets) if check.fix else check.fix,
        }
    )


# --------------------------------------------------------------------------- config


def _config_failed(problems: Sequence[Problem]) -> DoctorCheck:
    errors = [p for p in problems if p.severity == "error"] or list(problems)
    first = errors[0].render() if errors else "the config could not be loaded"
    return _fail(
        "config",
        f"{len(errors)} error(s); first: {first}",
        "run `oncall validate` and fix each error at its file:line:col",
    )


def probe_config(
    directory: Path | None,
    now_text: str | None,
    resolve_now: Callable[[str | None, ZoneInfo], datetime],
) -> DoctorCheck:
    """What ``oncall validate`` reports: errors fail, warnings warn."""
    from oncall.service import collect_problems

    problems = collect_problems(directory, now_text=now_text, resolve_now=resolve_now)
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity != "error"]
    if errors:
        return _config_failed(errors)
    if warnings:
        by_file: dict[str, int] = {}
        for p in warnings:
            by_file[Path(p.path).name] = by_file.get(Path(p.path).name, 0) + 1
        where = ", ".join(f"{name}: {n}" for name, n in by_file.items())
        return _warn(
            "config",
            f"valid, with {len(warnings)} warning(s) ({where})",
            "run `oncall validate` to see each warning at its file:line:col",
        )
    return _ok("config", "valid: no errors, no warnings")


# --------------------------------------------------------------------------- calendars


def _calendar_probes(cfg: Config, now: datetime) -> list[_Probe]:
    from oncall.service import calendar_key

    keys: dict[CalendarKey, list[str]] = {}
    if cfg.owners.team.holidays is not None:
        keys.setdefault(calendar_key(cfg.owners.team.holidays), []).append("team")
    for pid in cfg.owners.people:
        spec = cfg.holidays_for(pid)
        if spec is not None:
            keys.setdefault(calendar_key(spec), []).append(pid)
    return [
        _Probe(
            calendar_name(key),
            partial(probe_calendar, key, users, now),
            30.0,
        )
        for key, users in keys.items()
    ]


def calendar_name(key: CalendarKey) -> str:
    """``calendar IN-MH``; categories are named when they are not just ``public``."""
    place = f"{key.country}-{key.subdiv}" if key.subdiv else key.country
    extra = f" ({', '.join(key.categories)})" if key.categories != ("public",) else ""
    return f"calendar {place}{extra}"


def probe_calendar(key: CalendarKey, used_by: Sequence[str], now: datetime) -> DoctorCheck:
    """The ``holidays`` package knows ``key`` and builds this year and next."""
    from oncall.adapters.calendars import CachedHolidayCalendars, CalendarError, check_calendar

    name = calendar_name(key)
    who = ", ".join(used_by)
    message = check_calendar(key)
    if message is not None:
        return _fail(
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
        return _fail(name, f"used by {who}: {exc}", "correct `holidays:` in owners.yaml")
    if coverage is not None:
        return _warn(name, f"used by {who}: {coverage}", "upgrade the holidays package")
    return _ok(name, f"used by {who}: {count} holidays in {years[0]}-{years[1]}")


# --------------------------------------------------------------------------- state sources


def _source_probes(cfg: Config, now: datetime) -> tuple[list[_Probe], list[DoctorCheck]]:
    from oncall.domain.checks import required_queries
    from oncall.runbooks import list_runbooks, load_state_sources

    try:
        sources = load_state_sources(cfg)
    except ConfigError as exc:
        first = exc.problems[0].render() if exc.problems else "invalid"
        return [], [
            _fail(
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
                metrics.setdefault(loaded.runbook.source, query.metric)
    probes: list[_Probe] = []
    for name in sources.names:
        spec = sources.specs[name]
        bound = 60.0  # local: reading and parsing every file
        if spec.get("kind") == "cloud-monitoring":
            raw = spec.get("timeout", 10.0)
            bound = _seconds(raw, 10.0) + 5.0
        metric = metrics.get(name, DEFAULT_PROBE_METRIC)
        probes.append(
            _Probe(
                f"source {name}",
                partial(probe_state_source, sources, name, metric, now),
                bound,
            )
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
    from oncall.adapters.state import build_source
    from oncall.domain.checks import SeriesQuery

    check_name = f"source {name}"
    query = SeriesQuery(metric=metric, labels=(), start=now - PROBE_INTERVAL, end=now)
    local = sources.local_path(name)
    files = sorted(local.rglob("*.jsonl")) if local is not None and local.is_dir() else []
    started = time.monotonic()
    try:
        # A source of its own: probes run concurrently and must not share a client.
        source = build_source(name, sources.specs[name], sources.base_dir)
        try:
            source.fetch(query)
        finally:
            close = getattr(source, "close", None)
            if callable(close):
                close()
    except StateDataError as exc:
        return _fail(
            check_name,
            str(exc),
            "fix that line (JSON Lines: metric, labels, time, value), or regenerate demo "
            "state with `oncall state demo`",
        )
    except StateSourceError as exc:
        reason = _without_prefix(str(exc), name)
        if local is not None:  # the source's own advice is the fix below
            reason = reason.split("; ", 1)[0]
        return _fail(check_name, reason, _source_fix(sources, name, exc))
    elapsed = time.monotonic() - started
    if local is not None:
        if not files:
            return _warn(
                check_name,
                f"{local} holds no *.jsonl files: every check will find no data",
                "write state there (`oncall state demo` for demo data), or point the "
                "source's path at your state files",
            )
        return _ok(check_name, f"{len(files)} file(s) in {local} read and parsed")
    return _ok(
        check_name,
        f"{sources.describe(name)}: ListTimeSeries answered in {elapsed:.2f}s",
    )


def _without_prefix(message: str, name: str) -> str:
    """The reason alone: the check's name already says which source."""
    if message.startswith(f"state source {name!r}") and ": " in message:
        return message.split(": ", 1)[1]
    return message


def _source_fix(sources: StateSources, name: str, exc: StateSourceError) -> str:
    spec = sources.specs[name]
    if spec.get("kind") == "local":
        return (
            "create the directory and write state into it (`oncall state demo` for demo "
            "data), or point the source's path in config/state.yaml at your state files"
        )
    project = str(spec.get("project"))
    cause = exc.__cause__
    from google.api_core import exceptions as core
    from google.auth import exceptions as auth

    if isinstance(cause, core.RetryError) and isinstance(cause.cause, Exception):
        cause = cause.cause
    if isinstance(cause, core.PermissionDenied):
        return (
            f"grant the account oncall runs as roles/monitoring.viewer on project {project}: "
            f"gcloud projects add-iam-policy-binding {project} --member=ACCOUNT "
            "--role=roles/monitoring.viewer"
        )
    if isinstance(cause, auth.DefaultCredentialsError | auth.RefreshError | core.Unauthenticated):
        return _ADC_FIX
    if isinstance(cause, core.NotFound):
        return (
            f"check the project id {project!r} and enable the API: gcloud services enable "
            f"monitoring.googleapis.com --project {project}"
        )
    if isinstance(cause, core.InvalidArgument):
        return "check the source's metric_prefix and the runbooks' metric names"
    if isinstance(cause, core.DeadlineExceeded | TimeoutError):
        return "check the network and the endpoint, or raise the source's timeout"
    return "check the network, the endpoint and the project in config/state.yaml"


# --------------------------------------------------------------------------- paging


def _channel_probes(
    cfg: Config, environ: Mapping[str, str]
) -> tuple[list[_Probe], list[DoctorCheck], list[Secret]]:
    from oncall.paging_service import PagingNotConfiguredError, load_paging, paging_path

    try:
        paging = load_paging(cfg, environ=environ)
    except PagingNotConfiguredError:
        return (
            [],
            [
                _skip(
                    "paging",
                    f"not configured: {paging_path(cfg)} does not exist, so nobody is paged",
                    "copy config/paging.yaml from the project and set its environment "
                    "variables (docs/paging.md)",
                )
            ],
            [],
        )
    except ConfigError as exc:
        first = exc.problems[0].render() if exc.problems else "invalid"
        return (
            [],
            [_fail("paging", f"paging.yaml is invalid: {first}", "run `oncall validate`")],
            [],
        )
    except OncallError as exc:
        return [], [_fail("paging", str(exc), "fix the environment, then run doctor again")], []
    probes = [
        _Probe(
            f"channel {name}",
            partial(probe_channel, paging, name, environ),
            4 * _channel_timeout(paging, name) + 5.0,
        )
        for name in paging.config.channels
    ]
    return probes, [], list(paging.secrets)


def _channel_timeout(paging: Paging, name: str) -> float:
    return min(paging.config.channels[name].timeout.total_seconds(), NETWORK_TIMEOUT_MAX)


def probe_channel(
    paging: Paging, name: str, environ: Mapping[str, str] | None = None
) -> DoctorCheck:
    """A channel's variables are set and its endpoint answers; nothing is sent."""
    from oncall.domain.paging import (
        EmailChannel,
        PagerDutyChannel,
        SlackChannel,
        WebhookChannel,
        check_channel_url,
        resolve_secret,
    )

    env = os.environ if environ is None else environ
    channel = paging.config.channels[name]
    check_name = f"channel {name}"
    label = f"{channel.kind}: " if channel.kind != name else ""
    missing = [var for var in _channel_env_vars(channel) if not env.get(var, "").strip()]
    if missing:
        which = ", ".join(missing)
        noun = "variable" if len(missing) == 1 else "variables"
        return _fail(
            check_name,
            f"{label}environment {noun} {which} not set: pages through '{name}' fail",
            f"export {' and '.join(missing)} where oncall runs ({_env_hint(channel)}; "
            "see docs/paging.md)",
        )
    notes: list[str] = []
    if isinstance(channel, PagerDutyChannel):
        people = [
            (pid, p.contacts["pagerduty_routing_key_env"])
            for pid, p in paging.cfg.people.items()
            if p.contacts.get("pagerduty_routing_key_env")
        ]
        unset = [(pid, var) for pid, var in people if not env.get(var, "").strip()]
        if unset:
            notes.append(
                "personal routing key(s) not set: "
                + ", ".join(f"{var} ({pid})" for pid, var in unset)
            )
    timeout = _channel_timeout(paging, name)
    if isinstance(channel, EmailChannel):
        verdict = _probe_smtp(channel, env, timeout)
    else:
        if isinstance(channel, PagerDutyChannel):
            url, origin_of = channel.url, "config"
        elif isinstance(channel, SlackChannel):
            url, origin_of = resolve_secret(channel.webhook_url_env, env).reveal(), "env"
        else:
            assert isinstance(channel, WebhookChannel)
            if channel.url is not None:
                url, origin_of = channel.url, "config"
            else:
                assert channel.url_env is not None
                url, origin_of = resolve_secret(channel.url_env, env).reveal(), "env"
        try:
            check_channel_url(url)
        except ValueError as exc:  # the message never repeats the URL
            where = (
                f"the URL in {_env_names(channel)}" if origin_of == "env" else "the configured URL"
            )
            return _fail(
                check_name,
                f"{label}{where} is not usable: {exc}",
                f"set {_env_names(channel) or 'url'} to the full https URL the provider gave you",
            )
        verdict = _probe_http(url, timeout)
    status, text = verdict
    if status == "fail":
        return _fail(check_name, f"{label}{text}", _reach_fix(channel))
    detail = f"{label}{text}"
    if notes:
        return _warn(
            check_name,
            f"{detail}; " + "; ".join(notes),
            "export those variables, or those people get PagerDuty pages through the "
            "channel's routing key only",
        )
    return _ok(check_name, detail)


def _channel_env_vars(channel: object) -> list[str]:
    """Names of the environment variables holding a channel's secrets."""
    from oncall.domain.paging import EmailChannel, PagerDutyChannel, SlackChannel, WebhookChannel

    if isinstance(channel, PagerDutyChannel):
        return [channel.routing_key_env]
    if isinstance(channel, SlackChannel):
        return [channel.webhook_url_env]
    if isinstance(channel, EmailChannel):
        return [v for v in (channel.username_env, channel.password_env) if v]
    if isinstance(channel, WebhookChannel) and channel.url_env:
        return [channel.url_env]
    return []


def _env_names(channel: object) -> str:
    return " and ".join(_channel_env_vars(channel))


def _env_hint(channel: object) -> str:
    from oncall.domain.paging import EmailChannel, PagerDutyChannel, SlackChannel

    if isinstance(channel, PagerDutyChannel):
        return "the Events API v2 integration key of the PagerDuty service"
    if isinstance(channel, SlackChannel):
        return "the Slack incoming-webhook URL"
    if isinstance(channel, EmailChannel):
        return "the SMTP login"
    return "the webhook receiver's URL"


def _reach_fix(channel: object) -> str:
    from oncall.domain.paging import EmailChannel

    if isinstance(channel, EmailChannel):
        return (
            f"check host and port ({channel.host}:{channel.port}) and starttls in paging.yaml, "
            "the SMTP login variables, and that this machine may reach the relay"
        )
    return (
        "check the URL, DNS and firewall or proxy (HTTPS_PROXY) from this machine; a TLS "
        "error means the certificate is not trusted here"
    )


def _host_port(url: str) -> tuple[str, int, str]:
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return host, port, parts.scheme


def _probe_http(url: str, timeout: float) -> tuple[Literal["ok", "fail"], str]:
    """HEAD of the URL's origin (``/``): DNS, TCP, TLS and an HTTP answer; the secret path
    and any credentials in the URL are never sent, and nothing is POSTed."""
    import httpx

    from oncall.domain.paging import is_loopback_host

    host, port, scheme = _host_port(url)
    shown_host = f"[{host}]" if ":" in host else host
    shown = f"{shown_host}:{port}"
    origin = f"{scheme}://{shown_host}:{port}/"
    started = time.monotonic()
    try:
        with httpx.Client(
            follow_redirects=False,
            trust_env=not is_loopback_host(host),  # proxies as the pagers use them
            timeout=httpx.Timeout(timeout),
        ) as client:
            response = client.head(origin)
    except httpx.TimeoutException:
        return "fail", f"{shown}: no answer within {timeout:g}s"
    except httpx.HTTPError as exc:
        return "fail", f"{shown}: cannot connect ({_network_reason(exc)})"
    elapsed = time.monotonic() - started
    secure = ", TLS ok" if scheme == "https" else ""
    return "ok", (
        f"{shown} reachable{secure} (HEAD / answered {response.status_code} in {elapsed:.2f}s; "
        "nothing sent)"
    )


def _network_reason(exc: BaseException) -> str:
    """A short reason from the innermost OS or TLS error, without any URL."""
    inner: BaseException | None = exc
    for _ in range(10):  # bounded walk down the cause chain
        if inner is None:
            break
        if isinstance(inner, ssl.SSLCertVerificationError):
            return f"TLS certificate rejected: {inner.verify_message}"
        if isinstance(inner, ssl.SSLError):
            return f"TLS handshake failed: {inner.reason or type(inner).__name__}"
        if isinstance(inner, socket.gaierror):
            return f"cannot resolve the host: {inner.strerror}"
        if isinstance(inner, OSError) and inner.strerror:
            return inner.strerror
        inner = inner.__cause__ or inner.__context__
    return type(exc).__name__


def _probe_smtp(
    channel: EmailChannel, environ: Mapping[str, str], timeout: float
) -> tuple[Literal["ok", "fail"], str]:
    """Connect, EHLO, STARTTLS (if configured), login (if credentials are set), QUIT."""
    from oncall.domain.paging import is_loopback_host, resolve_secret

    where = f"{channel.host}:{channel.port}"
    login = None
    if channel.username_env and channel.password_env:
        login = (
            resolve_secret(channel.username_env, environ),
            resolve_secret(channel.password_env, environ),
        )
        if not channel.starttls and not is_loopback_host(channel.host):
            return "fail", (
                f"{where}: credentials are set but starttls is off: oncall never sends them "
                "in the clear (set starttls: true)"
            )
    steps: list[str] = []
    started = time.monotonic()
    try:
        with smtplib.SMTP(channel.host, channel.port, timeout=timeout) as smtp:
            steps.append("connect")
            code, _ = smtp.ehlo()
            if code != 250:
                return "fail", f"{where}: EHLO answered {code}"
            steps.append("EHLO")
            if channel.starttls:
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
                steps.append("STARTTLS")
            if login is not None:
                smtp.login(login[0].reveal(), login[1].reveal())
                steps.append("login")
            smtp.quit()
    except smtplib.SMTPAuthenticationError as exc:
        return "fail", f"{where}: login rejected (SMTP {exc.smtp_code})"
    except smtplib.SMTPNotSupportedError as exc:
        return "fail", f"{where}: after {', '.join(steps)}: server does not support it: {exc}"
    except smtplib.SMTPResponseException as exc:
        return "fail", f"{where}: after {', '.join(steps) or 'connect'}: SMTP {exc.smtp_code}"
    except smtplib.SMTPServerDisconnected:
        return "fail", f"{where}: the server closed the connection"
    except ssl.SSLCertVerificationError as exc:
        return "fail", f"{where}: TLS certificate rejected: {exc.verify_message}"
    except TimeoutError:
        return "fail", f"{where}: no answer within {timeout:g}s"
    except OSError as exc:
        return "fail", f"{where}: cannot connect ({_network_reason(exc)})"
    elapsed = time.monotonic() - started
    return "ok", f"{where}: {', '.join(steps)} ok in {elapsed:.2f}s (no mail sent)"


# --------------------------------------------------------------------------- the store


def probe_store(path: Path | None = None) -> DoctorCheck:
    """The store opens, and a write transaction can be taken and rolled back."""
    from oncall.adapters.store import ENV_VAR, Store, default_db_path
    from oncall.errors import StoreError

    path = default_db_path() if path is None else path
    fix = f"set {ENV_VAR} to a writable file path on a local disk"
    try:
        with Store.open(path) as store:
            waiting = len(store.outbox_items())
        _write_and_roll_back(path)
    except StoreError as exc:
        return _fail("store", str(exc), fix)
    except sqlite3.Error as exc:
        return _fail("store", f"cannot write to the store at {path}: {exc}", fix)
    if waiting:
        return _warn(
            "store",
            f"{path} is writable; {waiting} page(s) wait in the outbox",
            "run `oncall page flush` (pages held for quiet hours wait until they end)",
        )
    return _ok("store", f"{path} is writable")


def _write_and_roll_back(path: Path) -> None:
    conn = sqlite3.connect(path, timeout=STORE_BUSY_TIMEOUT, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")  # takes the write lock, as every store write does
        try:
            conn.execute("CREATE TABLE oncall_doctor_probe (x INTEGER)")
            conn.execute("INSERT INTO oncall_doctor_probe VALUES (1)")
        finally:
            conn.execute("ROLLBACK")
    finally:
        conn.close()
