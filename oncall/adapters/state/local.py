"""Pipeline state from JSON Lines files on disk: the demo and offline state source.

Every ``*.jsonl`` file under the directory holds one point a line::

    {"metric": "pipeline/ingest_completed", "labels": {"pipeline": "aggregate-profit"},
     "time": "2026-11-20T02:10:00+05:30", "value": 1}

``value`` may be ``null`` or ``"NaN"`` (a corrupt point). Labels written ``resource.K`` stand for
resource labels, as in the Cloud Monitoring source. The files are read once per instance, on
the first query, and indexed by series (metric and labels).
"""

from __future__ import annotations

import bisect
import json
import math
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from operator import itemgetter
from pathlib import Path

from oncall.adapters.collector import collector_paused
from oncall.adapters.state.localproof import iter_blocks, start_proof
from oncall.adapters.state.localscan import (
    BLOCK_GRAMMAR,
    LABELS_TEXT,
    LINE_SHAPE,
    Templates,
    extraction,
    prove_block,
)
from oncall.domain.checks import Point, SeriesQuery
from oncall.domain.checks.series import make_point
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
    """The points of one series (one metric and label set), sorted by time, with the times
    alone for bisection and each point's place in the files (to merge series in file order)."""

    times: list[datetime]
    points: list[Point]
    order: list[int]


_Index = dict[str, list[_Series]]
"""Metric -> its series (one per distinct label set)."""

_Window = dict[str, tuple[datetime, datetime]]
"""Metric -> the span ``(start, end]`` the expected queries cover: only those points are kept."""

_Into = dict[tuple[str, tuple[tuple[str, str], ...]], list[tuple[datetime, int, Point]]]
"""(metric, labels) -> its points with their place in the files, while reading."""

_MAX_TIMES = 50_000
"""Time texts remembered while reading (most lines share their time with other series)."""

_BLOCK_BYTES = 4 << 20
"""Read and proven this many bytes at a time: memory stays bounded by the kept points."""


class LocalStateSource:
    """A ``StateSource`` reading every ``*.jsonl`` file under ``path`` (recursively).

    ``expect(queries)`` before the first ``fetch`` (``fetch_all`` calls it) lets the source
    keep only the points those queries select. The files are streamed in blocks; a block in
    the shape this project writes is proven well formed by one grammar (``localscan``) and
    only its lines of the expected metrics and dates are extracted; any other line is parsed
    in full. Every malformed line is reported with its file and line, whatever its metric.
    A later query outside the expected span reads the files again, in full.
    """

    in_memory = True
    """Answers come from memory once the files are read: ``fetch_all`` asks in turn."""

    def __init__(self, path: Path, name: str = "default") -> None:
        self.name = name
        self.path = path
        self._lock = threading.Lock()
        self._index: _Index | None = None
        self._window: _Window | None = None
        self._expected: _Window | None = None
        self._error: StateSourceError | None = None
        self._matches: tuple[
            _Index | None, dict[tuple[str, tuple[tuple[str, str], ...]], list[_Series]]
        ] = (
            None,
            {},
        )

    def __repr__(self) -> str:
        return f"LocalStateSource({str(self.path)!r}, name={self.name!r})"

    def expect(self, queries: Iterable[SeriesQuery]) -> None:
        """The queries about to be fetched: widen the span of points to keep (before loading)."""
        with self._lock:
            if self._index is not None:
                return
            spans = dict(self._expected or {})
            for q in queries:
                start, end = spans.get(q.metric, (q.start, q.end))
                spans[q.metric] = (min(start, q.start), max(end, q.end))
            self._expected = spans

    def fetch(self, query: SeriesQuery) -> list[Point]:
        index = self._load_index(query)
        slices = []
        for series in self._matching(index, query):
            lo = bisect.bisect_right(series.times, query.start)
            hi = bisect.bisect_right(series.times, query.end)
            slices.append((series, lo, hi))
        if len(slices) == 1:
            series, lo, hi = slices[0]
            return series.points[lo:hi]
        found = [
            (s.times[i], s.order[i], s.points[i]) for s, lo, hi in slices for i in range(lo, hi)
        ]
        found.sort(key=lambda item: (item[0], item[1]))  # by time, then as in the files
        return [point for _, _, point in found]

    def _matching(self, index: _Index, query: SeriesQuery) -> list[_Series]:
        """The series of ``query``'s metric having its labels (remembered per index)."""
        key = (query.metric, query.labels)
        with self._lock:
            if self._matches[0] is not index:
                self._matches = (index, {})
            found = self._matches[1].get(key)
        if found is None:
            wanted = query.labels
            found = [
                series
                for series in index.get(query.metric, ())
                if all(series.points[0].labels.get(k) == v for k, v in wanted)
            ]
            with self._lock:
                self._matches[1][key] = found
        return found

    def _load_index(self, query: SeriesQuery) -> _Index:
        with self._lock:
            if self._index is not None and not _covers(self._window, query):
                self._index = None  # a query outside the kept span: read everything
                self._expected = None
            if self._index is None and self._error is None:
                window = self._expected if _covers(self._expected, query) else None
                try:
                    self._index = _load_directory(self.path, self.name, window)
                    self._window = window
                except StateSourceError as exc:
                    self._error = exc
            if self._error is not None:
                raise self._error
            assert self._index is not None
            return self._index


def _covers(window: _Window | None, query: SeriesQuery) -> bool:
    if window is None:
        return True
    span = window.get(query.metric)
    return span is not None and span[0] <= query.start and query.end <= span[1]


def _load_directory(path: Path, name: str, window: _Window | None = None) -> _Index:
    if not path.is_dir():
        what = "is not a directory" if path.exists() else "does not exist"
        raise StateSourceError(
            f"state source {name!r}: state directory {path} {what}; "
            "create demo state there with `oncall state demo`, or point the source's "
            "'path' at a directory of *.jsonl files"
        )
    by_series: _Into = {}
    try:
        files = sorted(p for p in path.rglob("*.jsonl") if p.is_file())
    except OSError as exc:
        raise StateSourceError(f"state source {name!r}: cannot list {path}: {exc}") from exc
    reader = _Reader(by_series, window)
    with collector_paused():  # points pile up and hold no cycles
        start = 0
        proof = start_proof(files, _BLOCK_BYTES)
        if proof is not None:  # a child proves every block while this process extracts
            try:
                start = reader.read_trusting(files)
            except BaseException:
                proof.cancel()
                raise
            start = min(start, proof.first_unproven())
            reader.drop_from(start)
        for file in files[start:]:
            try:
                reader.read(file)
            except OSError as exc:
                raise StateSourceError(f"state source {name!r}: cannot read {file}: {exc}") from exc
    index: _Index = {}
    for (metric, _labels), items in by_series.items():
        items.sort(key=itemgetter(0))  # stable: points at one time stay in file order
        index.setdefault(metric, []).append(
            _Series(
                times=[t for t, _, _ in items],
                points=[p for _, _, p in items],
                order=[o for _, o, _ in items],
            )
        )
    return index


_Labels = tuple[dict[str, str], tuple[tuple[str, str], ...]]
"""A label object parsed, and its sorted pairs (the series key)."""

_Found = tuple[tuple[datetime, datetime] | None, dict[str, str], list[tuple[datetime, int, Point]]]
"""What a (metric text, labels text) pair of a proven line leads to: the span kept, the
labels, and the list its points go to."""


class _Reader:
    """Reads state files into series: blocks proven by templates or the grammar
    (``localscan``) in C, any other block line by line, each line not in the shape parsed and
    judged in full."""

    def __init__(self, into: _Into, window: _Window | None) -> None:
        self.into = into
        self.window = window
        self.seq = 0
        self.labels: dict[bytes, _Labels | None] = {}
        self.templates = Templates()
        self.found: dict[tuple[bytes, bytes], _Found] = {}
        self.times: dict[bytes, datetime] = {}
        self.starts: list[int] = []
        self.pattern = extraction(window)

    def read(self, file: Path) -> None:
        for block, first in iter_blocks(file, _BLOCK_BYTES):
            self._block(file, block, first)

    def read_trusting(self, files: list[Path]) -> int:
        """Extract the points of ``files`` as if every block were proven (a child proves
        them meanwhile); the index of the first file that could not be read this way (the
        number of files when all could)."""
        self.starts = []
        for index, file in enumerate(files):
            self.starts.append(self.seq)
            try:
                for block, _ in iter_blocks(file, _BLOCK_BYTES):
                    self._extract(block if block.endswith(b"\n") else block + b"\n")
            except Exception:  # a malformed block, or an unreadable file: read it carefully
                return index
        return len(files)

    def drop_from(self, index: int) -> None:
        """Forget the points ``read_trusting`` took from ``files[index:]``."""
        if index >= len(self.starts):
            return
        cut = self.starts[index]
        for key in list(self.into):
            items = self.into[key]
            del items[bisect.bisect_left(items, cut, key=itemgetter(1)) :]
            if not items:
                del self.into[key]
        self.found.clear()

    def _block(self, file: Path, block: bytes, first: int) -> None:
        proven = block if block.endswith(b"\n") else block + b"\n"
        if prove_block(proven, self.templates) or (
            BLOCK_GRAMMAR.fullmatch(proven) is not None and self._labels_ok(file, proven, first)
        ):
            self._extract(proven)
            return
        pieces = block.split(b"\n")
        for offset, piece in enumerate(pieces[:-1]):
            self._line(file, first + offset, piece + b"\n")
        if pieces[-1]:
            self._line(file, first + len(pieces) - 1, pieces[-1])

    def _label(self, text: bytes) -> _Labels | None:
        """The label object ``text`` (of a line in the shape); None if it repeats a name."""
        if text not in self.labels:
            try:
                labels = json.loads(text, object_pairs_hook=_unique_keys)
                self.labels[text] = (labels, tuple(sorted(labels.items())))
            except _BadJSONError:
                self.labels[text] = None  # a duplicate label name
        return self.labels[text]

    def _labels_ok(self, file: Path, block: bytes, first: int) -> bool:
        bad = [text for text in set(LABELS_TEXT.findall(block)) if self._label(text) is None]
        if not bad:
            return True
        at = min(block.find(b'"labels": ' + text + b", ") for text in bad)
        start = block.rfind(b"\n", 0, at) + 1
        line = block[start : block.find(b"\n", at) + 1]
        _parse_line(file, first + block.count(b"\n", 0, start), line.decode())  # raises
        return False

    def _series(self, metric: bytes, labels_text: bytes) -> _Found:
        name = metric.decode()
        labels = self._label(labels_text)
        if labels is None:  # only in a block read trusting: a repeated label name
            raise ValueError("a label object repeats a name")
        span = None
        if self.window is not None:  # in datetime.UTC: compared with most times as fast as can be
            start, end = self.window[name]
            span = (start.astimezone(UTC), end.astimezone(UTC))
        found = (span, labels[0], self.into.setdefault((name, labels[1]), []))
        self.found[metric, labels_text] = found
        return found

    def _extract(self, block: bytes) -> None:
        """The points of a proven block that the window keeps, each to its series."""
        fromiso, known, times, seq = datetime.fromisoformat, self.found, self.times, self.seq
        if len(times) > _MAX_TIMES:
            times.clear()
        for metric, labels_text, at_text, value_text in self.pattern.findall(block):
            at = times.get(at_text)
            if at is None:
                at = times[at_text] = fromiso(at_text.decode())
            span, labels, items = known.get((metric, labels_text)) or self._series(
                metric, labels_text
            )
            if span is not None and not span[0] < at <= span[1]:
                continue
            try:
                value: float | None = float(value_text)
            except ValueError:  # the grammar proved it: null or "NaN"
                value = None if value_text == b"null" else math.nan
            else:
                if not value and value_text == b"-0":
                    value = 0.0  # JSON reads -0 as the integer 0
            items.append((at, seq, make_point(at, value, labels)))
            seq += 1
        self.seq = seq

    def _line(self, file: Path, number: int, raw: bytes) -> None:
        if LINE_SHAPE.fullmatch(raw.rstrip(b"\n")) is not None:
            text = LABELS_TEXT.search(raw)
            if text is not None and self._label(text.group(1)) is not None:
                self._extract(raw if raw.endswith(b"\n") else raw + b"\n")
                return
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise StateDataError(f"{file}: not UTF-8 text ({exc.reason})") from exc
        if not line.strip():
            return
        metric, point = _parse_line(file, number, line)
        if self.window is not None and not _kept(self.window, metric, point.time):
            return
        key = (metric, tuple(sorted(point.labels.items())))
        self.into.setdefault(key, []).append((point.time, self.seq, point))
        self.seq += 1


def _kept(window: _Window, metric: str, at: datetime) -> bool:
    span = window.get(metric)
    return span is not None and span[0] < at <= span[1]


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
    except ValueError as exc:  # an integer of more than 4,300 digits (Python's limit)
        if "digits" in str(exc):
            raise bad(
                "not valid JSON: a number of more than 4,300 digits; a value is a number "
                'like 1234.5, null or "NaN"'
            ) from None
        raise bad(f"not valid JSON ({str(exc)[:120]})") from None
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
