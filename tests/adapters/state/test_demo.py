"""Demo state: realistic, deterministic, and failing exactly the one planted check."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

from oncall.adapters.state.demo import (
    DEMO_DAYS,
    DEMO_FILES,
    DEMO_VALID_FOR,
    PLANTED_FAILURE,
    generate_demo_points,
    write_demo_state,
)
from oncall.adapters.state.demo_warehouse import write_demo_warehouse
from oncall.adapters.state.sql import SqlStateSource
from oncall.domain.checks import CheckResult, Point, evaluate_check, required_queries
from oncall.domain.runbook import Runbook, all_checks

RUNBOOKS = Path(__file__).resolve().parents[3] / "runbooks"
KOLKATA = ZoneInfo("Asia/Kolkata")
NEW_YORK = ZoneInfo("America/New_York")

# A morning after the nightly runs, and the night after New York's spring-forward, before
# the runs have finished (SLA checks are pending).
MOMENTS = [
    (datetime(2026, 11, 20, 9, 40, tzinfo=KOLKATA), KOLKATA),
    (datetime(2026, 3, 9, 2, 15, tzinfo=NEW_YORK), NEW_YORK),
]


def runbooks() -> list[Runbook]:
    paths = sorted(RUNBOOKS.glob("*.yaml"))
    assert len(paths) >= 3
    return [Runbook.model_validate(yaml.safe_load(p.read_text())) for p in paths]


def evaluate_all(
    raw: list[dict[str, Any]], now: datetime, tz: ZoneInfo, warehouse: Path | None = None
) -> list[CheckResult]:
    """Every runbook check against the points, filtered in memory as a state source would;
    SQL queries run on the demo warehouse (a real SQLite file), when given."""
    sql = SqlStateSource.for_sqlite("warehouse", warehouse) if warehouse else None
    by_metric: dict[str, list[Point]] = defaultdict(list)
    for item in raw:
        at = datetime.fromisoformat(item["time"])
        by_metric[item["metric"]].append(Point(at, item["value"], item["labels"]))
    results = []
    for book in runbooks():
        for _, check in all_checks(book):
            data = {
                q: (sql.fetch(q) if sql is not None else [])
                if q.sql is not None
                else [
                    p
                    for p in by_metric[q.metric]
                    if q.start < p.time <= q.end and all(p.labels.get(k) == v for k, v in q.labels)
                ]
                for q in required_queries(check, now=now, team_tz=tz)
            }
            results.append(evaluate_check(check, now=now, team_tz=tz, data=data))
    return results


@pytest.mark.parametrize(("now", "tz"), MOMENTS)
def test_only_the_planted_check_fails(now: datetime, tz: ZoneInfo, tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.db"
    tables = write_demo_warehouse(warehouse, now, tz)
    assert all(count > 100 for count in tables.values()), tables
    results = evaluate_all(generate_demo_points(now, tz), now, tz, warehouse)
    failing = {r.id: r.detail for r in results if r.status not in ("pass", "warn")}
    assert list(failing) == [PLANTED_FAILURE], failing
    sql_checks = [(r.id, r.status) for r in results if r.id.startswith("sql-")]
    assert len(sql_checks) == 6 and {s for _, s in sql_checks} == {"pass"}, sql_checks
    assert "partner_api" in failing[PLANTED_FAILURE]
    assert sum(r.status == "pass" for r in results) > len(results) // 2


def test_sla_checks_are_pending_before_the_nightly_runs_finish() -> None:
    now, tz = MOMENTS[1]
    results = evaluate_all(generate_demo_points(now, tz), now, tz)
    slas = [r for r in results if r.kind == "sla"]
    assert slas and all(r.status == "warn" and "pending" in r.detail for r in slas)


def test_deterministic_and_anchored_in_absolute_time() -> None:
    now, tz = MOMENTS[0]
    first = generate_demo_points(now, tz)
    assert first == generate_demo_points(now, tz)
    later = generate_demo_points(now + timedelta(hours=5), tz)

    def key(p: dict[str, Any]) -> tuple[str, str, str]:
        return p["metric"], json.dumps(p["labels"], sort_keys=True), p["time"]

    earlier_values = {key(p): p["value"] for p in first}
    shared = [p for p in later if key(p) in earlier_values]
    assert len(shared) > len(first) // 2
    # Points outside the planted outage keep their values when now moves on.
    assert all(earlier_values[key(p)] == p["value"] for p in shared)


def test_points_are_within_the_span_and_well_formed() -> None:
    now, tz = MOMENTS[1]
    points = generate_demo_points(now, tz)
    times = [datetime.fromisoformat(p["time"]) for p in points]
    # The points go on for DEMO_VALID_FOR past now, so the demo does not go stale.
    assert all(now - timedelta(days=DEMO_DAYS) < t <= now + DEMO_VALID_FOR for t in times)
    assert any(t > now + DEMO_VALID_FOR - timedelta(hours=2) for t in times)
    assert all(t.utcoffset() is not None for t in times)
    assert {p["labels"]["pipeline"] for p in points} == set(DEMO_FILES)
    assert all(set(p) == {"metric", "labels", "time", "value"} for p in points)
    assert all("googleapis" not in p["metric"] for p in points)
    assert all(isinstance(p["value"], int | float) for p in points)


def test_naive_now_is_rejected() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        generate_demo_points(datetime(2026, 11, 20, 9, 0), KOLKATA)


def test_write_demo_state(tmp_path: Path) -> None:
    now, tz = MOMENTS[0]
    target = tmp_path / "state"
    paths = write_demo_state(target, now, tz)
    assert [p.name for p in paths] == list(DEMO_FILES.values())
    assert sorted(p.name for p in target.iterdir()) == sorted(DEMO_FILES.values())
    lines = [json.loads(line) for p in paths for line in p.read_text().splitlines()]
    assert lines == generate_demo_points(now, tz)
    for path, pipeline in zip(paths, DEMO_FILES, strict=True):
        first = json.loads(path.read_text().splitlines()[0])
        assert first["labels"]["pipeline"] == pipeline
    # Writing again replaces the files in place and leaves no temporary files behind.
    later = now + timedelta(days=1)
    assert write_demo_state(target, later, tz) == paths
    assert sorted(p.name for p in target.iterdir()) == sorted(DEMO_FILES.values())
    rewritten = [json.loads(line) for p in paths for line in p.read_text().splitlines()]
    assert rewritten == generate_demo_points(later, tz)
