"""``oncall doctor``: what works and what does not, each problem with its fix.

Probes, each bounded in time and run concurrently (:mod:`.runner`):

* **config**: everything ``oncall validate`` reports (errors fail, warnings warn);
* **holiday calendars**: every calendar key the config uses resolves and builds;
* **state sources**: local directories exist and their files parse; Cloud Monitoring
  answers a cheap ``ListTimeSeries`` over a one-minute interval (credentials, permission)
  within the source's own timeout (:mod:`.sources`);
* **paging channels**: each channel's environment variables are set and its endpoint is
  reachable *without sending a page*: an HTTP ``HEAD`` of the URL's origin (``/``, never the
  secret path, never a POST), or SMTP connect, ``EHLO``, ``STARTTLS`` if configured, login
  if credentials are set, then ``QUIT`` (no mail is sent) (:mod:`.channels`);
* **publishing** (``publish.yaml``): an authenticated read per target, nothing written
  (PagerDuty ``GET /schedules/{id}``, Slack ``auth.test`` and the user groups' members), and
  every member of a published rotation can be mapped (:mod:`.publish`);
* **state store**: it opens, and a write transaction can be taken and rolled back.

The network and file I/O itself lives in :mod:`oncall.adapters.probes`. Secrets never
appear in a result: URLs that come from environment variables are shown as their host and
port only, and every detail is scrubbed of known secrets.

Nothing here reads the clock: the instant is resolved by the caller.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from oncall.errors import ConfigError, Problem, StoreError
from oncall.reports.doctor import DoctorCheck, DoctorReport
from oncall.services.doctor.channels import channel_probes, probe_channel
from oncall.services.doctor.publish import publish_probes
from oncall.services.doctor.runner import Probe, fail, ok, run_all, skip, warn
from oncall.services.doctor.sources import (
    DEFAULT_PROBE_METRIC,
    calendar_probes,
    probe_calendar,
    probe_state_source,
    source_probes,
)

if TYPE_CHECKING:
    from oncall.config import Config
    from oncall.domain.paging.secret import Secret

__all__ = [
    "DEFAULT_PROBE_METRIC",
    "probe_calendar",
    "probe_channel",
    "probe_config",
    "probe_state_source",
    "probe_store",
    "run_doctor",
]

STORE_BUSY_TIMEOUT = 5.0


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
    probes: list[Probe] = []
    secrets: list[Secret] = []
    try:
        cfg: Config | None = load_config(directory)
    except ConfigError as exc:
        cfg = None
        checks.append(_config_failed(exc.problems))
    if cfg is not None:
        now = resolve_now(now_text, cfg.team_tz)
        calendars = tuple(calendar_probes(cfg, now))
        probes.append(
            Probe(
                "config",
                partial(probe_config, directory, now_text, resolve_now),
                60.0 + sum(p.bound for p in calendars),
                then=calendars,
            )
        )
        found, early = source_probes(cfg, now)
        probes.extend(found)
        checks.extend(early)
        found, early, secrets = channel_probes(cfg, env)
        probes.extend(found)
        checks.extend(early)
        found, early, tokens = publish_probes(cfg, env, now)
        probes.extend(found)
        checks.extend(early)
        secrets = [*secrets, *tokens]
    else:
        skipped = ["calendars", "sources", "paging"]
        if _has_publish_file(directory):  # without publish.yaml, doctor says nothing of it
            skipped.append("publish")
        for what in skipped:
            checks.append(skip(what, "not checked: the config did not load", None))
    probes.append(Probe("store", partial(probe_store, cfg), 2 * STORE_BUSY_TIMEOUT + 10.0))
    checks.extend(run_all(probes))
    return DoctorReport(
        ok=not any(c.status == "fail" for c in checks),
        checks=[_scrubbed(c, secrets) for c in _ordered(checks)],
    )


def _has_publish_file(directory: Path | None) -> bool:
    from oncall.config.locate import PUBLISH_FILE, find_config_dir
    from oncall.errors import OncallError

    try:
        return (find_config_dir(directory) / PUBLISH_FILE).is_file()
    except OncallError:
        return False


_ORDER = ("config", "calendar", "source", "paging", "channel", "publish", "store")


def _ordered(checks: Sequence[DoctorCheck]) -> list[DoctorCheck]:
    def rank(check: DoctorCheck) -> int:
        return next((i for i, p in enumerate(_ORDER) if check.name.startswith(p)), len(_ORDER))

    return sorted(checks, key=rank)  # stable: probes keep their order within a group


def _scrubbed(check: DoctorCheck, secrets: Sequence[Secret]) -> DoctorCheck:
    """Defence in depth: no known secret survives in a result, whatever a library said."""
    if not secrets:
        return check
    from oncall.services.paging.common import scrub_all

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
    return fail(
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
    from oncall.services.validation import collect_problems

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
        return warn(
            "config",
            f"valid, with {len(warnings)} warning(s) ({where})",
            "run `oncall validate` to see each warning at its file:line:col",
        )
    return ok("config", "valid: no errors, no warnings")


# --------------------------------------------------------------------------- the store


def probe_store(cfg: Config | None = None) -> DoctorCheck:
    """The team's store opens, and a write transaction can be taken and rolled back.

    Without a config (it did not load), the store the environment names, else the shared file
    of stores without a team.
    """
    from oncall.adapters.probes import probe_store_file, probe_store_url
    from oncall.adapters.store.location import (
        ENV_VAR,
        LEGACY_TEAM,
        URL_ENV_VAR,
        StoreLocation,
        default_db_path,
        resolve_location,
    )
    from oncall.errors import UsageError

    fix = f"set {URL_ENV_VAR} to a reachable store, or {ENV_VAR} to a writable file on a local disk"
    try:
        if cfg is None:
            team = LEGACY_TEAM
            location = (
                resolve_location(team)
                if os.environ.get(URL_ENV_VAR, "").strip()
                else StoreLocation("default", path=default_db_path())
            )
        else:
            from oncall.services.store import resolve_store_location, resolve_team_id

            team, location = resolve_team_id(cfg), resolve_store_location(cfg)
    except (UsageError, ValueError) as exc:
        return fail("store", str(exc), fix)
    where = location.describe()
    try:
        if location.url is not None:
            waiting = probe_store_url(location.url, team)
        else:
            assert location.path is not None
            waiting = probe_store_file(location.path, STORE_BUSY_TIMEOUT, team)
    except (StoreError, UsageError) as exc:
        return fail("store", str(exc), fix)
    if waiting:
        return warn(
            "store",
            f"{where} is writable; {waiting} page(s) wait in the outbox",
            "run `oncall page flush` (pages held for quiet hours wait until they end)",
        )
    return ok("store", f"{where} is writable")
