"""Where live pipeline state comes from: the ``StateSource`` protocol, ``fetch_all``, the factory.

A state source answers one question: the points of one metric series in ``(start, end]``.
Two sources exist: JSON Lines files on disk (``state_local``) and Google Cloud Monitoring
(``state_monitoring``). Neither this module nor ``state_local`` imports ``google.cloud`` or
``grpc``: the Monitoring client costs about half a second to import, so it is loaded only when
a Cloud Monitoring source sends its first query.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Protocol

from oncall.domain.checks import Point, SeriesQuery
from oncall.domain.timeutil import parse_duration
from oncall.errors import StateSourceError

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

    if len(unique) == 1:
        return {unique[0]: one(unique[0])}
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


_LOCAL_KEYS = frozenset({"kind", "path"})
_CLOUD_KEYS = frozenset({"kind", "project", "metric_prefix", "timeout", "endpoint", "insecure"})


def build_source(name: str, spec: Mapping[str, object], base_dir: Path) -> StateSource:
    """A state source from one config entry; relative paths are relative to ``base_dir``.

    ``{kind: local, path: ../state}`` or ``{kind: cloud-monitoring, project: my-gcp-project,
    metric_prefix: custom.googleapis.com/, timeout: 10s, endpoint: "127.0.0.1:50051",
    insecure: true}``. Raises ``ValueError`` with a message fit for the user; the config loader
    adds the file and line.
    """
    kind = spec.get("kind")
    if kind == "local":
        _reject_unknown_keys(name, spec, _LOCAL_KEYS)
        raw_path = spec.get("path")
        if not isinstance(raw_path, str | Path) or not str(raw_path).strip():
            raise ValueError(f"state source {name!r}: 'path' is required for kind 'local'")
        from oncall.adapters.state_local import LocalStateSource

        path = Path(raw_path).expanduser()
        return LocalStateSource(path if path.is_absolute() else base_dir / path, name=name)
    if kind == "cloud-monitoring":
        _reject_unknown_keys(name, spec, _CLOUD_KEYS)
        from oncall.adapters.state_monitoring import DEFAULT_METRIC_PREFIX, CloudMonitoringSource

        project = spec.get("project")
        if not isinstance(project, str) or not project.strip():
            raise ValueError(
                f"state source {name!r}: 'project' (the Google Cloud project id) is required "
                "for kind 'cloud-monitoring'"
            )
        prefix = spec.get("metric_prefix", DEFAULT_METRIC_PREFIX)
        if not isinstance(prefix, str):
            raise ValueError(f"state source {name!r}: 'metric_prefix' must be a string")
        endpoint = spec.get("endpoint")
        if endpoint is not None and not isinstance(endpoint, str):
            raise ValueError(f"state source {name!r}: 'endpoint' must be a string like host:port")
        insecure = spec.get("insecure", False)
        if not isinstance(insecure, bool):
            raise ValueError(f"state source {name!r}: 'insecure' must be true or false")
        return CloudMonitoringSource(
            name,
            project.strip(),
            metric_prefix=prefix,
            timeout=_timeout_seconds(name, spec.get("timeout", 10.0)),
            endpoint=endpoint,
            insecure=insecure,
        )
    raise ValueError(
        f"state source {name!r}: unknown kind {kind!r}; use 'local' or 'cloud-monitoring'"
    )


def _reject_unknown_keys(name: str, spec: Mapping[str, object], allowed: frozenset[str]) -> None:
    unknown = sorted(set(spec) - allowed)
    if unknown:
        raise ValueError(
            f"state source {name!r}: unknown key(s) {', '.join(map(repr, unknown))} for kind "
            f"{spec.get('kind')!r}; allowed: {', '.join(sorted(allowed))}"
        )


def _timeout_seconds(name: str, raw: object) -> float:
    if isinstance(raw, bool):
        raise ValueError(f"state source {name!r}: 'timeout' must be a duration like 10s")
    if isinstance(raw, int | float):
        seconds = float(raw)
    elif isinstance(raw, str):
        try:
            seconds = parse_duration(raw).total_seconds()
        except ValueError as exc:
            raise ValueError(f"state source {name!r}: 'timeout': {exc}") from exc
    else:
        raise ValueError(f"state source {name!r}: 'timeout' must be a duration like 10s")
    if seconds <= 0:
        raise ValueError(f"state source {name!r}: 'timeout' must be positive, not {raw!r}")
    return seconds
