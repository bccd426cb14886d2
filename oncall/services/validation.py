"""Validation: the one place that gathers every service's problems for ``oncall validate``.

Config (files and cross-file rules), runbooks and state sources, paging, publishing, the
coming weeks' gaps and overrides, and the holiday calendars' range: each capability says
what is wrong with its part; this module only collects, in a stable order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from oncall.config import Config, load_config
from oncall.errors import ConfigError, Problem, Severity
from oncall.reports.validation import Finding, ValidateReport
from oncall.services.roster import build_availability
from oncall.services.schedule import (
    calendar_range_problems,
    consecutive_problems,
    upcoming_gap_problems,
)

if TYPE_CHECKING:
    from oncall.config.findings_cache import CachedFindings
    from oncall.domain.people import Availability

__all__ = ["collect_problems", "compute_validation", "runbook_problems"]

ResolveNow = Callable[[str | None, ZoneInfo], datetime]


def collect_problems(
    directory: Path | None, *, now_text: str | None, resolve_now: ResolveNow
) -> list[Problem]:
    """Everything ``oncall validate`` reports: errors and warnings across all files.

    ``resolve_now`` turns ``now_text`` into the instant to judge from, in the team
    timezone (known only once the config loaded): the caller owns the clock.
    """
    try:
        cfg = load_config(directory)
    except ConfigError as exc:
        return exc.problems
    problems: list[Problem] = list(cfg.warnings)
    found = _file_findings(cfg)
    problems.extend(found.problems)
    if found.lock_failed:
        return problems  # the schedule below depends on the lock file
    now = resolve_now(now_text, cfg.team_tz)
    problems.extend(calendar_range_problems(cfg, now))
    availability = build_availability(cfg)  # one, so the passes share computed shifts
    problems.extend(upcoming_gap_problems(cfg, now, availability=availability))
    problems.extend(consecutive_problems(cfg, now, availability=availability))
    problems.extend(_lock_problems(cfg, now, availability))
    return problems


def _file_findings(cfg: Config) -> CachedFindings:
    """Runbooks, state, paging, publish and lock-file findings: read from the cache when
    no file and no environment variable they depend on changed (config/findings_cache.py)."""
    from oncall.config.findings_cache import (
        CachedFindings,
        EnvironRecorder,
        findings_key,
        read_findings,
        write_findings,
    )

    key = findings_key(cfg.dir)
    hit = read_findings(key) if key is not None else None
    if hit is not None:
        return hit
    environ = EnvironRecorder()
    problems = [*runbook_problems(cfg), *_paging_problems(cfg, environ)]
    problems.extend(_publish_problems(cfg, environ))
    lock_failed = False
    try:
        _ = cfg.lock_file
    except ConfigError as exc:
        problems.extend(exc.problems)
        lock_failed = True
    found = CachedFindings(problems, lock_failed)
    if key is not None:
        write_findings(key, found, environ)
    return found


def compute_validation(
    directory: Path | None, *, now_text: str | None, resolve_now: ResolveNow
) -> ValidateReport:
    """The report of ``oncall validate``: every finding, and whether any is an error."""
    problems = collect_problems(directory, now_text=now_text, resolve_now=resolve_now)
    findings = [
        Finding(file=p.path, line=p.line, col=p.col, severity=p.severity, message=p.message)
        for p in problems
    ]
    errors = sum(1 for f in findings if f.severity is Severity.error)
    return ValidateReport(
        ok=errors == 0, errors=errors, warnings=len(findings) - errors, findings=findings
    )


def runbook_problems(cfg: Config) -> list[Problem]:
    """Every runbook file and config/state.yaml, strictly, with each runbook's source."""
    from oncall.services.runbook.catalog import list_runbooks
    from oncall.services.runbook.sources import check_source, load_state_sources

    problems: list[Problem] = []
    sources = None
    try:
        sources = load_state_sources(cfg)
    except ConfigError as exc:
        problems.extend(exc.problems)
    try:
        loaded = list_runbooks(cfg)
    except ConfigError as exc:
        problems.extend(exc.problems)
        loaded = []
    for runbook in loaded:
        if sources is None:
            continue
        try:
            check_source(runbook, sources)
        except ConfigError as exc:
            problems.extend(exc.problems)
    return problems


def _paging_problems(cfg: Config, environ: Mapping[str, str] | None = None) -> list[Problem]:
    """``config/paging.yaml``: located errors, and warnings for secrets not set here."""
    from oncall.services.paging.problems import paging_problems

    return paging_problems(cfg, environ)


def _publish_problems(cfg: Config, environ: Mapping[str, str] | None = None) -> list[Problem]:
    """``config/publish.yaml``: located errors, and whether every published member maps."""
    from oncall.services.publish.problems import publish_problems

    return publish_problems(cfg, environ)


def _lock_problems(cfg: Config, now: datetime, availability: Availability) -> list[Problem]:
    """``config/schedule.lock.yaml``: locks that no longer fit the config."""
    from oncall.services.lock import lock_problems

    try:
        return lock_problems(cfg, availability, now)
    except ConfigError as exc:
        return exc.problems
