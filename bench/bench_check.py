"""``oncall check --all`` end to end against the local gRPC Monitoring server.

A project with the shipped config and 24 runbook checks (profit and growth whole, the first
step of engagement) reads a Cloud Monitoring source served by ``tests.support`` with 200 ms
injected latency per request and six weeks of demo state. The whole command runs in-process
through ``oncall.cli.main`` (config, runbooks, planning, fetching, evaluation, JSON output),
with the Monitoring client already imported, as a second command in one process would.

Reports seconds and ratios: ``check_vs_one_request`` (target at most 2) and
``check_vs_sequential`` (the same distinct queries fetched one at a time).
Run: ``.venv/bin/python -m bench.bench_check``.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import tempfile
import time
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
NOW = "2026-11-20T09:00"
LATENCY = 0.200
CHECKS = 24


def _project(root: Path, address: str) -> Path:
    shutil.copytree(REPO / "config", root / "config")
    (root / "config" / "paging.yaml").unlink(missing_ok=True)
    shutil.copytree(REPO / "runbooks", root / "runbooks")
    engagement = root / "runbooks" / "engagement.yaml"
    data = yaml.safe_load(engagement.read_text())
    data["steps"] = data["steps"][:1]  # 3 checks: 10 + 11 + 3 = 24
    engagement.write_text(yaml.safe_dump(data, sort_keys=False))
    (root / "config" / "state.yaml").write_text(
        "sources:\n"
        "  default:\n"
        "    kind: cloud-monitoring\n"
        "    project: bench-project\n"
        f'    endpoint: "{address}"\n'
        "    insecure: true\n"
        "    timeout: 30s\n"
    )
    return root / "config"


def _load_demo(server: Any, now: datetime, tz: Any) -> None:
    from oncall.adapters.state.demo import generate_demo_points

    series: dict[tuple[str, tuple[tuple[str, str], ...]], list[tuple[datetime, Any]]] = defaultdict(
        list
    )
    for point in generate_demo_points(now, tz):
        key = (point["metric"], tuple(sorted(point["labels"].items())))
        series[key].append((datetime.fromisoformat(point["time"]), point["value"]))
    for (metric, labels), points in series.items():
        server.add_series(f"custom.googleapis.com/{metric}", points, labels=dict(labels))


def _check(config_dir: Path) -> tuple[float, int]:
    from oncall.cli import main

    out = io.StringIO()
    started = time.perf_counter()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = main(["--config-dir", str(config_dir), "check", "--all", "--now", NOW, "--json"])
    return time.perf_counter() - started, code


def run() -> dict[str, float]:
    started = time.perf_counter()
    import google.cloud.monitoring_v3  # noqa: F401  (what the first query of a process pays)

    import_s = time.perf_counter() - started
    from oncall.adapters.state.monitoring import CloudMonitoringSource
    from oncall.config import load_config
    from oncall.domain.checks import required_queries
    from oncall.domain.timeutil import parse_instant
    from oncall.services.runbook.catalog import list_runbooks
    from tests.support.monitoring_server import MonitoringServer

    saved = {k: os.environ.get(k) for k in ("ONCALL_CACHE_DIR", "ONCALL_STATE_DB")}
    with (
        tempfile.TemporaryDirectory() as tmp,
        MonitoringServer(page_size=1000, max_workers=64) as server,
    ):
        os.environ["ONCALL_CACHE_DIR"] = str(Path(tmp) / "cache")
        os.environ["ONCALL_STATE_DB"] = str(Path(tmp) / "oncall.db")
        try:
            config_dir = _project(Path(tmp), server.address)
            cfg = load_config(config_dir)
            now = parse_instant(NOW, cfg.team_tz)
            _load_demo(server, now, cfg.team_tz)
            runbooks = list_runbooks(cfg)
            checks = [check for rb in runbooks for _, check in rb.checks]
            queries = list(
                dict.fromkeys(
                    q for c in checks for q in required_queries(c, now=now, team_tz=cfg.team_tz)
                )
            )
            _check(config_dir)  # warm: config cache, holiday cache, code paths

            server.latency = LATENCY
            source = CloudMonitoringSource(
                "bench", "bench-project", timeout=30.0, endpoint=server.address, insecure=True
            )
            try:
                source.fetch(queries[0])  # connect
                started = time.perf_counter()
                source.fetch(queries[0])
                one_request = time.perf_counter() - started
                started = time.perf_counter()
                for query in queries:
                    source.fetch(query)
                sequential = time.perf_counter() - started
            finally:
                source.close()

            server.reset_counters()
            best = float("inf")
            code = 0
            for _ in range(3):
                elapsed, code = _check(config_dir)
                best = min(best, elapsed)
            requests = len(server.requests) / 3
            in_flight = server.max_in_flight
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
    return {
        "checks": float(len(checks)),
        "distinct_queries": float(len(queries)),
        "requests_per_check_run": requests,
        "max_requests_in_flight": float(in_flight),
        "injected_latency_s": LATENCY,
        "monitoring_import_s": import_s,
        "one_request_s": one_request,
        "sequential_s": sequential,
        "check_s": best,
        "check_vs_one_request": best / one_request,
        "check_vs_sequential": best / sequential,
        "check_exit_code": float(code),
    }


if __name__ == "__main__":
    for key, value in run().items():
        print(f"{key:28} {value:.3f}")
