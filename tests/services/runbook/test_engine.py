"""The check engine and ``run_checks``: plan first, fetch each query once, judge the answers."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pydantic import TypeAdapter

from oncall.config import load_config
from oncall.domain.checks import Check, Point, SeriesQuery
from oncall.errors import StateDataError, StateSourceError
from oncall.services.runbook.catalog import load_runbook
from oncall.services.runbook.engine import CheckEngine, run_checks
from oncall.services.runbook.sources import load_state_sources

UTC = ZoneInfo("UTC")
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
FRESH: Check = TypeAdapter(Check).validate_python(
    {"id": "fresh", "kind": "freshness", "metric": "m", "fail_after": "2h"}
)


class FakeSource:
    """Answers every query with one point ``age`` before its end; counts the fetches."""

    name = "fake"

    def __init__(self, age: timedelta, error: StateSourceError | None = None) -> None:
        self.age = age
        self.error = error
        self.queries: list[SeriesQuery] = []

    def fetch(self, query: SeriesQuery) -> list[Point]:
        self.queries.append(query)
        if self.error is not None:
            raise self.error
        return [Point(query.end - self.age, 1.0, {})]


class OneSource:
    """What the engine asks of ``StateSources``: every name is the one fake source."""

    def __init__(self, source: FakeSource) -> None:
        self.source = source

    def get(self, name: str) -> FakeSource:
        return self.source


def engine_for(source: FakeSource) -> CheckEngine:
    return CheckEngine(OneSource(source), "fake", UTC)  # type: ignore[arg-type]


def test_the_engine_keeps_answers_for_its_life() -> None:
    source = FakeSource(timedelta(minutes=30))
    engine = engine_for(source)

    first = engine.run([FRESH, FRESH], NOW)
    again = engine.run([FRESH], NOW)

    assert [r.status for r in first + again] == ["pass", "pass", "pass"]
    assert (engine.fetched, len(source.queries)) == (1, 1)


def test_a_failing_source_makes_error_results_not_exceptions() -> None:
    source = FakeSource(timedelta(0), StateSourceError("state source 'fake': down"))

    (result,) = engine_for(source).run([FRESH], NOW)

    assert (result.status, result.detail) == ("error", "state source 'fake': down")


def test_malformed_state_data_raises() -> None:
    source = FakeSource(timedelta(0), StateDataError("a.jsonl:3: bad line"))

    with pytest.raises(StateDataError, match=r"a\.jsonl:3"):
        engine_for(source).run([FRESH], NOW)


def test_run_checks_reports_every_check_of_a_runbook(config_dir: Path, project: Path) -> None:
    cfg = load_config(config_dir)
    loaded = load_runbook(cfg, "profit")
    (project / "state").mkdir()  # an empty local source: every series has no data

    with load_state_sources(cfg) as sources:
        report = run_checks([loaded], sources, now=NOW, team_tz=cfg.team_tz)

    (pipeline,) = report.pipelines
    assert (pipeline.pipeline, pipeline.runbook, pipeline.source) == (
        "aggregate-profit",
        "profit",
        "default",
    )
    assert [(c.step, c.id) for c in pipeline.checks] == [
        (step.id, check.id) for step, check in loaded.checks
    ]
    assert report.status == "fail" and report.now.tzinfo == cfg.team_tz
