"""What the evaluators share: building queries, selecting and reducing points, wording.

Every evaluator works in UTC and converts to local time only to find dates and render.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC as _FIXED_UTC
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from oncall.domain.checks.fields import Identified, Reduce, Selector
from oncall.domain.checks.series import CheckResult, CheckStatus, Point, SeriesQuery
from oncall.domain.timeutil import format_duration, format_time, resolve_wall_time

DAY = timedelta(days=1)
UTC = ZoneInfo("UTC")


def query(
    selector: Selector,
    start: datetime,
    end: datetime,
    tz: ZoneInfo,
    *,
    default_source: str | None = None,
) -> SeriesQuery:
    """The span ``(start, end]`` of the series ``selector`` names, with bounds in UTC.

    A SQL selector also carries its source (None: the runbook's) and the zone in which a
    ``time`` column of dates means midnight (the check's zone).
    """
    sql = selector.query
    return SeriesQuery(
        selector.metric or "",
        tuple(sorted(selector.labels.items())),
        start.astimezone(UTC),
        end.astimezone(UTC),
        sql=sql,
        source=selector.source or default_source,
        date_tz=tz.key if sql is not None else None,
    )


def utc_now(now: datetime) -> datetime:
    """``now`` in UTC. Arithmetic on two datetimes sharing a ``ZoneInfo`` is wall-clock
    arithmetic (``02:15 EDT - 24h`` is 23 real hours across a DST change), so every
    evaluator works in UTC and converts to local time only to find dates and render."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(UTC)


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    return resolve_wall_time(day, time(0, 0), tz)


def recent_lookback(fail_after: timedelta) -> timedelta:
    """How far back freshness-like checks look: twice ``fail_after``, at least a week."""
    return max(fail_after * 2, timedelta(days=7))


def zone_of(check_tz: str | None, team_tz: ZoneInfo) -> ZoneInfo:
    return ZoneInfo(check_tz) if check_tz else team_tz


def is_valid(value: float | None) -> bool:
    return value is not None and math.isfinite(value)


def select(data: Mapping[SeriesQuery, Sequence[Point]], query: SeriesQuery) -> list[Point]:
    """The answer to ``query``, re-filtered so a lenient source cannot widen the span.

    Times are converted to UTC so that comparing and subtracting them is exact (a point
    already in UTC, either ``datetime.UTC`` or ``ZoneInfo("UTC")``, is kept as it is).
    """
    labels = query.labels
    # The bounds in datetime.UTC: the same instants, compared with points in datetime.UTC
    # (what most sources write) without asking either zone for its offset.
    start, end = query.start.astimezone(_FIXED_UTC), query.end.astimezone(_FIXED_UTC)
    out = [p for p in data.get(query, ()) if start < p.time <= end]
    if labels:
        matches: dict[int, bool] = {}  # by label object: a series shares one

        def has_labels(point: Point) -> bool:
            found = matches.get(id(point.labels))
            if found is None:
                found = all(point.labels.get(k) == v for k, v in labels)
                matches[id(point.labels)] = found
            return found

        out = [p for p in out if has_labels(p)]
    if all(p.time.tzinfo is _FIXED_UTC or p.time.tzinfo is UTC for p in out):
        return out
    return [p if p.time.tzinfo is UTC or p.time.tzinfo is _FIXED_UTC else _in_utc(p) for p in out]


def _in_utc(point: Point) -> Point:
    return Point(point.time.astimezone(UTC), point.value, point.labels)


@dataclass(frozen=True, slots=True)
class Reduced:
    value: float | None
    points: int
    corrupt: int


def reduce_points(points: Sequence[Point], how: Reduce) -> Reduced:
    isfinite = math.isfinite
    valid = [p for p in points if p.value is not None and isfinite(p.value)]
    corrupt = len(points) - len(valid)
    if how == "count":
        return Reduced(float(len(points)), len(points), corrupt)
    if not valid:
        return Reduced(None, len(points), corrupt)
    if how == "last":
        # The newest point; at one time, the one with the greatest labels (sorted pairs).
        at = max(p.time for p in valid)
        newest = [p for p in valid if p.time == at]
        if len(newest) > 1:  # stable: the first of equal labels stays first
            newest.sort(key=lambda p: sorted(p.labels.items()), reverse=True)
        last = newest[0].value
        assert last is not None
        return Reduced(float(last), len(points), corrupt)
    values = [float(p.value) for p in valid if p.value is not None]
    if how == "sum":
        value = math.fsum(values)
    elif how == "mean":
        value = math.fsum(values) / len(values)
    elif how == "min":
        value = min(values)
    else:
        value = max(values)
    return Reduced(value, len(points), corrupt)


def render_number(value: float) -> str:
    """A number for people: ``1,234,567``, ``12.35``, ``0.0042``."""
    if value == int(value) and abs(value) < 1e15:
        return f"{int(value):,}"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 1:
        return f"{value:,.2f}"
    return f"{value:.3g}"


def render_pct(value: float) -> str:
    return f"{value:+.1f}%" if abs(value) < 1000 else f"{value:+,.0f}%"


def render_series(metric: str, labels: Mapping[str, str]) -> str:
    if not labels:
        return metric
    inner = ",".join(f"{k}={v}" for k, v in sorted(labels.items()))
    return f"{metric}{{{inner}}}"


def render_at(moment: datetime, tz: ZoneInfo) -> str:
    """``2026-11-20 10:31 IST``: the one time format of messages (``format_time``)."""
    return format_time(moment, tz)


def render_corrupt_note(reduced: Reduced) -> str:
    return f" ({reduced.corrupt} null/NaN values ignored)" if reduced.corrupt else ""


def render_no_data(reduced: Reduced, series: str, window: timedelta) -> str:
    if reduced.points:
        return f"only null/NaN values for {series} in the last {format_duration(window)}"
    return f"no data for {series} in the last {format_duration(window)}"


def result(
    check: Identified,
    status: CheckStatus,
    value: float | None,
    bound: str | None,
    detail: str,
) -> CheckResult:
    return CheckResult(check.id, check.kind, status, value, bound, detail)


REDUCE_TEXT = {
    "last": "newest value",
    "sum": "sum",
    "mean": "mean",
    "min": "minimum",
    "max": "maximum",
    "count": "point count",
}
