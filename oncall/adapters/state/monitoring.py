"""Pipeline state from Google Cloud Monitoring (``MetricService.ListTimeSeries``).

``google.cloud`` and ``grpc`` are imported only when a source sends its first query: importing
them costs about half a second, which every other command should not pay.

Every call carries an explicit retry (only ``UNAVAILABLE`` is retried, briefly) and a deadline:
the client's default retry would keep a command hanging for about 80 seconds on a dead
endpoint. All pages of a query share that one deadline.
"""

from __future__ import annotations

import ipaddress
import math
import re
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from oncall.domain.checks import Point, SeriesQuery
from oncall.errors import StateSourceError

__all__ = [
    "DEFAULT_METRIC_PREFIX",
    "CloudMonitoringSource",
    "compute_filter",
    "compute_metric_type",
]

DEFAULT_METRIC_PREFIX = "custom.googleapis.com/"
#: Retrying UNAVAILABLE stops after this long (or at the query deadline, if sooner).
RETRY_BUDGET_SECONDS = 3.0
#: ``ListTimeSeries`` points come back per series; this bounds a runaway pager.
MAX_PAGES = 10_000

_LABEL_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_ADC_HINT = "run `gcloud auth application-default login` (or set GOOGLE_APPLICATION_CREDENTIALS)"


def compute_metric_type(metric: str, metric_prefix: str = DEFAULT_METRIC_PREFIX) -> str:
    """The full metric type: names without a domain get ``metric_prefix``.

    ``pipeline/ingest_completed`` -> ``custom.googleapis.com/pipeline/ingest_completed``;
    ``composer.googleapis.com/workflow/run_count`` is used as it is.
    """
    first = metric.split("/", 1)[0]
    if "." in first:
        return metric
    return metric_prefix.rstrip("/") + "/" + metric.lstrip("/")


def compute_filter(query: SeriesQuery, metric_prefix: str = DEFAULT_METRIC_PREFIX) -> str:
    """The Monitoring filter selecting ``query``'s series.

    ``metric.type = "..." AND metric.labels.K = "v" AND resource.labels.K = "v"``; a query
    label written ``resource.K`` is a resource label. Raises ``ValueError`` for a label key that
    is not a Monitoring label name (it would change the filter's meaning).
    """
    clauses = [f"metric.type = {_quote(compute_metric_type(query.metric, metric_prefix))}"]
    for key, value in query.labels:
        if key.startswith("resource."):
            scope, bare = "resource.labels", key.removeprefix("resource.")
        else:
            scope, bare = "metric.labels", key
        if not _LABEL_KEY.match(bare):
            raise ValueError(f"label {key!r} is not a valid Cloud Monitoring label name")
        clauses.append(f"{scope}.{bare} = {_quote(value)}")
    return " AND ".join(clauses)


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _is_loopback(endpoint: str) -> bool:
    host = endpoint
    if host.startswith("["):  # [::1]:50051
        host = host[1:].split("]", 1)[0]
    elif host.count(":") == 1:  # 127.0.0.1:50051, localhost:50051
        host = host.split(":", 1)[0]
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class CloudMonitoringSource:
    """A ``StateSource`` backed by the real ``MetricServiceClient``.

    Normally authenticates with Application Default Credentials. With ``endpoint`` and
    ``insecure=True`` (loopback hosts only) it talks plaintext gRPC to ``endpoint`` with no
    credentials: for tests and the local Monitoring server. ``timeout`` bounds one ``fetch``,
    retries and every page included. Thread-safe; call ``close()`` when done.
    """

    def __init__(
        self,
        name: str,
        project: str,
        metric_prefix: str = DEFAULT_METRIC_PREFIX,
        timeout: float = 10.0,
        endpoint: str | None = None,
        insecure: bool = False,
    ) -> None:
        if not project:
            raise ValueError(f"state source {name!r}: a Google Cloud project id is required")
        if not timeout > 0 or not math.isfinite(timeout):
            raise ValueError(f"state source {name!r}: timeout must be a positive number")
        if insecure and not endpoint:
            raise ValueError(f"state source {name!r}: insecure=True needs an endpoint")
        if insecure and endpoint and not _is_loopback(endpoint):
            raise ValueError(
                f"state source {name!r}: insecure (plaintext) gRPC is only allowed to a loopback "
                f"endpoint (127.0.0.0/8, ::1, localhost), not {endpoint!r}; drop 'insecure' "
                "to use TLS"
            )
        self.name = name
        self.project = project
        self.metric_prefix = metric_prefix
        self.timeout = float(timeout)
        self.endpoint = endpoint
        self.insecure = insecure
        self._lock = threading.Lock()
        self._client: Any = None

    def __repr__(self) -> str:
        where = f", endpoint={self.endpoint!r}" if self.endpoint else ""
        return f"CloudMonitoringSource({self.name!r}, project={self.project!r}{where})"

    def close(self) -> None:
        """Close the gRPC channel, if one was opened."""
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            client.transport.close()

    def fetch(self, query: SeriesQuery) -> list[Point]:
        try:
            filter_ = compute_filter(query, self.metric_prefix)
        except ValueError as exc:
            raise StateSourceError(f"state source {self.name!r}: {exc}") from exc
        deadline = time.monotonic() + self.timeout
        try:
            points = [
                _to_point(ts, p)
                for page in self._pages(query, filter_, deadline)
                for ts in page.time_series
                for p in ts.points
            ]
        except StateSourceError:
            raise
        except Exception as exc:
            raise self._translate(exc, query) from exc
        selected = [p for p in points if query.start < p.time <= query.end]
        selected.sort(key=lambda p: p.time)
        return selected

    # -- the client ------------------------------------------------------------------------

    def _get_client(self) -> Any:
        with self._lock:
            if self._client is None:
                self._client = self._make_client()
            return self._client

    def _make_client(self) -> Any:
        from google.cloud import monitoring_v3

        if self.endpoint and self.insecure:
            import grpc
            from google.cloud.monitoring_v3.services.metric_service.transports import (
                MetricServiceGrpcTransport,
            )

            channel = grpc.insecure_channel(self.endpoint)
            transport = MetricServiceGrpcTransport(channel=channel)
            return monitoring_v3.MetricServiceClient(transport=transport)
        from google.api_core.client_options import ClientOptions

        options = ClientOptions(api_endpoint=self.endpoint) if self.endpoint else None
        return monitoring_v3.MetricServiceClient(client_options=options)

    def _pages(self, query: SeriesQuery, filter_: str, deadline: float) -> Iterator[Any]:
        """Raw ``ListTimeSeriesResponse`` protobufs, every page, all within ``deadline``."""
        from google.api_core import exceptions as core_exceptions
        from google.api_core.retry import Retry, if_exception_type
        from google.cloud import monitoring_v3

        client = self._get_client()
        request = monitoring_v3.ListTimeSeriesRequest(
            name=f"projects/{self.project}",
            filter=filter_,
            interval=monitoring_v3.TimeInterval(start_time=query.start, end_time=query.end),
            view=monitoring_v3.ListTimeSeriesRequest.TimeSeriesView.FULL,
        )
        for _ in range(MAX_PAGES):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("deadline reached between pages")
            retry = Retry(
                predicate=if_exception_type(core_exceptions.ServiceUnavailable),
                initial=0.1,
                maximum=1.0,
                multiplier=2.0,
                timeout=min(remaining, RETRY_BUDGET_SECONDS),
            )
            pager = client.list_time_series(
                request=request, retry=retry, timeout=_UntilDeadline(deadline)
            )
            # The pager's first page is the response already received; the next page is
            # requested below, with the time left, rather than by the pager.
            response = monitoring_v3.ListTimeSeriesResponse.pb(next(iter(pager.pages)))
            yield response
            if not response.next_page_token:
                return
            request.page_token = response.next_page_token
        raise StateSourceError(
            f"state source {self.name!r}: more than {MAX_PAGES} pages for {query.metric!r}; "
            "narrow the query"
        )

    # -- errors ----------------------------------------------------------------------------

    def _translate(self, exc: Exception, query: SeriesQuery) -> StateSourceError:
        """A ``StateSourceError`` saying what went wrong and what to do about it."""
        from google.api_core import exceptions as core
        from google.auth import exceptions as auth

        if isinstance(exc, core.RetryError) and isinstance(exc.cause, Exception):
            exc = exc.cause
        where = f"state source {self.name!r} (Cloud Monitoring, project {self.project!r})"
        target = self.endpoint or "monitoring.googleapis.com"
        detail = _detail(exc)
        reason: str
        if isinstance(exc, auth.DefaultCredentialsError):
            reason = f"no Google Cloud credentials found: {_ADC_HINT}"
        elif isinstance(exc, auth.RefreshError | core.Unauthenticated):
            reason = f"credentials were rejected or have expired ({detail}): {_ADC_HINT}"
        elif isinstance(exc, core.PermissionDenied):
            reason = (
                f"permission denied ({detail}): grant the account roles/monitoring.viewer on "
                f"project {self.project!r}, and check the project id"
            )
        elif isinstance(exc, core.NotFound):
            reason = (
                f"not found ({detail}): check the project id {self.project!r} and that the "
                "Cloud Monitoring API is enabled for it"
            )
        elif isinstance(exc, core.InvalidArgument):
            reason = (
                f"the query for {query.metric!r} was rejected ({detail}): check the metric "
                "name, its labels and the metric_prefix"
            )
        elif isinstance(exc, core.DeadlineExceeded | TimeoutError):
            reason = (
                f"no answer from {target} within {self.timeout:g}s: Cloud Monitoring is slow or "
                "unreachable; retry, or raise the source's timeout"
            )
        elif isinstance(exc, core.ServiceUnavailable | auth.TransportError):
            reason = f"cannot reach {target} ({detail}): check the network and the endpoint"
        elif isinstance(exc, core.GoogleAPICallError):
            reason = f"the request failed ({type(exc).__name__}: {detail})"
        else:
            reason = f"unexpected error ({type(exc).__name__}: {exc})"
        return StateSourceError(f"{where}: {reason}")


def _detail(exc: Exception) -> str:
    message = getattr(exc, "message", None)
    text = message if isinstance(message, str) and message else str(exc)
    return text.splitlines()[0] if text else type(exc).__name__


class _UntilDeadline:
    """An api_core timeout decorator: each attempt gets exactly the time left to ``deadline``.

    ``google.api_core.timeout.TimeToDeadlineTimeout`` hands an attempt the *whole* timeout
    again once less than a second is left; this one never exceeds the deadline.
    """

    def __init__(self, deadline: float) -> None:
        self._deadline = deadline

    def __call__(self, func: Callable[..., Any]) -> Callable[..., Any]:
        def with_timeout(*args: Any, **kwargs: Any) -> Any:
            kwargs["timeout"] = max(self._deadline - time.monotonic(), 0.001)
            return func(*args, **kwargs)

        return with_timeout


def _to_point(series: Any, point: Any) -> Point:
    """One ``TimeSeries``/``Point`` protobuf pair as a domain ``Point`` (time in UTC)."""
    labels = dict(series.metric.labels)
    for key, text in series.resource.labels.items():
        labels[f"resource.{key}"] = text
    typed = point.value
    kind = typed.WhichOneof("value")
    value: float | None
    if kind == "double_value":
        value = typed.double_value
    elif kind == "int64_value":
        value = float(typed.int64_value)
    elif kind == "bool_value":
        value = 1.0 if typed.bool_value else 0.0
    elif kind == "distribution_value":
        value = typed.distribution_value.mean if typed.distribution_value.count else None
    else:  # string values and empty values are not numbers: a corrupt point
        value = None
    end = point.interval.end_time
    when = datetime.fromtimestamp(end.seconds, tz=UTC).replace(microsecond=end.nanos // 1000)
    return Point(time=when, value=value, labels=labels)
