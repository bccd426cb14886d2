"""fetch_all: each distinct query once, concurrently, one failure never sinks the others."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import grpc
import pytest

from oncall.adapters.state import StateSource, fetch_all
from oncall.adapters.state.monitoring import CloudMonitoringSource
from oncall.domain.checks import Point, SeriesQuery
from oncall.errors import StateSourceError
from tests.support.monitoring_server import MonitoringServer

pytestmark = pytest.mark.timeout(60)

T0 = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
INGEST = "custom.googleapis.com/pipeline/ingest_completed"


def query(pipeline: str, metric: str = "pipeline/ingest_completed") -> SeriesQuery:
    return SeriesQuery(
        metric=metric,
        labels=(("pipeline", pipeline),),
        start=T0 - timedelta(hours=1),
        end=T0 + timedelta(hours=1),
    )


@pytest.fixture
def server() -> Iterator[MonitoringServer]:
    with MonitoringServer() as running:
        yield running


@pytest.fixture
def source(server: MonitoringServer) -> Iterator[CloudMonitoringSource]:
    made = CloudMonitoringSource("gcp", "demo", timeout=5.0, endpoint=server.address, insecure=True)
    yield made
    made.close()


def test_identical_queries_are_fetched_once(
    server: MonitoringServer, source: CloudMonitoringSource
) -> None:
    server.add_series(INGEST, [(T0, 1)], labels={"pipeline": "a"})
    server.add_series(INGEST, [(T0, 2)], labels={"pipeline": "b"})
    first, again, other = query("a"), query("a"), query("b")

    results = fetch_all(source, [first, again, other, first])

    assert len(server.requests) == 2
    assert sorted(r.filter for r in server.requests) == [
        f'metric.type = "{INGEST}" AND metric.labels.pipeline = "a"',
        f'metric.type = "{INGEST}" AND metric.labels.pipeline = "b"',
    ]
    assert list(results) == [first, other]
    assert results[again] == [Point(time=T0, value=1.0, labels={"pipeline": "a"})]
    assert results[other] == [Point(time=T0, value=2.0, labels={"pipeline": "b"})]


def test_queries_run_concurrently(server: MonitoringServer, source: CloudMonitoringSource) -> None:
    server.latency = 0.3
    queries = [query(f"p{i}") for i in range(6)]

    results = fetch_all(source, queries)

    assert len(server.requests) == 6
    assert server.max_in_flight > 1
    assert all(results[q] == [] for q in queries)


def test_max_workers_bounds_concurrency(
    server: MonitoringServer, source: CloudMonitoringSource
) -> None:
    server.latency = 0.05
    queries = [query(f"p{i}") for i in range(4)]

    fetch_all(source, queries, max_workers=1)

    assert len(server.requests) == 4
    assert server.max_in_flight == 1


def test_a_failing_query_does_not_sink_the_others(
    server: MonitoringServer, source: CloudMonitoringSource
) -> None:
    server.add_series(INGEST, [(T0, 1)], labels={"pipeline": "a"})
    good = query("a")
    bad = SeriesQuery("pipeline/x", (("not a key", "v"),), good.start, good.end)

    results = fetch_all(source, [good, bad])

    assert results[good] == [Point(time=T0, value=1.0, labels={"pipeline": "a"})]
    error = results[bad]
    assert isinstance(error, StateSourceError)
    assert "'not a key' is not a valid Cloud Monitoring label name" in str(error)


def test_server_errors_are_returned_per_query(
    server: MonitoringServer, source: CloudMonitoringSource
) -> None:
    server.fail_with(grpc.StatusCode.PERMISSION_DENIED, "nope")
    queries = [query("a"), query("b")]

    results = fetch_all(source, queries)

    assert set(results) == set(queries)
    assert all(
        isinstance(r, StateSourceError) and "roles/monitoring.viewer" in str(r)
        for r in results.values()
    )


class FakeSource:
    """An in-process source: answers by pipeline label, fails on demand."""

    name = "fake"

    def __init__(self) -> None:
        self.calls: list[SeriesQuery] = []
        self._lock = threading.Lock()

    def fetch(self, query: SeriesQuery) -> list[Point]:
        with self._lock:
            self.calls.append(query)
        pipeline = dict(query.labels)["pipeline"]
        if pipeline == "down":
            raise StateSourceError("fake: down")
        if pipeline == "bug":
            raise KeyError("oops")
        return [Point(time=query.end, value=1.0, labels={"pipeline": pipeline})]


def test_unexpected_exceptions_are_wrapped_and_keep_their_cause() -> None:
    fake = FakeSource()
    source: StateSource = fake
    ok, down, bug = query("ok"), query("down"), query("bug")

    results = fetch_all(source, [ok, down, bug, ok])

    assert sorted(dict(q.labels)["pipeline"] for q in fake.calls) == ["bug", "down", "ok"]
    assert results[ok] == [Point(time=ok.end, value=1.0, labels={"pipeline": "ok"})]
    assert isinstance(results[down], StateSourceError) and str(results[down]) == "fake: down"
    wrapped = results[bug]
    assert isinstance(wrapped, StateSourceError)
    assert str(wrapped).startswith("state source 'fake': unexpected error fetching ")
    assert "KeyError" in str(wrapped)
    assert isinstance(wrapped.__cause__, KeyError)


def test_single_and_empty_inputs() -> None:
    fake = FakeSource()

    assert fetch_all(fake, []) == {}
    assert list(fetch_all(fake, iter([query("ok")] * 3))) == [query("ok")]
    assert len(fake.calls) == 1


def test_max_workers_must_be_positive() -> None:
    with pytest.raises(ValueError, match="max_workers must be at least 1"):
        fetch_all(FakeSource(), [query("ok")], max_workers=0)
