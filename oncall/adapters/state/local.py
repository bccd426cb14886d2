"""Pipeline state from JSON Lines files on disk: the demo and offline state source.

Every ``*.jsonl`` file under the directory holds one point a line::

    {"metric": "pipeline/ingest_completed", "labels": {"pipeline": "aggregate-profit"},
     "time": "2026-11-20T02:10:00+05:30", "value": 1}

``value`` may be ``null`` or ``"NaN"`` (a corrupt point). Labels written ``resource.K`` stand for
resource labels, as in the Cloud Monitoring source. The files are read once per instance, on
the first query, and indexed by metric.
"""

from __future__ import annotations

import bisect
import json
import math
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from oncall.domain.checks import Point, SeriesQuery
from oncall.domain.timeutil import check_instant
from oncall.errors import StateDataError, StateSourceError

__all__ = ["MAX_LINE_CHARS", "LocalStateSource", "StateDataError"]

MAX_LINE_CHARS = 65_536
"""The longest line of a state file: a point is a small flat object."""


class _BadJSONError(ValueError):
    """A JSON line that parses but is not a valid point (duplicate key, Infinity)."""


def _unique_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    out: dict[str, object] = {}
    for key, value in pairs:
        if key in out:
            raise _BadJSONError(f"duplicate key {key[:40]!r}: write each key once")
        out[key] = value
    return out


def _no_constant(name: str) -> float:
    if name == "NaN":
        return math.nan
    raise _BadJSONError(f"'value' {name} is not a number: use a finite number, null or \"NaN\"")


@dataclass(frozen=True, slots=True)
class _Series:
    """All points of one metric, sorted by time, with the times alone for bisection."""

    times: list[datetime]
    points: list[Point]


class LocalStateSource:
    """A ``StateSource`` reading every ``*.jsonl`` file under ``path`` (recursively)."""

    def __init__(self, path: Path, name: str = "default") -> None:
        self.name = name
        self.path = path
        self._lock = threading.Lock()
        self._index: dict[str, _Series] | None = None
        self._error: StateSourceError | None = None

    def __repr__(self) -> str:
        return f"LocalStateSource({str(self.path)!r}, name={self.name!r})"

    def fetch(self, query: SeriesQuery) -> list[Point]:
        series = self._load_index().get(query.metric)
        if series is None:
            return []
        lo = bisect.bisect_right(series.times, query.start)
        hi = bisect.bisect_right(series.times, query.end)
        wanted = query.labels
        return [p for p in series.points[lo:hi] if all(p.labels.get(k) == v for k, v in wanted)]

    def _load_index(self) -> dict[str, _Series]:
        with self._lock:
            if self._index is None and self._error is None:
                try:
                    self._index = _load_directory(self.path, self.name)
                except StateSourceError as exc:
                    self._error = exc
            if self._error is not None:
                raise self._error
            assert self._index is not None
            return self._index


def _load_directory(path: Path, name: str) -> dict[str, _Series]:
    if not path.is_dir():
        what = "is not a directory" if path.exists() else "does not exist"
        raise StateSourceError(
            f"state source {name!r}: state directory {path} {what}; "
            "create demo state there with `oncall state demo`, or point the source's "
            "'path' at a directory of *.jsonl files"
        )
    by_metric: dict[str, list[Point]] = {}
    try:
        files = sorted(p for p in path.rglob("*.jsonl") if p.is_file())
    except OSError as exc:
        raise StateSourceError(f"state source {name!r}: cannot list {path}: {exc}") from exc
    for file in files:
        _load_file(file, name, by_metric)
    index: dict[str, _Series] = {}
    for metric, points in by_metric.items():
        points.sort(key=lambda p: p.time)
        index[metric] = _Series(times=[p.time for p in points], points=points)
    return index


def _load_file(file: Path, name: str, into: dict[str, list[Point]]) -> None:
    try:
        with file.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                metric, point = _parse_line(file, number, line)
                into.setdefault(metric, []).append(point)
    except UnicodeDecodeError as exc:
        raise StateDataError(f"{file}: not UTF-8 text ({exc.reason})") from exc
    except OSError as exc:
        raise StateSourceError(f"state source {name!r}: cannot read {file}: {exc}") from exc


def _parse_line(file: Path, number: int, line: str) -> tuple[str, Point]:
    def bad(message: str) -> StateDataError:
        return StateDataError(f"{file}:{number}: {message}")

    if len(line) > MAX_LINE_CHARS:
        raise bad(f"line is {len(line):,} characters long: a point is at most {MAX_LINE_CHARS:,}")
    try:
        record = json.loads(line, object_pairs_hook=_unique_keys, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise bad(f"not valid JSON ({exc.msg} at column {exc.colno})") from exc
    except _BadJSONError as exc:
        raise bad(str(exc)) from None
    except RecursionError:
        raise bad("not valid JSON (nested too deeply): a point is one flat object") from None
    except ValueError as exc:  # e.g. an integer of more than 4,300 digits
        raise bad(f"not valid JSON ({exc})") from None
    if not isinstance(record, dict):
        raise bad("expected a JSON object with metric, labels, time and value")
    unknown = sorted(set(record) - {"metric", "labels", "time", "value"})
    if unknown:
        raise bad(f"unknown key(s) {', '.join(map(repr, unknown))}")

    metric = record.get("metric")
    if not isinstance(metric, str) or not metric:
        raise bad("'metric' must be a non-empty string")

    labels = record.get("labels", {})
    if not isinstance(labels, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in labels.items()
    ):
        raise bad("'labels' must be an object of string keys to string values")

    raw_time = record.get("time")
    if not isinstance(raw_time, str):
        raise bad("'time' must be an ISO 8601 string with a UTC offset")
    try:
        time = datetime.fromisoformat(raw_time.replace("Z", "+00:00"))
    except ValueError as exc:
        raise bad(f"bad time {raw_time!r}: use ISO 8601 like 2026-11-20T02:10:00+05:30") from exc
    if time.tzinfo is None or time.utcoffset() is None:
        raise bad(f"time {raw_time!r} has no UTC offset; write it like 2026-11-20T02:10:00+05:30")
    try:
        check_instant(time)
    except ValueError as exc:
        raise bad(f"time {exc}") from None

    if "value" not in record:
        raise bad("'value' is missing (use null for a corrupt point)")
    raw_value = record["value"]
    value: float | None
    if raw_value is None:
        value = None
    elif isinstance(raw_value, bool | int | float):
        try:
            value = float(raw_value)
        except OverflowError:
            value = math.inf
        if math.isinf(value):
            raise bad(f"'value' {str(raw_value)[:20]}... is too large for a number")
    elif isinstance(raw_value, str) and raw_value.strip().lower() == "nan":
        value = math.nan
    else:
        raise bad(f"'value' must be a number, null or \"NaN\", not {raw_value!r}")
    return metric, Point(time=time, value=value, labels=labels)
