"""CloudMonitoringSource: the real google-cloud-monitoring client against a local gRPC server."""

from __future__ import annotations

import math
import socket
import subprocess
import sys
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import grpc
import pytest

from oncall.adapters.state import build_source
from oncall.adapters.state.monitoring import (
    CloudMonitoringSource,
    compute_filter,
    compute_metric_type,
)
from oncall.config.models.state import MonitoringSourceSpec
from oncall.domain.checks import SeriesQuery
from oncall.errors import SourceSpecError, StateSourceError
from tests.support.monitoring_server import Distribution, MonitoringServer

pytestmark = pytest.mark.timeout(60)

T0 = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
INGEST = "custom.googleapis.com/pipeline/ingest_completed"
REPO = Path(__file__).resolve().parents[3]


def query(
    metric: str = "pipeline/ingest_completed",
    start: datetime = T0 - timedelta(hours=1),
    end: datetime = T0 + timedelta(hours=1),
    extra: Mapping[str, str] | None = None,
    **labels: str,
) -> SeriesQuery:
    """A query for ``labels`` plus ``extra`` (for keys like ``resource.K``)."""
    pairs = tuple(sorted({**labels, **(extra or {})}.items()))
    return SeriesQuery(metric=metric, labels=pairs, start=start, end=end)


@pytest.fixture
def server() -> Iterator[MonitoringServer]:
    with MonitoringServer(page_size=2) as running:
        yield running


@pytest.fixture
def source(server: MonitoringServer) -> Iterator[CloudMonitoringSource]:
    made = CloudMonitoringSource(
        "gcp", "demo-project", timeout=2.0, endpoint=server.address, insecure=True
    )
    yield made
    made.close()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- what the client sends ---------------------------------------------------------------


def test_request_carries_project_filter_interval_and_full_view(
    server: MonitoringServer, source: CloudMonitoringSource
) -> None:
    start = datetime(2026, 11, 20, 7, 30, tzinfo=timezone(timedelta(hours=5, minutes=30)))
    end = start + timedelta(minutes=90)

    source.fetch(
        query(start=start, end=end, pipeline="aggregate-profit", extra={"resource.location": "eu"})
    )

    [sent] = server.requests
    assert sent.name == "projects/demo-project"
    assert sent.filter == (
        f'metric.type = "{INGEST}" AND metric.labels.pipeline = "aggregate-profit" '
        'AND resource.labels.location = "eu"'
    )
    assert sent.start_time == datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
    assert sent.end_time == datetime(2026, 11, 20, 3, 30, tzinfo=UTC)
    assert sent.view == 0  # TimeSeriesView.FULL
    assert sent.page_token == ""


def test_every_page_is_followed(server: MonitoringServer, source: CloudMonitoringSource) -> None:
    for shard in range(5):
        server.add_series(
            INGEST,
            [(T0, shard), (T0 + timedelta(minutes=1), 10 + shard)],
            labels={"pipeline": "p", "shard": str(shard)},
        )
    server.add_series(INGEST, [(T0, 99)], labels={"pipeline": "other"})

    points = source.fetch(query(pipeline="p"))

    assert [r.page_token for r in server.requests] == ["", "page-2", "page-4"]
    assert len({r.filter for r in server.requests}) == 1
    assert sorted(p.value for p in points if p.value is not None) == sorted(
        float(v) for s in range(5) for v in (s, 10 + s)
    )
    assert {p.labels["shard"] for p in points} == {"0", "1", "2", "3", "4"}
    assert [p.time for p in points] == sorted(p.time for p in points)


def test_domain_metric_types_are_used_as_they_are(
    server: MonitoringServer, source: CloudMonitoringSource
) -> None:
    composer = "composer.googleapis.com/workflow/run_count"
    server.add_series(
        composer,
        [(T0, 3)],
        labels={"state": "success"},
        resource_labels={"workflow_name": "daily"},
        resource_type="cloud_composer_workflow",
    )

    points = source.fetch(
        query(composer, state="success", extra={"resource.workflow_name": "daily"})
    )

    assert server.requests[0].filter.startswith(f'metric.type = "{composer}" AND')
    assert [(p.value, dict(p.labels)) for p in points] == [
        (3.0, {"state": "success", "resource.workflow_name": "daily"})
    ]


def test_points_are_converted_by_value_type(
    server: MonitoringServer, source: CloudMonitoringSource
) -> None:
    when = [T0 + timedelta(minutes=m, microseconds=250) for m in range(6)]
    server.add_series(
        INGEST,
        [
            (when[0], 7),
            (when[1], 2.5),
            (when[2], True),
            (when[3], Distribution(4.25, 3)),
            (when[4], "text"),
            (when[5], None),
        ],
        labels={"pipeline": "p"},
        resource_labels={"project_id": "demo-project"},
    )

    points = source.fetch(query(pipeline="p"))

    assert [p.time for p in points] == when
    assert all(p.time.tzinfo is not None and p.time.utcoffset() == timedelta(0) for p in points)
    assert [p.value for p in points] == [7.0, 2.5, 1.0, 4.25, None, None]
    assert points[0].labels == {"pipeline": "p", "resource.project_id": "demo-project"}


def test_interval_start_is_exclusive_and_end_inclusive(
    server: MonitoringServer, source: CloudMonitoringSource
) -> None:
    server.add_series(INGEST, [(T0, 1), (T0 + timedelta(minutes=5), 2)], labels={"p": "x"})

    points = source.fetch(query(start=T0, end=T0 + timedelta(minutes=5)))

    assert [p.value for p in points] == [2.0]


def test_label_values_are_quoted_and_escaped(
    server: MonitoringServer, source: CloudMonitoringSource
) -> None:
    tricky = 'say "hi" \\ AND metric.type = "x"'
    server.add_series(INGEST, [(T0, 5)], labels={"pipeline": tricky})
    server.add_series(INGEST, [(T0, 6)], labels={"pipeline": "plain"})

    points = source.fetch(query(pipeline=tricky))

    assert [p.value for p in points] == [5.0]
    assert server.requests[0].filter.endswith(
        'metric.labels.pipeline = "say \\"hi\\" \\\\ AND metric.type = \\"x\\""'
    )


def test_compute_metric_type_and_filter() -> None:
    assert compute_metric_type("pipeline/x") == "custom.googleapis.com/pipeline/x"
    assert compute_metric_type("pipeline/x", "workload.googleapis.com") == (
        "workload.googleapis.com/pipeline/x"
    )
    assert compute_metric_type("logging.googleapis.com/user/errors") == (
        "logging.googleapis.com/user/errors"
    )
    assert compute_filter(query("a/b")) == 'metric.type = "custom.googleapis.com/a/b"'
    with pytest.raises(ValueError, match="not a valid Cloud Monitoring label name"):
        compute_filter(query("a/b", extra={"bad key": "v"}))


def test_bad_label_key_is_a_state_source_error_without_a_request(
    server: MonitoringServer, source: CloudMonitoringSource
) -> None:
    with pytest.raises(StateSourceError, match=r"'gcp'.*'resource\.a b' is not a valid"):
        source.fetch(query(extra={"resource.a b": "v"}))

    assert server.requests == []


# -- failures ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (grpc.StatusCode.PERMISSION_DENIED, "grant the account roles/monitoring.viewer"),
        (grpc.StatusCode.UNAUTHENTICATED, "gcloud auth application-default login"),
        (grpc.StatusCode.NOT_FOUND, "check the project id 'demo-project'"),
        (grpc.StatusCode.INVALID_ARGUMENT, "check the metric name"),
        (grpc.StatusCode.UNAVAILABLE, "cannot reach 127.0.0.1:"),
        (grpc.StatusCode.INTERNAL, "the request failed (InternalServerError: boom)"),
    ],
)
def test_status_codes_become_state_source_errors_with_a_reason(
    server: MonitoringServer,
    source: CloudMonitoringSource,
    code: grpc.StatusCode,
    expected: str,
) -> None:
    server.fail_with(code, "boom")

    with pytest.raises(StateSourceError) as caught:
        source.fetch(query())

    message = str(caught.value)
    assert message.startswith("state source 'gcp' (Cloud Monitoring, project 'demo-project'): ")
    assert expected in message
    assert caught.value.exit_code == 3


def test_non_retryable_errors_are_not_retried(
    server: MonitoringServer, source: CloudMonitoringSource
) -> None:
    server.fail_with(grpc.StatusCode.PERMISSION_DENIED)

    with pytest.raises(StateSourceError):
        source.fetch(query())

    assert len(server.requests) == 1


def test_a_transient_unavailable_is_retried(
    server: MonitoringServer, source: CloudMonitoringSource
) -> None:
    server.add_series(INGEST, [(T0, 1)])
    server.fail_with(grpc.StatusCode.UNAVAILABLE, "blip", times=1)

    points = source.fetch(query())

    assert [p.value for p in points] == [1.0]
    assert len(server.requests) == 2


def test_persistent_unavailable_gives_up_within_the_timeout(server: MonitoringServer) -> None:
    server.fail_with(grpc.StatusCode.UNAVAILABLE, "down")
    source = CloudMonitoringSource("gcp", "p", timeout=1.0, endpoint=server.address, insecure=True)
    try:
        with pytest.raises(StateSourceError, match=r"cannot reach .*\(down\)"):
            source.fetch(query())
    finally:
        source.close()

    assert len(server.requests) > 1


def test_slow_server_hits_the_deadline(server: MonitoringServer) -> None:
    server.latency = 5.0
    source = CloudMonitoringSource("gcp", "p", timeout=0.5, endpoint=server.address, insecure=True)
    try:
        with pytest.raises(StateSourceError, match=r"no answer from 127\.0\.0\.1:\d+ within 0\.5s"):
            source.fetch(query())
    finally:
        source.close()

    assert len(server.requests) == 1  # DEADLINE_EXCEEDED is not retried


@pytest.mark.timeout(30)
def test_dead_endpoint_is_a_state_source_error() -> None:
    endpoint = f"127.0.0.1:{closed_port()}"
    source = CloudMonitoringSource("gcp", "p", timeout=1.0, endpoint=endpoint, insecure=True)
    try:
        with pytest.raises(StateSourceError) as caught:
            source.fetch(query())
    finally:
        source.close()

    assert f"cannot reach {endpoint}" in str(caught.value)


def test_missing_application_default_credentials(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(tmp_path / "missing.json"))
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path / "gcloud"))
    source = CloudMonitoringSource("gcp", "p")

    with pytest.raises(StateSourceError) as caught:
        source.fetch(query())

    assert "no Google Cloud credentials found" in str(caught.value)
    assert "gcloud auth application-default login" in str(caught.value)


# -- configuration -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "endpoint", ["127.0.0.1:1", "127.8.9.10:50051", "[::1]:50051", "localhost:50051", "LOCALHOST:1"]
)
def test_insecure_is_allowed_for_loopback(endpoint: str) -> None:
    source = CloudMonitoringSource("gcp", "p", endpoint=endpoint, insecure=True)

    assert source.insecure and source.endpoint == endpoint


@pytest.mark.parametrize(
    "endpoint",
    [
        "monitoring.googleapis.com:443",
        "10.0.0.1:50051",
        "[2001:db8::1]:50051",
        "localhost.evil.com:1",
        "0.0.0.0:50051",
    ],
)
def test_insecure_is_refused_for_other_hosts(endpoint: str) -> None:
    with pytest.raises(ValueError, match="only allowed to a loopback endpoint"):
        CloudMonitoringSource("gcp", "p", endpoint=endpoint, insecure=True)


def test_constructor_rejects_nonsense() -> None:
    with pytest.raises(ValueError, match="project id is required"):
        CloudMonitoringSource("gcp", "")
    with pytest.raises(ValueError, match="timeout must be a positive number"):
        CloudMonitoringSource("gcp", "p", timeout=0)
    with pytest.raises(ValueError, match="insecure=True needs an endpoint"):
        CloudMonitoringSource("gcp", "p", insecure=True)


def test_build_source_makes_a_working_cloud_source(server: MonitoringServer) -> None:
    server.add_series(INGEST, [(T0, 1)])
    spec = MonitoringSourceSpec(
        kind="cloud-monitoring",
        project="my-gcp-project",
        metric_prefix="custom.googleapis.com/",
        timeout="1m30s",
        endpoint=server.address,
        insecure=True,
    )

    source = build_source("gcp", spec, Path("/config"))

    assert isinstance(source, CloudMonitoringSource)
    try:
        assert (source.name, source.project, source.timeout) == ("gcp", "my-gcp-project", 90.0)
        assert [p.value for p in source.fetch(query())] == [1.0]
    finally:
        source.close()
    assert server.requests[0].name == "projects/my-gcp-project"


def test_build_source_defaults() -> None:
    source = build_source(
        "gcp", MonitoringSourceSpec(kind="cloud-monitoring", project="p"), Path(".")
    )

    assert isinstance(source, CloudMonitoringSource)
    assert (source.metric_prefix, source.timeout, source.endpoint, source.insecure) == (
        "custom.googleapis.com/",
        10.0,
        None,
        False,
    )


@pytest.mark.parametrize(
    ("spec", "key", "expected"),
    [
        ({"timeout": "soon"}, "timeout", "'timeout': bad duration 'soon'"),
        ({"timeout": "0s"}, "timeout", "'timeout' must be positive"),
        ({"endpoint": "10.1.1.1:1", "insecure": True}, "endpoint", "loopback"),
    ],
)
def test_build_source_rejects_unusable_cloud_specs(
    spec: dict[str, object], key: str, expected: str
) -> None:
    # Keys, types and required values are the model's (tests/config/test_state.py); the
    # model refuses a bad timeout too (tests/config/test_number_bounds.py): a spec built
    # without it (model_construct) is refused again here.
    typed = MonitoringSourceSpec.model_construct(kind="cloud-monitoring", project="p", **spec)
    with pytest.raises(SourceSpecError) as caught:
        build_source("gcp", typed, Path("."))

    assert expected in str(caught.value) and "'gcp'" in str(caught.value)
    assert caught.value.key == key


# -- start-up cost -------------------------------------------------------------------------


def test_importing_state_modules_does_not_import_the_google_client() -> None:
    code = (
        "import sys\n"
        "import oncall.adapters.state, oncall.adapters.state.local\n"
        "import oncall.adapters.state.monitoring\n"
        "heavy = [m for m in ('google.cloud.monitoring_v3', 'grpc', 'google.api_core')"
        " if m in sys.modules]\n"
        "print(','.join(heavy) or 'none')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "none"


def test_nan_double_values_pass_through(
    server: MonitoringServer, source: CloudMonitoringSource
) -> None:
    server.add_series(INGEST, [(T0, math.nan)])

    [point] = source.fetch(query())

    assert point.value is not None and math.isnan(point.value)
