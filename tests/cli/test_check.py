"""``oncall check``: exit codes on the shipped runbooks, JSON, bad state, Cloud Monitoring."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import grpc
import pytest

from oncall.adapters.state.demo import PLANTED_FAILURE, generate_demo_points
from oncall.adapters.state.demo_warehouse import write_demo_warehouse
from oncall.config import load_config
from oncall.domain.checks import required_queries
from oncall.domain.timeutil import parse_instant
from oncall.services.runbook.catalog import list_runbooks
from tests.conftest import Run
from tests.support.monitoring_server import MonitoringServer

pytestmark = pytest.mark.timeout(90)

T = "2026-11-20T09:00"
TOP_KEYS = {"status", "pipelines"}
PIPELINE_KEYS = {"pipeline", "runbook", "checks"}
CHECK_KEYS = {"step", "id", "kind", "status", "value", "detail"}


@pytest.fixture
def demo(oncall: Run, project: Path) -> Path:
    (project / "config" / "paging.yaml").unlink(missing_ok=True)
    assert oncall("state", "demo", "--now", T).exit_code == 0
    return project / "state"


def check_json(oncall: Run, *args: str) -> tuple[int, dict[str, Any], str]:
    result = oncall("check", *args, "--now", T, "--json")
    return result.exit_code, json.loads(result.stdout), result.stderr


def statuses(data: dict[str, Any]) -> dict[str, str]:
    return {c["id"]: c["status"] for p in data["pipelines"] for c in p["checks"]}


def test_all_finds_the_one_planted_failure(oncall: Run, demo: Path) -> None:
    code, data, _ = check_json(oncall, "--all")
    assert code == 1
    assert set(data) >= TOP_KEYS
    assert data["status"] == "fail"
    assert [p["pipeline"] for p in data["pipelines"]] == [
        "aggregate-profit",
        "aggregate-growth",
        "aggregate-engagement",
    ]
    for pipeline in data["pipelines"]:
        assert set(pipeline) >= PIPELINE_KEYS
        for check in pipeline["checks"]:
            assert set(check) >= CHECK_KEYS
    found = statuses(data)
    assert len(found) == 32  # 30 metric checks, 6 SQL ones (2 distinct ids)
    assert [c for c, s in found.items() if s == "fail"] == [PLANTED_FAILURE]
    assert set(found.values()) <= {"pass", "warn", "fail"}
    growth = data["pipelines"][1]
    planted = next(c for c in growth["checks"] if c["id"] == PLANTED_FAILURE)
    assert (planted["step"], planted["kind"], planted["value"]) == (
        "ingestion",
        "source_up",
        4,
    )
    assert isinstance(planted["value"], (int, float)) and "4/5 up" in planted["detail"]
    assert "partner_api" in planted["detail"]


def test_passing_pipeline_exits_0(oncall: Run, demo: Path) -> None:
    result = oncall("check", "aggregate-profit", "--now", T)
    assert result.exit_code == 0, result.stderr
    assert "aggregate-profit (runbook profit, source default): pass" in result.stdout
    assert re.search(r"^pass: 12 checks of 1 pipeline\(s\) \(12 pass\)", result.stdout, re.M)
    assert all(len(line) <= 80 for line in result.stdout.splitlines())


def test_warn_exits_0(oncall: Run, project: Path, demo: Path) -> None:
    runbook = project / "runbooks" / "profit.yaml"
    text = runbook.read_text()
    assert "        max: 2\n        warn_max: 0.5\n" in text
    runbook.write_text(text.replace("warn_max: 0.5", "warn_max: 0.01"))
    code, data, _ = check_json(oncall, "aggregate-profit")
    assert code == 0
    assert data["status"] == "warn"
    assert [c for c, s in statuses(data).items() if s == "warn"] == ["raw-rejected-share"]


def test_failing_pipeline_by_name(oncall: Run, demo: Path) -> None:
    code, data, _ = check_json(oncall, "aggregate-growth", "aggregate-growth")
    assert code == 1
    assert [p["runbook"] for p in data["pipelines"]] == ["growth"]


def test_usage_errors(oncall: Run, demo: Path) -> None:
    no_runbook = oncall("check", "unit-level-profit", "--now", T)
    assert no_runbook.exit_code == 2
    assert "pipeline 'unit-level-profit' has no runbook" in no_runbook.stderr
    unknown = oncall("check", "agregate-profit")
    assert unknown.exit_code == 2
    assert "did you mean 'aggregate-profit'" in unknown.stderr
    nothing = oncall("check")
    assert nothing.exit_code == 2
    assert "--all" in nothing.stderr
    both = oncall("check", "aggregate-profit", "--all")
    assert both.exit_code == 2
    bad_now = oncall("check", "--all", "--now", "someday")
    assert bad_now.exit_code == 2
    assert "--now:" in bad_now.stderr


def test_malformed_state_line_is_located(oncall: Run, demo: Path) -> None:
    path = demo / "profit.jsonl"
    lines = path.read_text().splitlines()
    lines.insert(41, '{"metric": "pipeline/ingest_completed", "time": }')
    path.write_text("\n".join(lines) + "\n")
    result = oncall("check", "aggregate-profit", "--now", T)
    assert result.exit_code == 2
    assert "profit.jsonl:42: not valid JSON" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_state_dir_is_exit_3_with_hint(oncall: Run, project: Path) -> None:
    code, data, stderr = check_json(oncall, "--all")
    assert code == 3
    assert data["status"] == "error"
    assert set(statuses(data).values()) == {"error"}
    detail = data["pipelines"][0]["checks"][0]["detail"]
    assert "does not exist" in detail and "oncall state demo" in detail
    assert "Traceback" not in stderr


def test_page_without_paging_config(oncall: Run, demo: Path) -> None:
    code, data, _ = check_json(oncall, "--all", "--page")
    assert code == 1
    pages = {p["pipeline"]: p["page"] for p in data["pipelines"]}
    assert {p["status"] for p in pages.values()} == {"not-configured"}
    assert pages["aggregate-growth"]["detail"] == (
        "recorded: paging not configured (config/paging.yaml)"
    )


def test_page_dry_run_with_shipped_paging(oncall: Run, project: Path) -> None:
    assert oncall("state", "demo", "--now", T).exit_code == 0
    code, data, _ = check_json(oncall, "--all", "--page", "--dry-run")
    assert code == 1
    pages = {p["pipeline"]: p["page"] for p in data["pipelines"]}
    assert pages["aggregate-growth"]["status"] == "dry-run"
    assert "runbook growth failed" in pages["aggregate-growth"]["detail"]
    assert "passed" in pages["aggregate-profit"]["detail"]
    growth = pages["aggregate-growth"]["result"]
    # summary is the page's own summary (the `oncall page --json` contract); the dry-run
    # explanation goes in note, and the detail repeats the note.
    assert growth["summary"].startswith("aggregate-growth: runbook growth failed: ")
    assert "dry run" not in growth["summary"]
    assert growth["note"].startswith(f"dry run: would send '{growth['summary']}'")
    assert "page_summary" not in growth
    assert "would fail" in growth["note"]  # no secrets are set in tests
    assert pages["aggregate-growth"]["detail"] == growth["note"]


def test_human_time_is_in_the_team_zone_whatever_the_offset_given(oncall: Run, demo: Path) -> None:
    result = oncall("check", "aggregate-profit", "--now", "2026-11-20T03:30Z")
    assert result.exit_code == 0, result.stderr
    assert "(12 pass) at 2026-11-20 09:00 IST" in result.stdout


# -- state.yaml ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("{kind: local, pth: x}", "unknown key 'pth' (did you mean 'path'?)"),
        ("{kind: cloud-monitoring, project: p, timeout: soon}", "bad duration 'soon'"),
        ("{kind: local}", "'path' is required for kind 'local'"),
        ("{kind: redshift}", "must be 'local', 'cloud-monitoring', 'sql' or 'bigquery'"),
    ],
)
def test_bad_state_yaml_is_located(
    oncall: Run, config_dir: Path, demo: Path, source: str, message: str
) -> None:
    (config_dir / "state.yaml").write_text(
        f"sources:\n  default: {{kind: local, path: ../state}}\n  other: {source}\n"
    )
    result = oncall("check", "--all", "--now", T)
    assert result.exit_code == 2
    found = re.search(r"state\.yaml:3:(\d+): error: sources\.other\S*: (.*)", result.stderr)
    assert found, result.stderr
    assert message in found.group(2)


def test_state_yaml_local_path_is_relative_to_the_file(
    oncall: Run, config_dir: Path, project: Path, demo: Path
) -> None:
    demo.rename(project / "elsewhere")
    (config_dir / "state.yaml").write_text(
        "sources:\n  default: {kind: local, path: ../elsewhere}\n"
        "  warehouse: {kind: sql, path: ../elsewhere/warehouse.db}\n"
    )
    code, data, _ = check_json(oncall, "aggregate-profit")
    assert (code, data["status"]) == (0, "pass")


# -- Cloud Monitoring ----------------------------------------------------------------------


@pytest.fixture
def server() -> Iterator[MonitoringServer]:
    with MonitoringServer(page_size=1000) as running:
        yield running


def load_demo(server: MonitoringServer, now: datetime, tz: Any) -> None:
    series: dict[tuple[str, tuple[tuple[str, str], ...]], list[tuple[datetime, float]]] = {}
    for point in generate_demo_points(now, tz):
        key = (point["metric"], tuple(sorted(point["labels"].items())))
        series.setdefault(key, []).append((datetime.fromisoformat(point["time"]), point["value"]))
    for (metric, labels), points in series.items():
        server.add_series(f"custom.googleapis.com/{metric}", points, labels=dict(labels))


def use_server(config_dir: Path, address: str, timeout: str = "10s") -> None:
    (config_dir / "state.yaml").write_text(
        "sources:\n"
        "  default:\n"
        "    kind: cloud-monitoring\n"
        "    project: demo-project\n"
        f'    endpoint: "{address}"\n'
        "    insecure: true\n"
        f"    timeout: {timeout}\n"
        "  warehouse: {kind: sql, path: ../state/warehouse.db}\n"
    )
    cfg = load_config(config_dir)
    write_demo_warehouse(
        config_dir.parent / "state" / "warehouse.db", parse_instant(T, cfg.team_tz), cfg.team_tz
    )


def test_cloud_monitoring_source(oncall: Run, config_dir: Path, server: MonitoringServer) -> None:
    (config_dir / "paging.yaml").unlink(missing_ok=True)
    cfg = load_config(config_dir)
    now = parse_instant(T, cfg.team_tz)
    load_demo(server, now, cfg.team_tz)
    use_server(config_dir, server.address)
    server.latency = 0.2  # long enough that concurrent requests overlap
    code, data, stderr = check_json(oncall, "--all")
    assert code == 1, stderr
    found = statuses(data)
    assert len(found) == 32  # 30 metric checks, 6 SQL ones (2 distinct ids)
    assert [c for c, s in found.items() if s == "fail"] == [PLANTED_FAILURE]
    # Each distinct (metric, labels, span) was asked for once, all at the same time.
    distinct = {
        q
        for rb in list_runbooks(cfg)
        for _, check in rb.checks
        for q in required_queries(check, now=now, team_tz=cfg.team_tz)
        if q.sql is None  # SQL checks read the warehouse, not Cloud Monitoring
    }
    filters = [r.filter for r in server.requests]
    assert len(filters) == len(distinct)
    assert len(distinct) > 20
    assert server.max_in_flight >= len(distinct) // 2
    assert all(r.name == "projects/demo-project" for r in server.requests)


def test_unavailable_monitoring_is_exit_3(
    oncall: Run, config_dir: Path, server: MonitoringServer
) -> None:
    server.fail_with(grpc.StatusCode.UNAVAILABLE, "backend down")
    use_server(config_dir, server.address, timeout="2s")
    result = oncall("check", "aggregate-profit", "--now", T, "--json")
    assert result.exit_code == 3
    data = json.loads(result.stdout)
    assert data["status"] == "error"
    detail = data["pipelines"][0]["checks"][0]["detail"]
    assert "Cloud Monitoring" in detail and "cannot reach" in detail
    assert "Traceback" not in result.stdout + result.stderr
    human = oncall("check", "aggregate-profit", "--now", T)
    assert human.exit_code == 3
    assert "aggregate-profit (runbook profit, source default): error" in human.stdout
