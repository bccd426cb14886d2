"""Where live pipeline state comes from: the ``StateSource`` protocol, ``fetch_all``, the factory.

A state source answers one question: the points of one series in ``(start, end]``. Four
sources exist: JSON Lines files on disk (``local``), Google Cloud Monitoring (``monitoring``),
SQL databases (``sql``: MySQL, PostgreSQL, SQLite) and BigQuery (``bigquery``); ``demo`` writes
demo files for the local one and a SQLite warehouse for a ``sql`` one. Neither this module nor
``local`` imports ``google.cloud``, ``grpc`` or ``sqlalchemy``: each client is loaded only when
its source sends its first query.
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Protocol

from oncall.config.models.state import (
    BigQuerySourceSpec,
    LocalSourceSpec,
    SourceSpec,
    SqlSourceSpec,
)
from oncall.domain.checks import Point, SeriesQuery
from oncall.domain.timeutil import parse_duration
from oncall.errors import SourceSpecError, StateSourceError

__all__ = ["StateSource", "build_source", "fetch_all"]


class StateSource(Protocol):
    """Something that can answer a ``SeriesQuery`` with the points it selects."""

    name: str

    def fetch(self, query: SeriesQuery) -> list[Point]:
        """Points of ``query.metric`` whose labels include ``query.labels``, in ``(start, end]``.

        Raises ``StateSourceError`` (naming the source and the reason) when the source cannot
        answer.
        """
        ...


def fetch_all(
    source: StateSource,
    queries: Iterable[SeriesQuery],
    *,
    max_workers: int = 32,
) -> dict[SeriesQuery, list[Point] | StateSourceError]:
    """Answer every distinct query once, concurrently; never raise for one failing query.

    Identical queries are fetched once. A query whose fetch fails maps to the
    ``StateSourceError`` it raised; any other exception is wrapped in one that names the source
    (the original stays as ``__cause__``).
    """
    if max_workers < 1:
        raise ValueError(f"max_workers must be at least 1, not {max_workers}")
    unique = list(dict.fromkeys(queries))
    if not unique:
        return {}
    expect = getattr(source, "expect", None)
    if callable(expect):
        expect(unique)  # a local source then keeps only the points these queries select

    def one(query: SeriesQuery) -> list[Point] | StateSourceError:
        try:
            return source.fetch(query)
        except StateSourceError as exc:
            return exc
        except Exception as exc:
            wrapped = StateSourceError(
                f"state source {source.name!r}: unexpected error fetching {query.metric!r}: "
                f"{type(exc).__name__}: {exc}"
            )
            wrapped.__cause__ = exc
            return wrapped

    if len(unique) == 1 or getattr(source, "in_memory", False):
        # One query, or a source answering from memory once loaded: threads only add cost.
        return {query: one(query) for query in unique}
    workers = min(max_workers, len(unique))
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="oncall-state")
    try:
        results = list(pool.map(one, unique))
    except BaseException:
        # Ctrl-C: do not wait for queries still in flight (each is bounded by its timeout).
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    return dict(zip(unique, results, strict=True))


def build_source(name: str, spec: SourceSpec, base_dir: Path) -> StateSource:
    """A state source from one validated ``state.yaml`` entry; relative paths are relative to
    ``base_dir``. No connection is made yet.

    Raises ``SourceSpecError`` (a ``ValueError`` naming the setting at fault) for a value the
    model cannot judge alone, like a timeout that is not a duration or a plaintext endpoint
    that is not loopback; the config loader adds the file and line.
    """
    if isinstance(spec, LocalSourceSpec):
        from oncall.adapters.state.local import LocalStateSource

        if spec.path is None:
            raise SourceSpecError(
                f"state source {name!r}: 'path' is required for kind 'local'", key="path"
            )
        path = Path(spec.path).expanduser()
        return LocalStateSource(path if path.is_absolute() else base_dir / path, name=name)
    if isinstance(spec, SqlSourceSpec | BigQuerySourceSpec):
        from oncall.adapters.state.query import build_query_source

        built: StateSource = build_query_source(name, spec, base_dir)
        return built
    from oncall.adapters.state.monitoring import DEFAULT_METRIC_PREFIX, CloudMonitoringSource

    try:
        return CloudMonitoringSource(
            name,
            (spec.project or "").strip(),
            metric_prefix=spec.metric_prefix or DEFAULT_METRIC_PREFIX,
            timeout=timeout_seconds(name, 10.0 if spec.timeout is None else spec.timeout),
            endpoint=spec.endpoint,
            insecure=bool(spec.insecure),
        )
    except SourceSpecError:
        raise
    except ValueError as exc:
        raise SourceSpecError(str(exc), key="endpoint" if spec.endpoint else None) from None


def timeout_seconds(name: str, raw: str | float) -> float:
    """A source's ``timeout`` in seconds; ``SourceSpecError`` at key ``timeout`` if bad."""
    if isinstance(raw, int | float):
        seconds = float(raw)
    else:
        try:
            seconds = parse_duration(raw).total_seconds()
        except ValueError as exc:
            raise SourceSpecError(
                f"state source {name!r}: 'timeout': {exc}", key="timeout"
            ) from exc
    if seconds <= 0:
        raise SourceSpecError(
            f"state source {name!r}: 'timeout' must be positive, not {raw!r}", key="timeout"
        )
    return seconds
