"""Running checks: every query planned first, each distinct one fetched once, then judged.

Checks run concurrently: ``required_queries`` plans what each check needs, identical queries
are fetched once (``fetch_all`` dedupes and fetches in parallel), and the pure evaluators then
judge the answers. A ``CheckEngine`` keeps its answers for its whole life, so a series that two
steps of a run read is fetched once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from zoneinfo import ZoneInfo

from oncall.adapters.state import StateSource, fetch_all
from oncall.domain.checks import (
    Answer,
    Check,
    CheckResult,
    Point,
    SeriesQuery,
    error_result,
    evaluate_check,
    required_queries,
    worst_status,
)
from oncall.errors import StateDataError, StateSourceError
from oncall.reports.runbook import CheckOut, CheckReport, CheckRow, PipelineCheckOut
from oncall.services.runbook.catalog import LoadedRunbook
from oncall.services.runbook.sources import StateSources, check_source

__all__ = ["CheckEngine", "run_checks"]


def _judge(
    check: Check,
    queries: Sequence[SeriesQuery],
    answers: Mapping[SeriesQuery, Answer],
    *,
    now: datetime,
    team_tz: ZoneInfo,
) -> CheckResult:
    """One check from the answers to its queries; a malformed state file raises (exit 2)."""
    data: dict[SeriesQuery, list[Point]] = {}
    for query in queries:
        answer = answers[query]
        if isinstance(answer, StateDataError):
            raise answer
        if isinstance(answer, StateSourceError):
            return error_result(check, str(answer))
        data[query] = answer
    return evaluate_check(check, now=now, team_tz=team_tz, data=data)


class CheckEngine:
    """Runs checks against one source, keeping every answer for the engine's life."""

    def __init__(self, source: StateSource, team_tz: ZoneInfo) -> None:
        self.source = source
        self.team_tz = team_tz
        self._answers: dict[SeriesQuery, Answer] = {}
        self.fetched = 0
        """How many distinct queries were sent to the source."""

    def run(self, checks: Sequence[Check], now: datetime) -> list[CheckResult]:
        plan = [required_queries(check, now=now, team_tz=self.team_tz) for check in checks]
        missing = list(dict.fromkeys(q for qs in plan for q in qs if q not in self._answers))
        if missing:
            self._answers.update(fetch_all(self.source, missing))
            self.fetched += len(missing)
        return [
            _judge(check, qs, self._answers, now=now, team_tz=self.team_tz)
            for check, qs in zip(checks, plan, strict=True)
        ]


def run_checks(
    runbooks: Sequence[LoadedRunbook],
    sources: StateSources,
    *,
    now: datetime,
    team_tz: ZoneInfo,
) -> CheckReport:
    """Every check of ``runbooks`` at ``now``: all queries planned first, each fetched once.

    Sources are queried in parallel with each other, and each source answers all of its
    queries concurrently.
    """
    for loaded in runbooks:
        check_source(loaded, sources)
    by_source: dict[str, list[SeriesQuery]] = {}
    plans: list[list[list[SeriesQuery]]] = []
    for loaded in runbooks:
        per_check = [
            required_queries(check, now=now, team_tz=team_tz) for _, check in loaded.checks
        ]
        plans.append(per_check)
        wanted = by_source.setdefault(loaded.runbook.source, [])
        wanted.extend(q for qs in per_check for q in qs)
    names = list(by_source)

    def fetch(name: str) -> dict[SeriesQuery, Answer]:
        return fetch_all(sources.get(name), by_source[name])

    if len(names) > 1:
        with ThreadPoolExecutor(max_workers=len(names)) as pool:
            fetched = dict(zip(names, pool.map(fetch, names), strict=True))
    else:
        fetched = {name: fetch(name) for name in names}
    out: list[PipelineCheckOut] = []
    for loaded, per_check in zip(runbooks, plans, strict=True):
        answers = fetched.get(loaded.runbook.source, {})
        rows: list[CheckRow] = []
        for (step, check), qs in zip(loaded.checks, per_check, strict=True):
            result = _judge(check, qs, answers, now=now, team_tz=team_tz)
            rows.append(CheckRow(step=step.id, **CheckOut.of(result).model_dump()))
        out.append(
            PipelineCheckOut(
                pipeline=loaded.runbook.pipeline,
                runbook=loaded.name,
                source=loaded.runbook.source,
                status=worst_status(r.status for r in rows),
                checks=rows,
            )
        )
    return CheckReport(
        status=worst_status(p.status for p in out), now=now.astimezone(team_tz), pipelines=out
    )
