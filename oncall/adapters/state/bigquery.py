"""Pipeline state from Google BigQuery queries (the official ``google-cloud-bigquery`` client).

``google.cloud.bigquery`` is imported when the source runs its first query. Every query is
bounded and read-only in effect:

1. a dry run (``jobs.insert`` with ``dryRun``) reports the bytes it would scan; over
   ``maximum_bytes_billed`` the check is ``error`` with the estimate, and nothing is billed;
2. the query runs (``jobs.query``, then ``jobs.getQueryResults`` for each further page) with
   ``maximumBytesBilled``, the labels ``{app: oncall, runbook, check}``, the named parameters
   ``@start`` and ``@end`` (TIMESTAMP) and the source's timeout over all calls.

Credentials are Application Default Credentials; ``endpoint`` with ``insecure: true``
(loopback only) uses anonymous credentials against a local server.
"""

from __future__ import annotations

import math
import re
import threading
import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from oncall.adapters.state.monitoring import _is_loopback
from oncall.adapters.state.rows import rows_to_points
from oncall.domain.checks import Point, SeriesQuery
from oncall.domain.checks.sqltext import compute_parameter_problem
from oncall.errors import StateSourceError

__all__ = ["DEFAULT_MAXIMUM_BYTES_BILLED", "BigQuerySource", "compute_job_labels"]

DEFAULT_MAXIMUM_BYTES_BILLED = 1_000_000_000
"""Without ``maximum_bytes_billed``: 1 GB a query."""
RETRY_BUDGET_SECONDS = 3.0
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
_ADC_HINT = "run `gcloud auth application-default login` (or set GOOGLE_APPLICATION_CREDENTIALS)"
_LABEL = re.compile(r"[^a-z0-9_-]")


def compute_job_labels(query: SeriesQuery) -> dict[str, str]:
    """``{app: oncall, runbook, check}``, as BigQuery label values allow (63 chars, [a-z0-9_-])."""
    labels = {"app": "oncall"}
    if query.origin is not None:
        for key, value in zip(("runbook", "check"), query.origin, strict=True):
            labels[key] = _LABEL.sub("_", value.lower())[:63]
    return labels


class BigQuerySource:
    """A ``StateSource`` answering SQL ``SeriesQuery`` values with BigQuery jobs."""

    def __init__(
        self,
        name: str,
        project: str,
        *,
        location: str | None = None,
        maximum_bytes_billed: int = DEFAULT_MAXIMUM_BYTES_BILLED,
        timeout: float = 60.0,
        timezone: str = "UTC",
        endpoint: str | None = None,
        insecure: bool = False,
    ) -> None:
        if not project:
            raise ValueError(f"state source {name!r}: a Google Cloud project id is required")
        if not timeout > 0 or not math.isfinite(timeout):
            raise ValueError(f"state source {name!r}: timeout must be a positive number")
        if insecure and not endpoint:
            raise ValueError(f"state source {name!r}: insecure=True needs an endpoint")
        if insecure and endpoint:
            host = urlsplit(endpoint).hostname or ""
            if not endpoint.startswith("http://") or not _is_loopback(f"{host}:0"):
                raise ValueError(
                    f"state source {name!r}: insecure (plain HTTP, anonymous) is only allowed "
                    "to a loopback endpoint like http://127.0.0.1:9050, not "
                    f"{endpoint!r}; drop 'insecure' to use TLS and credentials"
                )
        self.name = name
        self.project = project
        self.location = location
        self.maximum_bytes_billed = maximum_bytes_billed
        self.timeout = float(timeout)
        self.zone = ZoneInfo(timezone)
        self.endpoint = endpoint
        self.insecure = insecure
        self._lock = threading.Lock()
        self._client: Any = None

    def __repr__(self) -> str:
        where = f", endpoint={self.endpoint!r}" if self.endpoint else ""
        return f"BigQuerySource({self.name!r}, project={self.project!r}{where})"

    def close(self) -> None:
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            client.close()

    # -- querying --------------------------------------------------------------------------

    def fetch(self, query: SeriesQuery) -> list[Point]:
        if query.sql is None:
            raise StateSourceError(
                f"state source {self.name!r} runs SQL: give the check a 'query', not a 'metric'"
            )
        problem = compute_parameter_problem(query.sql, "@")
        if problem is not None:
            raise StateSourceError(f"state source {self.name!r}: {query.what}: {problem}")
        deadline = time.monotonic() + self.timeout
        try:
            estimate = self._dry_run(query.sql, query, deadline)
            if estimate > self.maximum_bytes_billed:
                raise StateSourceError(
                    f"{self._where()}: {query.what} would scan {estimate:,} bytes, over "
                    f"maximum_bytes_billed ({self.maximum_bytes_billed:,}); nothing was run: "
                    "filter on the table's partition column, or raise the limit"
                )
            columns, rows = self._run(query.sql, query, deadline)
        except StateSourceError:
            raise
        except Exception as exc:
            raise self._translate(exc, query) from exc
        return rows_to_points(self.name, columns, rows, query, self.zone)

    def probe(self) -> int:
        """A dry run of ``SELECT 1`` (doctor): credentials, project and network take part."""
        probe = SeriesQuery("", (), _EPOCH, _EPOCH, sql="SELECT 1", origin=("doctor", "probe"))
        try:
            return self._dry_run("SELECT 1", probe, time.monotonic() + self.timeout)
        except Exception as exc:
            raise self._translate(exc, None) from exc

    def _config(self, query: SeriesQuery, *, dry_run: bool) -> Any:
        from google.cloud import bigquery

        params = [
            bigquery.ScalarQueryParameter("start", "TIMESTAMP", query.start.astimezone(self.zone)),
            bigquery.ScalarQueryParameter("end", "TIMESTAMP", query.end.astimezone(self.zone)),
        ]
        return bigquery.QueryJobConfig(
            dry_run=dry_run,
            use_query_cache=not dry_run,
            query_parameters=params,
            maximum_bytes_billed=self.maximum_bytes_billed,
            labels=compute_job_labels(query),
            use_legacy_sql=False,
        )

    def _retry(self, deadline: float) -> Any:
        from google.cloud.bigquery.retry import DEFAULT_RETRY

        return DEFAULT_RETRY.with_timeout(min(_left(deadline), RETRY_BUDGET_SECONDS))

    def _dry_run(self, sql: str, query: SeriesQuery, deadline: float) -> int:
        client = self._get_client()
        job = client.query(
            sql,
            job_config=self._config(query, dry_run=True),
            location=self.location,
            retry=self._retry(deadline),
            timeout=_left(deadline),
            job_retry=None,
        )
        return int(job.total_bytes_processed or 0)

    def _run(
        self, sql: str, query: SeriesQuery, deadline: float
    ) -> tuple[list[str], list[tuple[Any, ...]]]:
        client = self._get_client()
        iterator = client.query_and_wait(
            sql,
            job_config=self._config(query, dry_run=False),
            location=self.location,
            api_timeout=_left(deadline),
            wait_timeout=_left(deadline),
            retry=self._retry(deadline),
            job_retry=None,
        )
        rows: list[tuple[Any, ...]] = []
        for page in iterator.pages:
            if time.monotonic() > deadline:
                raise TimeoutError("deadline reached between pages")
            rows.extend(tuple(row.values()) for row in page)
        columns = [field.name for field in iterator.schema or ()]
        return columns, rows

    def _get_client(self) -> Any:
        with self._lock:
            if self._client is None:
                self._client = self._make_client()
            return self._client

    def _make_client(self) -> Any:
        from google.cloud import bigquery

        options = {"api_endpoint": self.endpoint} if self.endpoint else None
        if self.insecure:
            from google.auth.credentials import AnonymousCredentials

            return bigquery.Client(
                project=self.project,
                location=self.location,
                credentials=AnonymousCredentials(),  # type: ignore[no-untyped-call]
                client_options=options,
            )
        return bigquery.Client(project=self.project, location=self.location, client_options=options)

    # -- errors ----------------------------------------------------------------------------

    def _where(self) -> str:
        return f"state source {self.name!r} (BigQuery, project {self.project!r})"

    def _translate(self, exc: Exception, query: SeriesQuery | None) -> StateSourceError:
        """A ``StateSourceError`` saying what went wrong and what to do about it."""
        import concurrent.futures

        import requests
        from google.api_core import exceptions as core
        from google.auth import exceptions as auth

        if isinstance(exc, core.RetryError) and isinstance(exc.cause, Exception):
            exc = exc.cause
        target = self.endpoint or "bigquery.googleapis.com"
        what = query.what if query is not None else "the probe"
        reason_code = _reason(exc)
        detail = _detail(exc)
        reason: str
        if isinstance(exc, auth.DefaultCredentialsError):
            reason = f"no Google Cloud credentials found: {_ADC_HINT}"
        elif isinstance(exc, auth.RefreshError | core.Unauthorized):
            reason = f"credentials were rejected or have expired ({detail}): {_ADC_HINT}"
        elif reason_code == "bytesBilledLimitExceeded":
            reason = (
                f"{what} would bill more than maximum_bytes_billed "
                f"({self.maximum_bytes_billed:,} bytes) ({detail}): filter on the table's "
                "partition column, or raise the limit"
            )
        elif isinstance(exc, core.Forbidden):
            reason = (
                f"access denied ({detail}): grant the account roles/bigquery.jobUser on "
                f"project {self.project!r} and roles/bigquery.dataViewer on the datasets read"
            )
        elif isinstance(exc, core.NotFound):
            reason = (
                f"not found ({detail}): check the project id {self.project!r}, the location "
                "and the dataset and table names in the query"
            )
        elif isinstance(exc, core.BadRequest):
            reason = f"{what} was rejected ({detail}): check the SQL"
        elif isinstance(
            exc,
            TimeoutError
            | concurrent.futures.TimeoutError
            | requests.exceptions.Timeout
            | core.DeadlineExceeded,
        ):
            reason = (
                f"no answer from {target} within {self.timeout:g}s: BigQuery is slow or "
                "unreachable; retry, make the query cheaper, or raise the source's timeout"
            )
        elif isinstance(exc, requests.exceptions.ConnectionError | auth.TransportError):
            reason = f"cannot reach {target} ({detail}): check the network and the endpoint"
        elif isinstance(exc, core.GoogleAPICallError):
            reason = f"the request failed ({type(exc).__name__}: {detail})"
        else:
            reason = f"unexpected error ({type(exc).__name__}: {exc})"
        return StateSourceError(f"{self._where()}: {reason}")


def _left(deadline: float) -> float:
    return max(deadline - time.monotonic(), 0.001)


def _reason(exc: Exception) -> str | None:
    errors = getattr(exc, "errors", None)
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        value = errors[0].get("reason")
        return value if isinstance(value, str) else None
    return None


def _detail(exc: Exception) -> str:
    message = getattr(exc, "message", None)
    text = message if isinstance(message, str) and message else str(exc)
    return text.splitlines()[0] if text else type(exc).__name__
