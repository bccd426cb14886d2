"""Runbook checks: one spec model per kind and one pure evaluator per kind.

Points in, ``CheckResult`` out. Nothing here reads the clock or does I/O: ``now`` and the
team's time zone are arguments, and the points come from a state source that answered the
``SeriesQuery`` values returned by ``required_queries``.

Conventions shared by every kind:

* ``labels`` selects the series whose labels include all of those pairs.
* ``window`` is the half-open span ``(now - window, now]``.
* ``reduce`` (last, sum, mean, min, max, count; default last) is taken over all points of all
  selected series. Null and NaN values are ignored by every reducer except ``count``, which
  counts points as they arrived; only ``completeness`` treats them as a failure.
* Daily buckets are local dates in the check's ``timezone`` (default: the team's).
"""

from __future__ import annotations

import math
import re
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    PlainSerializer,
    PlainValidator,
    Tag,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from oncall.domain.ids import ID_PATTERN
from oncall.domain.timeutil import format_duration, parse_duration, resolve_wall_time

__all__ = [
    "CHECK_KINDS",
    "AnomalyCheck",
    "ChangeCheck",
    "Check",
    "CheckResult",
    "CheckStatus",
    "CompletenessCheck",
    "FreshnessCheck",
    "Point",
    "ReconcileCheck",
    "Reduce",
    "SeriesQuery",
    "SeriesSpec",
    "SlaCheck",
    "SourceUpCheck",
    "ThresholdCheck",
    "daily_values",
    "duration_text",
    "error_result",
    "evaluate_check",
    "required_queries",
    "worst_status",
]

CHECK_KINDS = (
    "freshness",
    "threshold",
    "change",
    "anomaly",
    "completeness",
    "source_up",
    "reconcile",
    "sla",
)
"""Every ``kind`` a check may have, in the order the docs present them."""

_DAY = timedelta(days=1)
_UTC = ZoneInfo("UTC")
_MAX_SLOTS = 100_000
_MAD_SCALE = 1.4826  # makes the MAD a consistent estimator of the standard deviation

# --------------------------------------------------------------------------------------
# Field types: each validator's message says how to fix the value.
# --------------------------------------------------------------------------------------


def _to_duration(value: object) -> timedelta:
    if isinstance(value, timedelta):
        delta = value
    elif isinstance(value, str):
        delta = parse_duration(value)
    else:
        raise ValueError(
            f"a duration is text with a unit, like 90m, 26h or 7d; got {value!r}: add a unit"
        )
    if delta <= timedelta(0):
        raise ValueError("a duration must be longer than zero: use a value like 90m, 26h or 7d")
    return delta


def duration_text(delta: timedelta) -> str:
    """Lossless compact form that ``parse_duration`` reads back: ``1d2h30m``, ``90s``."""
    total = delta.total_seconds()
    if total != int(total):
        return f"{total:g}s"
    rest = int(total)
    out = []
    for name, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        n, rest = divmod(rest, size)
        if n:
            out.append(f"{n}{name}")
    return "".join(out) or "0s"


Duration = Annotated[
    timedelta,
    PlainValidator(_to_duration),
    PlainSerializer(duration_text, return_type=str),
    WithJsonSchema({"type": "string", "examples": ["90m", "26h", "7d"]}),
]
"""A positive duration written as text (``90m``, ``26h``, ``7d``, ``1h30m``)."""

_METRIC = re.compile(r"^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$")


def _check_id(value: str) -> str:
    if not ID_PATTERN.match(value):
        raise ValueError(
            f"id {value!r} must use lowercase letters, digits, '-' and '_' "
            "and start with a letter or digit, like ingest-fresh"
        )
    return value


def _check_metric(value: str) -> str:
    if not _METRIC.match(value):
        raise ValueError(
            f"metric {value!r} must be a name like pipeline/ingest_completed: "
            "letters, digits, '_', '.', '-' and '/' only, no spaces"
        )
    return value


def _check_labels(value: object) -> object:
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValueError(
                    f"label name {key!r} is not text (YAML reads yes/no/on/off/true/false "
                    "and bare numbers as other types): quote it"
                )
            if not key:
                raise ValueError("a label name is empty: write labels as {name: value}")
            if not isinstance(item, str):
                shown = str(item).lower() if isinstance(item, bool) else str(item)
                raise ValueError(
                    f"label {key!r} has the non-text value {item!r}: quote it, "
                    f'like {key}: "{shown}"'
                )
    return value


def _check_timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(
            f"unknown time zone {value!r}: use an IANA name like Asia/Kolkata or Europe/London"
        ) from exc
    return value


def _to_wall_time(value: object) -> time:
    if isinstance(value, time):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        raise ValueError(
            f'YAML read this time as the number {value}: quote it, like deadline: "06:00"'
        )
    if isinstance(value, str):
        match = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*", value)
        if match and int(match[1]) < 24 and int(match[2]) < 60:
            return time(int(match[1]), int(match[2]))
    raise ValueError(f'bad time of day {value!r}: use 24-hour HH:MM in quotes, like "06:00"')


CheckId = Annotated[str, AfterValidator(_check_id)]
Metric = Annotated[str, AfterValidator(_check_metric)]
Labels = Annotated[dict[str, str], BeforeValidator(_check_labels)]
TimezoneName = Annotated[str, AfterValidator(_check_timezone)]
WallTime = Annotated[
    time,
    PlainValidator(_to_wall_time),
    PlainSerializer(lambda t: t.strftime("%H:%M"), return_type=str),
    WithJsonSchema({"type": "string", "pattern": r"^\d{1,2}:\d{2}$", "examples": ["06:00"]}),
]
Number = Annotated[float, Field(allow_inf_nan=False)]
Percent = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Reduce = Literal["last", "sum", "mean", "min", "max", "count"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Check(_Model):
    id: CheckId


class _MetricCheck(_Check):
    metric: Metric
    labels: Labels = Field(default_factory=dict)


def _warn_before_fail(warn: timedelta | None, fail: timedelta) -> None:
    if warn is not None and warn >= fail:
        raise ValueError(
            f"warn_after ({duration_text(warn)}) must be shorter than fail_after "
            f"({duration_text(fail)}): a check warns first, then fails"
        )


# --------------------------------------------------------------------------------------
# Check specs
# --------------------------------------------------------------------------------------


class FreshnessCheck(_MetricCheck):
    """Age of the newest matching point: fail past ``fail_after``, warn past ``warn_after``."""

    kind: Literal["freshness"]
    fail_after: Duration
    warn_after: Duration | None = None

    @model_validator(mode="after")
    def _order(self) -> FreshnessCheck:
        _warn_before_fail(self.warn_after, self.fail_after)
        return self


class ThresholdCheck(_MetricCheck):
    """``reduce`` over ``window``: fail outside [min, max], warn outside [warn_min, warn_max]."""

    kind: Literal["threshold"]
    window: Duration
    reduce: Reduce = "last"
    min: Number | None = None
    max: Number | None = None
    warn_min: Number | None = None
    warn_max: Number | None = None

    @model_validator(mode="after")
    def _bounds(self) -> ThresholdCheck:
        if self.min is None and self.max is None:
            raise ValueError("give min, max or both: the check fails outside [min, max]")
        pairs = [
            ("min", self.min, "max", self.max),
            ("min", self.min, "warn_min", self.warn_min),
            ("warn_max", self.warn_max, "max", self.max),
            ("warn_min", self.warn_min, "warn_max", self.warn_max),
            ("min", self.min, "warn_max", self.warn_max),
            ("warn_min", self.warn_min, "max", self.max),
        ]
        for low_name, low, high_name, high in pairs:
            if low is not None and high is not None and low > high:
                raise ValueError(
                    f"{low_name} ({low:g}) is above {high_name} ({high:g}): the warn range "
                    "[warn_min, warn_max] must lie inside the fail range [min, max]"
                )
        return self


class ChangeCheck(_MetricCheck):
    """``reduce`` over ``window`` against the same window one ``period`` earlier."""

    kind: Literal["change"]
    window: Duration
    period: Duration
    reduce: Reduce = "last"
    max_change_pct: Percent | None = None
    max_increase_pct: Percent | None = None
    max_decrease_pct: Percent | None = None
    warn_change_pct: Percent | None = None
    warn_increase_pct: Percent | None = None
    warn_decrease_pct: Percent | None = None

    @model_validator(mode="after")
    def _limits(self) -> ChangeCheck:
        if (self.max_change_pct, self.max_increase_pct, self.max_decrease_pct) == (
            None,
            None,
            None,
        ):
            raise ValueError(
                "give max_change_pct (either direction) or max_increase_pct / "
                "max_decrease_pct: the check fails when the change is larger"
            )
        if self.period < self.window:
            raise ValueError(
                f"period ({duration_text(self.period)}) is shorter than window "
                f"({duration_text(self.window)}), so the two windows overlap: "
                "use a period of at least the window, like period: 7d"
            )
        for what in ("change", "increase", "decrease"):
            warn = getattr(self, f"warn_{what}_pct")
            fail = getattr(self, f"max_{what}_pct")
            if warn is not None and fail is not None and warn > fail:
                raise ValueError(
                    f"warn_{what}_pct ({warn:g}) is above max_{what}_pct ({fail:g}): "
                    "a check warns first, then fails"
                )
        return self


class AnomalyCheck(_MetricCheck):
    """Robust z-score of the newest day's value against the ``lookback`` days before it."""

    kind: Literal["anomaly"]
    lookback: Duration
    reduce: Reduce = "last"
    timezone: TimezoneName | None = None
    seasonality: Literal["none", "weekly"] = "none"
    z_fail: Annotated[float, Field(gt=0, allow_inf_nan=False)] = 4.0
    z_warn: Annotated[float, Field(gt=0, allow_inf_nan=False)] | None = 3.0
    min_history: Annotated[int, Field(ge=1)] = 7

    @property
    def lookback_days(self) -> int:
        return self.lookback // _DAY

    @model_validator(mode="after")
    def _history(self) -> AnomalyCheck:
        if self.lookback % _DAY:
            raise ValueError(
                f"lookback ({duration_text(self.lookback)}) must be whole days, like 28d"
            )
        if self.z_warn is not None and self.z_warn >= self.z_fail:
            raise ValueError(
                f"z_warn ({self.z_warn:g}) must be below z_fail ({self.z_fail:g}): "
                "a check warns first, then fails"
            )
        days = self.lookback_days
        possible = days // 7 if self.seasonality == "weekly" else days
        if possible < self.min_history:
            what = "same-weekday days" if self.seasonality == "weekly" else "days"
            need = self.min_history * (7 if self.seasonality == "weekly" else 1)
            raise ValueError(
                f"lookback {days}d holds at most {possible} {what}, fewer than "
                f"min_history {self.min_history}: raise lookback to {need}d or lower min_history"
            )
        return self


class CompletenessCheck(_MetricCheck):
    """A point in every ``interval`` slot of ``window``; null and NaN values are corrupt."""

    kind: Literal["completeness"]
    window: Duration
    interval: Duration
    max_missing: Annotated[int, Field(ge=0)] = 0
    warn_missing: Annotated[int, Field(ge=0)] | None = None

    @property
    def slots(self) -> int:
        return self.window // self.interval

    @model_validator(mode="after")
    def _slots(self) -> CompletenessCheck:
        if self.interval > self.window or self.window % self.interval:
            raise ValueError(
                f"window ({duration_text(self.window)}) must be a whole multiple of interval "
                f"({duration_text(self.interval)}), like window: 24h with interval: 1h"
            )
        if self.slots > _MAX_SLOTS:
            raise ValueError(
                f"window / interval is {self.slots} slots, more than {_MAX_SLOTS}: "
                "use a larger interval or a shorter window"
            )
        if self.warn_missing is not None and self.warn_missing >= self.max_missing:
            raise ValueError(
                f"warn_missing ({self.warn_missing}) must be below max_missing "
                f"({self.max_missing}): a check warns first, then fails"
            )
        return self


class SourceUpCheck(_MetricCheck):
    """Each source in ``sources`` reported (label ``group_by``) within ``fail_after``."""

    kind: Literal["source_up"]
    sources: Annotated[list[str], Field(min_length=1)]
    group_by: str = "source"
    fail_after: Duration
    warn_after: Duration | None = None

    @field_validator("sources")
    @classmethod
    def _unique(cls, value: list[str]) -> list[str]:
        seen: set[str] = set()
        for name in value:
            if name in seen:
                raise ValueError(f"source {name!r} is listed twice: list each source once")
            seen.add(name)
        return value

    @model_validator(mode="after")
    def _order(self) -> SourceUpCheck:
        _warn_before_fail(self.warn_after, self.fail_after)
        return self


class SeriesSpec(_Model):
    """One side of a reconcile check: ``reduce`` of ``metric`` over ``window``."""

    metric: Metric
    labels: Labels = Field(default_factory=dict)
    reduce: Reduce = "last"
    window: Duration


class ReconcileCheck(_Check):
    """``left`` and ``right`` agree within ``tolerance_pct`` of ``right``."""

    kind: Literal["reconcile"]
    left: SeriesSpec
    right: SeriesSpec
    tolerance_pct: Percent
    warn_tolerance_pct: Percent | None = None

    @model_validator(mode="after")
    def _order(self) -> ReconcileCheck:
        if self.warn_tolerance_pct is not None and self.warn_tolerance_pct >= self.tolerance_pct:
            raise ValueError(
                f"warn_tolerance_pct ({self.warn_tolerance_pct:g}) must be below tolerance_pct "
                f"({self.tolerance_pct:g}): a check warns first, then fails"
            )
        return self


class SlaCheck(_MetricCheck):
    """A completion point on today's date (in ``timezone``) before ``deadline``."""

    kind: Literal["sla"]
    deadline: WallTime
    timezone: TimezoneName | None = None


def _kind_of(value: Any) -> str | None:
    kind = value.get("kind") if isinstance(value, Mapping) else getattr(value, "kind", None)
    return kind if isinstance(kind, str) else None


Check = Annotated[
    Annotated[FreshnessCheck, Tag("freshness")]
    | Annotated[ThresholdCheck, Tag("threshold")]
    | Annotated[ChangeCheck, Tag("change")]
    | Annotated[AnomalyCheck, Tag("anomaly")]
    | Annotated[CompletenessCheck, Tag("completeness")]
    | Annotated[SourceUpCheck, Tag("source_up")]
    | Annotated[ReconcileCheck, Tag("reconcile")]
    | Annotated[SlaCheck, Tag("sla")],
    Discriminator(
        _kind_of,
        custom_error_type="check_kind",
        custom_error_message=(
            "unknown or missing check kind: set kind to one of " + ", ".join(CHECK_KINDS)
        ),
    ),
]
"""Any check; the ``kind`` key picks the model."""

# --------------------------------------------------------------------------------------
# Data in, results out
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Point:
    """One sample of a series. A value of None or NaN is corrupt."""

    time: datetime
    value: float | None
    labels: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class SeriesQuery:
    """Points of ``metric`` whose labels include ``labels``, with ``start < time <= end``.

    Hashable: identical queries from different checks are fetched once per run.
    """

    metric: str
    labels: tuple[tuple[str, str], ...]
    start: datetime
    end: datetime

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
    value: float | str | None
    bound: str | None
    detail: str


def worst_status(statuses: Iterable[CheckStatus]) -> CheckStatus:
    """The most severe status (pass < warn < error < fail); ``pass`` when there are none."""
    return max(statuses, key=_RANK.__getitem__, default="pass")


def error_result(check: Check, detail: str) -> CheckResult:
    """The result of a check that could not be evaluated (its state source failed)."""
    return CheckResult(check.id, check.kind, "error", None, None, detail)


def _query(metric: str, labels: Mapping[str, str], start: datetime, end: datetime) -> SeriesQuery:
    return SeriesQuery(
        metric, tuple(sorted(labels.items())), start.astimezone(_UTC), end.astimezone(_UTC)
    )


def _utc_now(now: datetime) -> datetime:
    """``now`` in UTC. Arithmetic on two datetimes sharing a ``ZoneInfo`` is wall-clock
    arithmetic (``02:15 EDT - 24h`` is 23 real hours across a DST change), so every
    evaluator works in UTC and converts to local time only to find dates and render."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(_UTC)


def _local_midnight(day: date, tz: ZoneInfo) -> datetime:
    return resolve_wall_time(day, time(0, 0), tz)


def _tz(check_tz: str | None, team_tz: ZoneInfo) -> ZoneInfo:
    return ZoneInfo(check_tz) if check_tz else team_tz


def _recent_lookback(fail_after: timedelta) -> timedelta:
    return max(fail_after * 2, timedelta(days=7))


def _anomaly_start(check: AnomalyCheck, now: datetime, tz: ZoneInfo) -> datetime:
    # A week of slack finds the newest day with data even when the last few are missing.
    today = now.astimezone(tz).date()
    return _local_midnight(today - timedelta(days=check.lookback_days + 7), tz)


def _sla_start(now: datetime, tz: ZoneInfo) -> datetime:
    today = now.astimezone(tz).date()
    return _local_midnight(today - _DAY, tz)


def required_queries(check: Check, *, now: datetime, team_tz: ZoneInfo) -> list[SeriesQuery]:
    """The series spans ``check`` needs at ``now``. Deterministic, so equal ones dedupe.

    Span bounds are in UTC.
    """
    now = _utc_now(now)
    if isinstance(check, FreshnessCheck | SourceUpCheck):
        span = _recent_lookback(check.fail_after)
        return [_query(check.metric, check.labels, now - span, now)]
    if isinstance(check, ThresholdCheck | CompletenessCheck):
        return [_query(check.metric, check.labels, now - check.window, now)]
    if isinstance(check, ChangeCheck):
        before = now - check.period
        return [
            _query(check.metric, check.labels, now - check.window, now),
            _query(check.metric, check.labels, before - check.window, before),
        ]
    if isinstance(check, AnomalyCheck):
        start = _anomaly_start(check, now, _tz(check.timezone, team_tz))
        return [_query(check.metric, check.labels, start, now)]
    if isinstance(check, ReconcileCheck):
        return [
            _query(side.metric, side.labels, now - side.window, now)
            for side in (check.left, check.right)
        ]
    start = _sla_start(now, _tz(check.timezone, team_tz))
    return [_query(check.metric, check.labels, start, now)]


# --------------------------------------------------------------------------------------
# Helpers shared by the evaluators
# --------------------------------------------------------------------------------------


def _valid(value: float | None) -> bool:
    return value is not None and math.isfinite(value)


def _select(data: Mapping[SeriesQuery, Sequence[Point]], query: SeriesQuery) -> list[Point]:
    """The answer to ``query``, re-filtered so a lenient source cannot widen the span.

    Times are converted to UTC so that comparing and subtracting them is exact.
    """
    return [
        Point(p.time.astimezone(_UTC), p.value, p.labels)
        for p in data.get(query, ())
        if query.contains(p)
    ]


@dataclass(frozen=True, slots=True)
class _Reduced:
    value: float | None
    points: int
    corrupt: int


def _reduce(points: Sequence[Point], how: Reduce) -> _Reduced:
    valid = [p for p in points if _valid(p.value)]
    corrupt = len(points) - len(valid)
    if how == "count":
        return _Reduced(float(len(points)), len(points), corrupt)
    values = [float(p.value) for p in valid if p.value is not None]
    if not values:
        return _Reduced(None, len(points), corrupt)
    if how == "last":
        newest = max(valid, key=lambda p: (p.time, sorted(p.labels.items())))
        value = float(newest.value) if newest.value is not None else math.nan
    elif how == "sum":
        value = math.fsum(values)
    elif how == "mean":
        value = math.fsum(values) / len(values)
    elif how == "min":
        value = min(values)
    else:
        value = max(values)
    return _Reduced(value, len(points), corrupt)


def _num(value: float) -> str:
    """A number for people: ``1,234,567``, ``12.35``, ``0.0042``."""
    if value == int(value) and abs(value) < 1e15:
        return f"{int(value):,}"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 1:
        return f"{value:,.2f}"
    return f"{value:.3g}"


def _pct(value: float) -> str:
    return f"{value:+.1f}%" if abs(value) < 1000 else f"{value:+,.0f}%"


def _series(metric: str, labels: Mapping[str, str]) -> str:
    if not labels:
        return metric
    inner = ",".join(f"{k}={v}" for k, v in sorted(labels.items()))
    return f"{metric}{{{inner}}}"


def _at(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M %Z")


def _corrupt_note(reduced: _Reduced) -> str:
    return f" ({reduced.corrupt} null/NaN values ignored)" if reduced.corrupt else ""


def _no_data(reduced: _Reduced, series: str, window: timedelta) -> str:
    if reduced.points:
        return f"only null/NaN values for {series} in the last {format_duration(window)}"
    return f"no data for {series} in the last {format_duration(window)}"


def _result(
    check: Check, status: CheckStatus, value: float | str | None, bound: str | None, detail: str
) -> CheckResult:
    return CheckResult(check.id, check.kind, status, value, bound, detail)


# --------------------------------------------------------------------------------------
# Evaluators, one per kind
# --------------------------------------------------------------------------------------


def _eval_freshness(
    check: FreshnessCheck, now: datetime, tz: ZoneInfo, data: Mapping[SeriesQuery, Sequence[Point]]
) -> CheckResult:
    (query,) = required_queries(check, now=now, team_tz=tz)
    points = _select(data, query)
    bound = f"fail after {format_duration(check.fail_after)}"
    if check.warn_after is not None:
        bound = f"warn after {format_duration(check.warn_after)}, {bound}"
    series = _series(check.metric, check.labels)
    if not points:
        span = format_duration(now - query.start)
        return _result(check, "fail", None, bound, f"no data for {series} in the last {span}")
    newest = max(p.time for p in points)
    age = now - newest
    seen = f"newest point is {format_duration(age)} old (at {_at(newest, tz)})"
    if age > check.fail_after:
        detail = f"{seen}, past fail_after {format_duration(check.fail_after)}"
        return _result(check, "fail", format_duration(age), bound, detail)
    if check.warn_after is not None and age > check.warn_after:
        detail = f"{seen}, past warn_after {format_duration(check.warn_after)}"
        return _result(check, "warn", format_duration(age), bound, detail)
    return _result(check, "pass", format_duration(age), bound, seen)


def _range(low: float | None, high: float | None) -> str:
    """``outside [1, 5]``, ``below 1`` or ``above 5``: when a value breaks the bounds."""
    if low is None:
        return f"above {_num(high)}" if high is not None else "never"
    if high is None:
        return f"below {_num(low)}"
    return f"outside [{_num(low)}, {_num(high)}]"


_REDUCE_TEXT = {
    "last": "newest value",
    "sum": "sum",
    "mean": "mean",
    "min": "minimum",
    "max": "maximum",
    "count": "point count",
}


def _outside(value: float, low: float | None, high: float | None) -> str | None:
    if low is not None and value < low:
        return f"below {_num(low)}"
    if high is not None and value > high:
        return f"above {_num(high)}"
    return None


def _eval_threshold(
    check: ThresholdCheck, now: datetime, tz: ZoneInfo, data: Mapping[SeriesQuery, Sequence[Point]]
) -> CheckResult:
    (query,) = required_queries(check, now=now, team_tz=tz)
    reduced = _reduce(_select(data, query), check.reduce)
    bound = f"fail {_range(check.min, check.max)}"
    if check.warn_min is not None or check.warn_max is not None:
        bound += f", warn {_range(check.warn_min, check.warn_max)}"
    series = _series(check.metric, check.labels)
    if reduced.value is None:
        return _result(check, "fail", None, bound, _no_data(reduced, series, check.window))
    value = reduced.value
    seen = (
        f"{_REDUCE_TEXT[check.reduce]} of {series} in the last {format_duration(check.window)} "
        f"is {_num(value)}{_corrupt_note(reduced)}"
    )
    failed = _outside(value, check.min, check.max)
    if failed:
        return _result(check, "fail", value, bound, f"{seen}: {failed}, outside the fail range")
    warned = _outside(value, check.warn_min, check.warn_max)
    if warned:
        return _result(check, "warn", value, bound, f"{seen}: {warned}, outside the warn range")
    return _result(check, "pass", value, bound, f"{seen}, within bounds")


def _change_bound(
    either: float | None, increase: float | None, decrease: float | None
) -> list[str]:
    parts = []
    if either is not None:
        parts.append(f"|change| ≤ {either:g}%")
    if increase is not None:
        parts.append(f"increase ≤ {increase:g}%")
    if decrease is not None:
        parts.append(f"decrease ≤ {decrease:g}%")
    return parts


def _change_breach(
    pct: float, either: float | None, increase: float | None, decrease: float | None
) -> str | None:
    if either is not None and abs(pct) > either:
        return f"beyond ±{either:g}%"
    if increase is not None and pct > increase:
        return f"an increase beyond {increase:g}%"
    if decrease is not None and -pct > decrease:
        return f"a decrease beyond {decrease:g}%"
    return None


def _eval_change(
    check: ChangeCheck, now: datetime, tz: ZoneInfo, data: Mapping[SeriesQuery, Sequence[Point]]
) -> CheckResult:
    current_q, previous_q = required_queries(check, now=now, team_tz=tz)
    current = _reduce(_select(data, current_q), check.reduce)
    previous = _reduce(_select(data, previous_q), check.reduce)
    fail_parts = _change_bound(check.max_change_pct, check.max_increase_pct, check.max_decrease_pct)
    warn_parts = _change_bound(
        check.warn_change_pct, check.warn_increase_pct, check.warn_decrease_pct
    )
    bound = "fail unless " + ", ".join(fail_parts)
    if warn_parts:
        bound += "; warn unless " + ", ".join(warn_parts)
    series = _series(check.metric, check.labels)
    window, period = format_duration(check.window), format_duration(check.period)
    if current.value is None:
        return _result(check, "fail", None, bound, _no_data(current, series, check.window))
    now_text = (
        f"{_REDUCE_TEXT[check.reduce]} of {series} in the last {window} is {_num(current.value)}"
    )
    if previous.value is None or previous.value == 0:
        prev = "no data" if previous.value is None else "0"
        detail = f"no baseline: {now_text}, but the same window {period} earlier has {prev}"
        return _result(check, "warn", None, bound, detail)
    pct = round((current.value - previous.value) / abs(previous.value) * 100, 4)
    seen = f"{now_text} vs {_num(previous.value)} {period} earlier: {_pct(pct)}"
    failed = _change_breach(
        pct, check.max_change_pct, check.max_increase_pct, check.max_decrease_pct
    )
    if failed:
        return _result(check, "fail", pct, bound, f"{seen}, {failed}")
    warned = _change_breach(
        pct, check.warn_change_pct, check.warn_increase_pct, check.warn_decrease_pct
    )
    if warned:
        return _result(check, "warn", pct, bound, f"{seen}, {warned}")
    return _result(check, "pass", pct, bound, seen)


def daily_values(points: Iterable[Point], how: Reduce, tz: ZoneInfo) -> dict[date, float]:
    """``how`` of the points on each local date in ``tz`` (dates with only corrupt values drop)."""
    by_day: dict[date, list[Point]] = {}
    for point in points:
        by_day.setdefault(point.time.astimezone(tz).date(), []).append(point)
    out: dict[date, float] = {}
    for day, day_points in sorted(by_day.items()):
        value = _reduce(day_points, how).value
        if value is not None:
            out[day] = value
    return out


def _eval_anomaly(
    check: AnomalyCheck,
    now: datetime,
    team_tz: ZoneInfo,
    data: Mapping[SeriesQuery, Sequence[Point]],
) -> CheckResult:
    tz = _tz(check.timezone, team_tz)
    (query,) = required_queries(check, now=now, team_tz=team_tz)
    daily = daily_values(_select(data, query), check.reduce, tz)
    bound = f"|z| ≤ {check.z_fail:g}"
    if check.z_warn is not None:
        bound = f"warn |z| > {check.z_warn:g}, fail |z| > {check.z_fail:g}"
    series = _series(check.metric, check.labels)
    if not daily:
        days = (now.astimezone(tz).date() - query.start.astimezone(tz).date()).days
        return _result(check, "fail", None, bound, f"no data for {series} in the last {days} days")
    newest = max(daily)
    x = daily[newest]
    first = newest - timedelta(days=check.lookback_days)
    weekly = check.seasonality == "weekly"
    baseline = [
        v
        for day, v in daily.items()
        if first <= day < newest and (not weekly or (newest - day).days % 7 == 0)
    ]
    which = f"{newest.strftime('%a')}s" if weekly else "days"
    head = f"{newest.isoformat()}: {_REDUCE_TEXT[check.reduce]} {_num(x)}"
    if len(baseline) < check.min_history:
        detail = (
            f"{head}; only {len(baseline)} baseline {which} in the {check.lookback_days} days "
            f"before it (need {check.min_history}), so no anomaly verdict"
        )
        return _result(check, "warn", x, bound, detail)
    median = statistics.median(baseline)
    mad = statistics.median(abs(v - median) for v in baseline)
    context = f"the median {_num(median)} of {len(baseline)} {which}"
    if mad == 0:
        if math.isclose(x, median, rel_tol=1e-9, abs_tol=1e-12):
            return _result(check, "pass", x, bound, f"{head} equals {context} (constant baseline)")
        detail = f"{head} differs from {context}, which never varies (MAD 0)"
        return _result(check, "fail", x, bound, detail)
    z = (x - median) / (_MAD_SCALE * mad)
    seen = f"{head} is {abs(z):.1f} robust z {'above' if z > 0 else 'below'} {context}"
    if abs(z) > check.z_fail:
        return _result(check, "fail", x, bound, f"{seen}: a {'spike' if z > 0 else 'drop'}")
    if check.z_warn is not None and abs(z) > check.z_warn:
        return _result(check, "warn", x, bound, f"{seen}: unusual")
    return _result(check, "pass", x, bound, seen)


def _span(start: datetime, end: datetime, tz: ZoneInfo) -> str:
    """``2026-11-21 02:07 IST to 05:07``; the end's date (or zone) too when it differs."""
    first, last = start.astimezone(tz), end.astimezone(tz)
    if first.date() != last.date():
        return f"{_at(start, tz)} to {_at(end, tz)}"
    if first.tzname() != last.tzname():  # across a DST change
        return f"{_at(start, tz)} to {last:%H:%M %Z}"
    return f"{_at(start, tz)} to {last:%H:%M}"


def _gaps(empty: list[int], start: datetime, interval: timedelta, tz: ZoneInfo) -> str:
    """``02:07-05:07, 11:07-12:07`` for the newest runs of empty slots (at most three)."""
    runs: list[tuple[int, int]] = []
    for index in empty:
        if runs and runs[-1][1] == index - 1:
            runs[-1] = (runs[-1][0], index)
        else:
            runs.append((index, index))
    shown = runs[-3:]
    texts = [_span(start + interval * a, start + interval * (b + 1), tz) for a, b in shown]
    more = f" and {len(runs) - len(shown)} earlier gaps" if len(runs) > len(shown) else ""
    return "; ".join(texts) + more


def _eval_completeness(
    check: CompletenessCheck,
    now: datetime,
    tz: ZoneInfo,
    data: Mapping[SeriesQuery, Sequence[Point]],
) -> CheckResult:
    (query,) = required_queries(check, now=now, team_tz=tz)
    points = _select(data, query)
    series = _series(check.metric, check.labels)
    window, interval = format_duration(check.window), format_duration(check.interval)
    corrupt = [p for p in points if not _valid(p.value)]
    if corrupt:
        newest = max(p.time for p in corrupt)
        detail = (
            f"{len(corrupt)} corrupt (null/NaN) values for {series} in the last {window}, "
            f"newest at {_at(newest, tz)}"
        )
        return _result(check, "fail", float(len(corrupt)), "no corrupt values", detail)
    step = check.interval // timedelta(microseconds=1)
    filled = {((p.time - query.start) // timedelta(microseconds=1) - 1) // step for p in points}
    empty = [k for k in range(check.slots) if k not in filled]
    bound = f"at most {check.max_missing} empty"
    if check.warn_missing is not None:
        bound = f"warn above {check.warn_missing}, fail above {check.max_missing} empty"
    if not empty:
        detail = f"all {check.slots} {interval} slots of the last {window} have data"
        return _result(check, "pass", 0.0, bound, detail)
    seen = (
        f"{len(empty)} of {check.slots} {interval} slots of the last {window} have no "
        f"{series} data (empty: {_gaps(empty, query.start, check.interval, tz)})"
    )
    if len(empty) > check.max_missing:
        return _result(check, "fail", float(len(empty)), bound, seen)
    if check.warn_missing is not None and len(empty) > check.warn_missing:
        return _result(check, "warn", float(len(empty)), bound, seen)
    return _result(check, "pass", float(len(empty)), bound, f"{seen}, allowed")


def _eval_source_up(
    check: SourceUpCheck, now: datetime, tz: ZoneInfo, data: Mapping[SeriesQuery, Sequence[Point]]
) -> CheckResult:
    (query,) = required_queries(check, now=now, team_tz=tz)
    newest: dict[str, datetime] = {}
    for point in _select(data, query):
        name = point.labels.get(check.group_by)
        if name is not None and (name not in newest or point.time > newest[name]):
            newest[name] = point.time

    def seen(name: str) -> str:
        if name not in newest:
            return f"{name} (no data in {format_duration(now - query.start)})"
        return f"{name} (last seen {format_duration(now - newest[name])} ago)"

    def older_than(limit: timedelta) -> list[str]:
        return [s for s in check.sources if s not in newest or now - newest[s] > limit]

    offline = older_than(check.fail_after)
    up = len(check.sources) - len(offline)
    value = f"{up}/{len(check.sources)} up"
    bound = f"each {check.group_by} seen within {format_duration(check.fail_after)}"
    if offline:
        detail = "offline: " + ", ".join(seen(s) for s in offline)
        return _result(check, "fail", value, bound, detail)
    late = older_than(check.warn_after) if check.warn_after is not None else []
    if late:
        detail = "late: " + ", ".join(seen(s) for s in late)
        return _result(check, "warn", value, bound, detail)
    oldest = max(check.sources, key=lambda s: now - newest[s])
    detail = (
        f"every {check.group_by} of {len(check.sources)} reported within "
        f"{format_duration(check.fail_after)}; the oldest is {seen(oldest)}"
    )
    return _result(check, "pass", value, bound, detail)


def _eval_reconcile(
    check: ReconcileCheck, now: datetime, tz: ZoneInfo, data: Mapping[SeriesQuery, Sequence[Point]]
) -> CheckResult:
    left_q, right_q = required_queries(check, now=now, team_tz=tz)
    left = _reduce(_select(data, left_q), check.left.reduce)
    right = _reduce(_select(data, right_q), check.right.reduce)
    bound = f"differ by ≤ {check.tolerance_pct:g}% of right"
    if check.warn_tolerance_pct is not None:
        bound += f" (warn above {check.warn_tolerance_pct:g}%)"
    names = []
    for side, reduced in (("left", left), ("right", right)):
        spec = check.left if side == "left" else check.right
        names.append(f"{_REDUCE_TEXT[spec.reduce]} of {_series(spec.metric, spec.labels)}")
        if reduced.value is None:
            detail = f"{side}: " + _no_data(reduced, _series(spec.metric, spec.labels), spec.window)
            return _result(check, "fail", None, bound, detail)
    assert left.value is not None and right.value is not None
    seen = f"{names[0]} is {_num(left.value)}, {names[1]} is {_num(right.value)}"
    if right.value == 0:
        if left.value == 0:
            return _result(check, "pass", 0.0, bound, f"{seen}: both zero")
        detail = f"{seen}: right is 0, so any difference is infinitely large"
        return _result(check, "fail", None, bound, detail)
    pct = round(abs(left.value - right.value) / abs(right.value) * 100, 6)
    seen += f": differ by {_num(abs(left.value - right.value))} ({pct:.3g}%)"
    if pct > check.tolerance_pct:
        return _result(check, "fail", pct, bound, seen)
    if check.warn_tolerance_pct is not None and pct > check.warn_tolerance_pct:
        return _result(check, "warn", pct, bound, seen)
    return _result(check, "pass", pct, bound, seen)


def _eval_sla(
    check: SlaCheck, now: datetime, team_tz: ZoneInfo, data: Mapping[SeriesQuery, Sequence[Point]]
) -> CheckResult:
    tz = _tz(check.timezone, team_tz)
    (query,) = required_queries(check, now=now, team_tz=team_tz)
    today = now.astimezone(tz).date()
    deadline = resolve_wall_time(today, check.deadline, tz)
    wall = check.deadline.strftime("%H:%M")
    bound = f"by {wall} {deadline.tzname()}"
    finished = [p.time for p in _select(data, query) if p.time.astimezone(tz).date() == today]
    first = min(finished, default=None)
    if first is not None:
        at = first.astimezone(tz).strftime("%H:%M")
        if first <= deadline:
            detail = (
                f"finished at {at}, {format_duration(deadline - first)} before the {wall} deadline"
            )
            return _result(check, "pass", at, bound, detail)
        late = format_duration(first - deadline)
        return _result(
            check, "fail", at, bound, f"late by {late}: finished at {at}, deadline {wall}"
        )
    if now <= deadline:
        detail = (
            f"pending: not finished yet today ({today.isoformat()}); "
            f"the {wall} deadline is in {format_duration(deadline - now)}"
        )
        return _result(check, "warn", None, bound, detail)
    detail = (
        f"missed: not finished today ({today.isoformat()}), "
        f"{format_duration(now - deadline)} past the {wall} deadline"
    )
    return _result(check, "fail", None, bound, detail)


def evaluate_check(
    check: Check,
    *,
    now: datetime,
    team_tz: ZoneInfo,
    data: Mapping[SeriesQuery, Sequence[Point]],
) -> CheckResult:
    """Evaluate ``check`` at ``now`` on the answers to its ``required_queries``.

    A query missing from ``data`` counts as one that found no points.
    """
    now = _utc_now(now)
    if isinstance(check, FreshnessCheck):
        return _eval_freshness(check, now, team_tz, data)
    if isinstance(check, ThresholdCheck):
        return _eval_threshold(check, now, team_tz, data)
    if isinstance(check, ChangeCheck):
        return _eval_change(check, now, team_tz, data)
    if isinstance(check, AnomalyCheck):
        return _eval_anomaly(check, now, team_tz, data)
    if isinstance(check, CompletenessCheck):
        return _eval_completeness(check, now, team_tz, data)
    if isinstance(check, SourceUpCheck):
        return _eval_source_up(check, now, team_tz, data)
    if isinstance(check, ReconcileCheck):
        return _eval_reconcile(check, now, team_tz, data)
    return _eval_sla(check, now, team_tz, data)
