"""Running checks: every query planned first, each distinct one fetched once, then judged.

Checks run concurrently: ``required_queries`` plans what each check needs, identical queries
are fetched once (``fetch_all`` dedupes and fetches in parallel), and the pure evaluators then
judge the answers. A query goes to the source its check names (``source:``, or a reconcile
side's), else to the runbook's; sources are queried in parallel with each other.
A ``CheckEngine`` keeps its answers for its whole life, so a series that two
steps of a run read is fetched once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from oncall.adapters.state import fetch_all
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
from oncall.errors import SourceSpecError, StateDataError, StateSourceError
from oncall.reports.runbook import CheckOut, CheckReport, CheckRow, PipelineCheckOut
from oncall.services.runbook.catalog import LoadedRunbook
from oncall.services.runbook.sources import StateSources, check_source

__all__ = ["CheckEngine", "fetch_by_source", "plan_queries", "run_checks"]


Lookup = Callable[[SeriesQuery], Answer]


def _judge(
    check: Check,
    queries: Sequence[SeriesQuery],
    lookup: Lookup,
    *,
    now: datetime,
    team_tz: ZoneInfo,
) -> CheckResult:
    """One check from the answers to its queries; a malformed state file raises (exit 2)."""
    data: dict[SeriesQuery, list[Point]] = {}
    for query in queries:
        answer = lookup(query)
        if isinstance(answer, StateDataError):
            raise answer
        if isinstance(answer, StateSourceError):
            return error_result(check, str(answer))
        data[query] = answer
    return evaluate_check(check, now=now, team_tz=team_tz, data=data)


def plan_queries(
    check: Check, *, runbook: str, now: datetime, team_tz: ZoneInfo
) -> list[SeriesQuery]:
    """``required_queries``, each labelled with the runbook and check that first need it."""
    return [
        replace(q, origin=(runbook, check.id))
        for q in required_queries(check, now=now, team_tz=team_tz)
    ]


def fetch_by_source(
    sources: StateSources, wanted: Mapping[str, Sequence[SeriesQuery]]
) -> dict[str, dict[SeriesQuery, Answer]]:
    """Each source's distinct queries fetched once; the sources in parallel with each other."""
    names = [name for name, queries in wanted.items() if queries]

    def fetch(name: str) -> dict[SeriesQuery, Answer]:
        try:
            source = sources.get(name)
        except SourceSpecError as exc:
            failed = StateSourceError(f"state source {name!r}: {exc}")
            return dict.fromkeys(wanted[name], failed)
        return fetch_all(source, wanted[name])

    if len(names) <= 1:
        return {name: fetch(name) for name in names}
    pool = ThreadPoolExecutor(max_workers=len(names), thread_name_prefix="oncall-src")
    try:
        results = list(pool.map(fetch, names))
    except BaseException:
        # Ctrl-C: do not wait for queries still in flight (each is bounded by its timeout).
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    return dict(zip(names, results, strict=True))


class CheckEngine:
    """Runs a runbook's checks, each query on its own source (default: the runbook's),
    keeping every answer for the engine's life."""

    def __init__(
        self, sources: StateSources, default: str, team_tz: ZoneInfo, *, runbook: str = ""
    ) -> None:
        self.sources = sources
        self.default = default
        self.team_tz = team_tz
        self.runbook = runbook
        self._answers: dict[str, dict[SeriesQuery, Answer]] = {}
        self.fetched = 0
        """How many distinct queries were sent to the sources."""

    def _source_of(self, query: SeriesQuery) -> str:
        return query.source or self.default

    def _lookup(self, query: SeriesQuery) -> Answer:
        return self._answers[self._source_of(query)][query]

    def run(self, checks: Sequence[Check], now: datetime) -> list[CheckResult]:
        plan = [
            plan_queries(check, runbook=self.runbook, now=now, team_tz=self.team_tz)
            for check in checks
        ]
        missing: dict[str, list[SeriesQuery]] = {}
        for query in dict.fromkeys(q for qs in plan for q in qs):
            name = self._source_of(query)
            if query not in self._answers.get(name, {}):
                missing.setdefault(name, []).append(query)
        for name, answers in fetch_by_source(self.sources, missing).items():
            self._answers.setdefault(name, {}).update(answers)
            self.fetched += len(answers)
        return [
            _judge(check, qs, self._lookup, now=now, team_tz=self.team_tz)
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
            plan_queries(check, runbook=loaded.name, now=now, team_tz=team_tz)
            for _, check in loaded.checks
        ]
        plans.append(per_check)
        for query in (q for qs in per_check for q in qs):
            by_source.setdefault(query.source or loaded.runbook.source, []).append(query)
    fetched = fetch_by_source(sources, by_source)
    out: list[PipelineCheckOut] = []
    for loaded, per_check in zip(runbooks, plans, strict=True):
        default = loaded.runbook.source

        def lookup(query: SeriesQuery, default: str = default) -> Answer:
            return fetched[query.source or default][query]

        rows: list[CheckRow] = []
        for (step, check), qs in zip(loaded.checks, per_check, strict=True):
            result = _judge(check, qs, lookup, now=now, team_tz=team_tz)
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
