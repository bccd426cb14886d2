"""What a check reads and what it returns: points, the queries that select them, results."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from oncall.errors import StateSourceError

__all__ = [
    "Answer",
    "CheckResult",
    "CheckStatus",
    "Point",
    "SeriesQuery",
    "make_point",
    "worst_status",
]


@dataclass(frozen=True, slots=True)
class Point:
    """One sample of a series. A value of None or NaN is corrupt."""

    time: datetime
    value: float | None
    labels: Mapping[str, str]


_new_point = object.__new__
_set_time: Callable[[Point, datetime], None] = Point.__dict__["time"].__set__
_set_value: Callable[[Point, float | None], None] = Point.__dict__["value"].__set__
_set_labels: Callable[[Point, Mapping[str, str]], None] = Point.__dict__["labels"].__set__


def make_point(time: datetime, value: float | None, labels: Mapping[str, str]) -> Point:
    """``Point(time, value, labels)``, built by its slots directly: a frozen dataclass's
    ``__init__`` sets each field through ``object.__setattr__``, twice as slow, which counts
    for a source reading a million points."""
    point: Point = _new_point(Point)
    _set_time(point, time)
    _set_value(point, value)
    _set_labels(point, labels)
    return point


@dataclass(frozen=True, slots=True)
class SeriesQuery:
    """Points of ``metric`` whose labels include ``labels``, with ``start < time <= end``.

    A SQL query (``sql`` set, ``metric`` empty) selects the rows of that statement instead;
    ``source`` names the state source that runs it (None: the runbook's), and ``date_tz`` the
    zone in which a ``time`` column of dates means midnight.

    Hashable: identical queries from different checks are fetched once per run. ``origin``
    (runbook, check) only labels the job that runs it, and takes no part in equality.
    """

    metric: str
    labels: tuple[tuple[str, str], ...]
    start: datetime
    end: datetime
    sql: str | None = None
    source: str | None = None
    date_tz: str | None = None
    origin: tuple[str, str] | None = field(default=None, compare=False, hash=False)

    @property
    def what(self) -> str:
        """The series for people: the metric, or ``the query of check X``."""
        if self.sql is None:
            return self.metric
        return f"the query of check {self.origin[1]!r}" if self.origin else "the query"

    def contains(self, point: Point) -> bool:
        """Whether a point of this query's metric lies in the span and has the labels."""
        return self.start < point.time <= self.end and all(
            point.labels.get(k) == v for k, v in self.labels
        )


CheckStatus = Literal["pass", "warn", "fail", "error"]
_RANK: dict[CheckStatus, int] = {"pass": 0, "warn": 1, "error": 2, "fail": 3}


@dataclass(frozen=True, slots=True)
class CheckResult:
    """Outcome of one check: the value seen, the bound it was held to and why."""

    id: str
    kind: str
    status: CheckStatus
    value: float | None
    """A number, always: seconds for ages and durations; the words are in ``detail``."""
    bound: str | None
    detail: str


def worst_status(statuses: Iterable[CheckStatus]) -> CheckStatus:
    """The most severe status (pass < warn < error < fail); ``pass`` when there are none."""
    return max(statuses, key=_RANK.__getitem__, default="pass")


Answer = list[Point] | StateSourceError
"""A state source's answer to one query: its points, or why it could not answer."""
