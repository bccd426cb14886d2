"""A real local gRPC server speaking ``google.monitoring.v3.MetricService/ListTimeSeries``.

It listens on 127.0.0.1 (an ephemeral port), serves time series from memory, understands
filters of the form ``metric.type = "T" AND metric.labels.K = "v" AND resource.labels.K = "v"``,
applies the request interval (points with ``start < end_time <= end``), pages ``page_size``
series at a time, and records every request. Latency and errors can be injected, and it counts
the most requests it ever had in flight at once::

    with MonitoringServer() as server:
        server.add_series("custom.googleapis.com/pipeline/ingest_completed",
                          [(when, 1)], labels={"pipeline": "aggregate-profit"})
        source = CloudMonitoringSource("gcp", "demo", endpoint=server.address, insecure=True)
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

import grpc
from google.cloud.monitoring_v3.types import ListTimeSeriesRequest, ListTimeSeriesResponse
from google.protobuf.timestamp_pb2 import Timestamp

__all__ = ["Distribution", "FakeSeries", "MonitoringServer", "RecordedRequest"]

SERVICE = "google.monitoring.v3.MetricService"

_RequestPb: Any = ListTimeSeriesRequest.pb()
_ResponsePb: Any = ListTimeSeriesResponse.pb()

_CLAUSE = re.compile(r'\s*([A-Za-z_][\w.]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*')
_UNESCAPE = re.compile(r"\\(.)")
_AND = re.compile(r"AND\s+")


@dataclass(frozen=True)
class Distribution:
    """A distribution value; only its mean and count travel."""

    mean: float
    count: int = 1


Value = float | int | bool | str | Distribution | None


@dataclass
class FakeSeries:
    metric_type: str
    labels: dict[str, str]
    resource_type: str
    resource_labels: dict[str, str]
    points: list[tuple[datetime, Value]]


@dataclass(frozen=True)
class RecordedRequest:
    """What one ``ListTimeSeries`` call asked for."""

    name: str
    filter: str
    start_time: datetime | None
    end_time: datetime | None
    view: int
    page_size: int
    page_token: str
    metadata: tuple[tuple[str, str | bytes], ...] = field(default=())


class _InjectedError:
    def __init__(self, code: grpc.StatusCode, message: str, times: int | None) -> None:
        self.code = code
        self.message = message
        self.times = times


class MonitoringServer:
    """A started-on-enter, stopped-on-exit local Cloud Monitoring ``MetricService``.

    ``latency`` (seconds) delays every answer; ``fail_with`` makes requests abort with a status
    code; ``page_size`` is the number of series per page when the request does not set one.
    """

    def __init__(self, *, page_size: int = 2, latency: float = 0.0, max_workers: int = 32) -> None:
        self.page_size = page_size
        self.latency = latency
        self._max_workers = max_workers
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        self._stopping = threading.Event()
        self._series: list[FakeSeries] = []
        self._requests: list[RecordedRequest] = []
        self._errors: list[_InjectedError] = []
        self._in_flight = 0
        self._max_in_flight = 0
        self._server: grpc.Server | None = None
        self.port = 0

    # -- lifecycle ------------------------------------------------------------------------

    def start(self) -> MonitoringServer:
        server = grpc.server(ThreadPoolExecutor(max_workers=self._max_workers))
        handler = grpc.method_handlers_generic_handler(
            SERVICE,
            {
                "ListTimeSeries": grpc.unary_unary_rpc_method_handler(
                    self._list_time_series,
                    request_deserializer=_RequestPb.FromString,
                    response_serializer=_ResponsePb.SerializeToString,
                )
            },
        )
        server.add_generic_rpc_handlers((handler,))
        self.port = server.add_insecure_port("127.0.0.1:0")
        server.start()
        self._server = server
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes handlers sleeping on injected latency
        if self._server is not None:
            self._server.stop(grace=None).wait(5)
            self._server = None

    def __enter__(self) -> MonitoringServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    # -- arranging ------------------------------------------------------------------------

    def add_series(
        self,
        metric_type: str,
        points: Iterable[tuple[datetime, Value]],
        *,
        labels: Mapping[str, str] | None = None,
        resource_labels: Mapping[str, str] | None = None,
        resource_type: str = "global",
    ) -> FakeSeries:
        series = FakeSeries(
            metric_type=metric_type,
            labels=dict(labels or {}),
            resource_type=resource_type,
            resource_labels=dict(resource_labels or {}),
            points=list(points),
        )
        with self._lock:
            self._series.append(series)
        return series

    def fail_with(
        self, code: grpc.StatusCode, message: str = "injected error", *, times: int | None = None
    ) -> None:
        """Abort the next ``times`` requests (every request if None) with ``code``."""
        with self._lock:
            self._errors.append(_InjectedError(code, message, times))

    def clear_failures(self) -> None:
        with self._lock:
            self._errors.clear()

    # -- observing ------------------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    @property
    def max_in_flight(self) -> int:
        with self._lock:
            return self._max_in_flight

    def wait_for_requests(self, count: int = 1, *, timeout: float) -> bool:
        """Block until ``count`` requests have arrived (True) or ``timeout`` seconds pass (False)."""
        with self._arrived:
            return self._arrived.wait_for(lambda: len(self._requests) >= count, timeout)

    def reset_counters(self) -> None:
        with self._lock:
            self._requests.clear()
            self._max_in_flight = 0

    # -- the RPC --------------------------------------------------------------------------

    def _list_time_series(self, request: Any, context: grpc.ServicerContext) -> Any:
        interval = request.interval
        start = _from_ts(interval.start_time) if interval.HasField("start_time") else None
        end = _from_ts(interval.end_time) if interval.HasField("end_time") else None
        recorded = RecordedRequest(
            name=request.name,
            filter=request.filter,
            start_time=start,
            end_time=end,
            view=request.view,
            page_size=request.page_size,
            page_token=request.page_token,
            metadata=tuple((m.key, m.value) for m in context.invocation_metadata()),
        )
        with self._lock:
            self._requests.append(recorded)
            self._arrived.notify_all()
            self._in_flight += 1
            self._max_in_flight = max(self._max_in_flight, self._in_flight)
            error = self._take_error()
            latency = self.latency
        try:
            if latency > 0:
                self._stopping.wait(latency)
            if error is not None:
                context.abort(error.code, error.message)
            return self._answer(request, start, end, context)
        finally:
            with self._lock:
                self._in_flight -= 1

    def _take_error(self) -> _InjectedError | None:
        while self._errors:
            error = self._errors[0]
            if error.times is None:
                return error
            if error.times > 0:
                error.times -= 1
                if error.times == 0:
                    self._errors.pop(0)
                return error
            self._errors.pop(0)
        return None

    def _answer(
        self,
        request: Any,
        start: datetime | None,
        end: datetime | None,
        context: grpc.ServicerContext,
    ) -> Any:
        if not request.name.startswith("projects/"):
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"bad name {request.name!r}")
        if end is None:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "interval.end_time is required")
        wanted = _parse_filter(request.filter)
        if wanted is None or "metric.type" not in wanted:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"bad filter {request.filter!r}")
        assert wanted is not None and end is not None
        with self._lock:
            series = list(self._series)
        matching: list[tuple[FakeSeries, list[tuple[datetime, Value]]]] = []
        for s in series:
            if not _matches(s, wanted):
                continue
            if start is None:
                pts = [(t, v) for t, v in s.points if t == end]
            else:
                pts = [(t, v) for t, v in s.points if start < t <= end]
            if pts:
                matching.append((s, pts))
        size = request.page_size or self.page_size
        offset = 0
        if request.page_token:
            if not request.page_token.startswith("page-"):
                context.abort(grpc.StatusCode.INVALID_ARGUMENT, "bad page_token")
            offset = int(request.page_token.removeprefix("page-"))
        response = _ResponsePb()
        for s, pts in matching[offset : offset + size]:
            ts = response.time_series.add()
            ts.metric.type = s.metric_type
            ts.metric.labels.update(s.labels)
            ts.resource.type = s.resource_type
            ts.resource.labels.update(s.resource_labels)
            # The API returns points newest first.
            for when, value in sorted(pts, key=lambda p: p[0], reverse=True):
                point = ts.points.add()
                point.interval.end_time.CopyFrom(_to_ts(when))
                _set_value(point.value, value)
        if offset + size < len(matching):
            response.next_page_token = f"page-{offset + size}"
        return response


def _parse_filter(text: str) -> dict[str, str] | None:
    """``key = "value"`` clauses joined by AND, or None when the text is anything else."""
    wanted: dict[str, str] = {}
    pos = 0
    while True:
        clause = _CLAUSE.match(text, pos)
        if clause is None:
            return None
        wanted[clause.group(1)] = _UNESCAPE.sub(r"\1", clause.group(2))
        pos = clause.end()
        if pos == len(text):
            return wanted
        joiner = _AND.match(text, pos)
        if joiner is None:
            return None
        pos = joiner.end()


def _matches(series: FakeSeries, wanted: Mapping[str, str]) -> bool:
    for key, value in wanted.items():
        if key == "metric.type":
            actual: str | None = series.metric_type
        elif key == "resource.type":
            actual = series.resource_type
        elif key.startswith("metric.labels."):
            actual = series.labels.get(key.removeprefix("metric.labels."))
        elif key.startswith("resource.labels."):
            actual = series.resource_labels.get(key.removeprefix("resource.labels."))
        else:
            return False
        if actual != value:
            return False
    return True


def _set_value(target: Any, value: Value) -> None:
    if value is None:
        return
    if isinstance(value, bool):
        target.bool_value = value
    elif isinstance(value, int):
        target.int64_value = value
    elif isinstance(value, float):
        target.double_value = value
    elif isinstance(value, str):
        target.string_value = value
    else:
        target.distribution_value.mean = value.mean
        target.distribution_value.count = value.count


def _to_ts(when: datetime) -> Timestamp:
    if when.tzinfo is None:
        raise ValueError(f"naive datetime {when!r}: give the fake server aware times")
    ts = Timestamp()
    ts.FromDatetime(when.astimezone(UTC))
    return ts


def _from_ts(ts: Timestamp) -> datetime:
    return datetime.fromtimestamp(ts.seconds, tz=UTC).replace(microsecond=ts.nanos // 1000)
