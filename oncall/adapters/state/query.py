"""Building the SQL-running sources (``sql``, ``bigquery``) from their ``state.yaml`` entries.

No client library is imported here: only the settings are checked and resolved (the URL's
environment variable is read when the source first connects, so ``validate`` works without
the secret).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

from oncall.config.models.query_sources import BigQuerySourceSpec, SqlSourceSpec, compute_bytes
from oncall.domain.checks import Point, SeriesQuery
from oncall.errors import SourceSpecError, StateSourceError

__all__ = ["EnvSqlSource", "build_query_source"]


def build_query_source(name: str, spec: SqlSourceSpec | BigQuerySourceSpec, base_dir: Path) -> Any:
    from oncall.adapters.state import timeout_seconds

    if isinstance(spec, SqlSourceSpec):
        from oncall.adapters.state.sql import SqlStateSource

        timeout = timeout_seconds(name, 30.0 if spec.timeout is None else spec.timeout)
        zone = spec.timezone or "UTC"
        if spec.path is not None:
            path = Path(spec.path).expanduser()
            path = Path(os.path.normpath(path if path.is_absolute() else base_dir / path))
            return SqlStateSource.for_sqlite(name, path, timeout=timeout, timezone=zone)
        assert spec.url_env is not None
        return EnvSqlSource(name, spec.url_env, timeout=timeout, timezone=zone)
    from oncall.adapters.state.bigquery import DEFAULT_MAXIMUM_BYTES_BILLED, BigQuerySource

    limit = DEFAULT_MAXIMUM_BYTES_BILLED
    if spec.maximum_bytes_billed is not None:
        limit = compute_bytes(spec.maximum_bytes_billed)
    try:
        return BigQuerySource(
            name,
            (spec.project or "").strip(),
            location=spec.location,
            maximum_bytes_billed=limit,
            timeout=timeout_seconds(name, 60.0 if spec.timeout is None else spec.timeout),
            timezone=spec.timezone or "UTC",
            endpoint=spec.endpoint,
            insecure=bool(spec.insecure),
        )
    except SourceSpecError:
        raise
    except ValueError as exc:
        raise SourceSpecError(str(exc), key="endpoint" if spec.endpoint else None) from None


class EnvSqlSource:
    """A ``sql`` source whose URL is in an environment variable, read on the first query."""

    def __init__(self, name: str, url_env: str, *, timeout: float, timezone: str) -> None:
        self.name = name
        self.url_env = url_env
        self.timeout = timeout
        self.timezone = timezone
        self._inner: Any = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"EnvSqlSource({self.name!r}, url_env={self.url_env!r})"

    def _source(self) -> Any:
        with self._lock:
            return self._make()

    def _make(self) -> Any:
        if self._inner is None:
            from oncall.adapters.state.sql import SqlStateSource

            url = os.environ.get(self.url_env, "").strip()
            if not url:
                raise StateSourceError(
                    f"state source {self.name!r}: the environment variable {self.url_env} is "
                    "not set: export it with the database's SQLAlchemy URL, like "
                    "mysql+pymysql://user:password@host/db"
                )
            self._inner = SqlStateSource(
                self.name,
                url,
                timeout=self.timeout,
                timezone=self.timezone,
                shown_as=f"${self.url_env}",
            )
        return self._inner

    def fetch(self, query: SeriesQuery) -> list[Point]:
        points: list[Point] = self._source().fetch(query)
        return points

    def probe(self) -> None:
        self._source().probe()

    def close(self) -> None:
        if self._inner is not None:
            self._inner.close()
