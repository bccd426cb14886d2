"""Validation: the one place that gathers every service's problems for ``oncall validate``.

Config (files and cross-file rules), runbooks and state sources, paging, publishing, the
coming weeks' gaps and overrides, and the holiday calendars' range: each capability says
what is wrong with its part; this module only collects, in a stable order.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from oncall.config import Config, load_config
from oncall.errors import ConfigError, Problem, Severity
from oncall.reports.validation import Finding, ValidateReport
from oncall.services.schedule import (
    calendar_range_problems,
    consecutive_problems,
    upcoming_gap_problems,
)

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
    problems.extend(runbook_problems(cfg))
    problems.extend(_paging_problems(cfg))
    problems.extend(_publish_problems(cfg))
    try:
        _ = cfg.lock_file  # the schedule below depends on it
    except ConfigError as exc:
        return [*problems, *exc.problems]
    now = resolve_now(now_text, cfg.team_tz)
    problems.extend(calendar_range_problems(cfg, now))
    problems.extend(upcoming_gap_problems(cfg, now))
    problems.extend(consecutive_problems(cfg, now))
    problems.extend(_lock_problems(cfg, now))
    return problems


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


def _paging_problems(cfg: Config) -> list[Problem]:
    """``config/paging.yaml``: located errors, and warnings for secrets not set here."""
    from oncall.services.paging.problems import paging_problems

    return paging_problems(cfg)


def _publish_problems(cfg: Config) -> list[Problem]:
    """``config/publish.yaml``: located errors, and whether every published member maps."""
    from oncall.services.publish.problems import publish_problems

    return publish_problems(cfg)


def _lock_problems(cfg: Config, now: datetime) -> list[Problem]:
    """``config/schedule.lock.yaml``: locks that no longer fit the config."""
    from oncall.services.lock import lock_problems
    from oncall.services.roster import build_availability

    try:
        return lock_problems(cfg, build_availability(cfg), now)
    except ConfigError as exc:
        return exc.problems
