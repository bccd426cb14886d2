"""fetch_all against the local gRPC Monitoring server: concurrent versus one query at a time.

24 distinct queries, each answered after an injected 200 ms. Reports seconds and two ratios:
``fetch_all_vs_one_request`` (how many request latencies ``fetch_all`` costs; 2 waves at the
default 16 workers) and ``fetch_all_vs_sequential`` (the fraction of the sequential time).
Run: ``.venv/bin/python -m bench.bench_monitoring``.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from oncall.adapters.state import fetch_all
from oncall.adapters.state.monitoring import CloudMonitoringSource
from oncall.domain.checks import SeriesQuery
from tests.support.monitoring_server import MonitoringServer

QUERIES = 24
LATENCY = 0.200
METRIC = "custom.googleapis.com/pipeline/ingest_completed"


def run() -> dict[str, float]:
    end = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
    queries = [
        SeriesQuery(
            metric="pipeline/ingest_completed",
            labels=(("pipeline", f"pipeline-{i:02d}"),),
            start=end - timedelta(hours=26),
            end=end,
        )
        for i in range(QUERIES)
    ]
    with MonitoringServer(max_workers=QUERIES + 8) as server:
        for i in range(QUERIES):
            points = [(end - timedelta(minutes=10 * k), k) for k in range(12)]
            server.add_series(METRIC, points, labels={"pipeline": f"pipeline-{i:02d}"})
        source = CloudMonitoringSource(
            "bench", "bench-project", timeout=30.0, endpoint=server.address, insecure=True
        )
        try:
            source.fetch(queries[0])  # warm up: import, channel, connection

            server.latency = LATENCY
            started = time.perf_counter()
            source.fetch(queries[0])
            one_request = time.perf_counter() - started

            started = time.perf_counter()
            for q in queries:
                source.fetch(q)
            sequential = time.perf_counter() - started

            started = time.perf_counter()
            results = fetch_all(source, queries)
            concurrent = time.perf_counter() - started

            started = time.perf_counter()
            fetch_all(source, queries, max_workers=QUERIES)
            concurrent_all = time.perf_counter() - started
        finally:
            source.close()
    failures = sum(1 for r in results.values() if not isinstance(r, list))
    return {
        "queries": float(QUERIES),
        "injected_latency_s": LATENCY,
        "one_request_s": one_request,
        "sequential_s": sequential,
        "fetch_all_s": concurrent,
        "fetch_all_24_workers_s": concurrent_all,
        "fetch_all_vs_one_request": concurrent / one_request,
        "fetch_all_vs_sequential": concurrent / sequential,
        "fetch_all_24_workers_vs_one_request": concurrent_all / one_request,
        "failures": float(failures),
    }


if __name__ == "__main__":
    for key, value in run().items():
        print(f"{key:40} {value:.3f}")
