"""``anomaly``: the robust z-score of the newest day against the days before it."""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from pydantic import Field, model_validator

from oncall.domain.checks.common import (
    DAY,
    REDUCE_TEXT,
    local_midnight,
    query,
    reduce_points,
    render_number,
    render_series,
    result,
    select,
    utc_now,
    zone_of,
)
from oncall.domain.checks.fields import Duration, MetricCheckBase, Reduce, TimezoneName, exact
from oncall.domain.checks.series import CheckResult, Point, SeriesQuery

_MAD_SCALE = 1.4826  # makes the MAD a consistent estimator of the standard deviation
MAX_Z = 1000.0
"""The largest z-score threshold (a z of 1,000 never happens in a real series)."""
MAX_HISTORY = 3650
"""The most days of history ``min_history`` may ask for (the longest duration, 3650d)."""


def queries(check: AnomalyCheck, now: datetime, team_tz: ZoneInfo) -> list[SeriesQuery]:
    """From local midnight ``lookback`` days (and a week of slack) ago to ``now``."""
    now = utc_now(now)
    start = anomaly_start(check, now, zone_of(check.timezone, team_tz))
    return [query(check, start, now, zone_of(check.timezone, team_tz))]


class AnomalyCheck(MetricCheckBase):
    """Robust z-score of the newest day's value against the ``lookback`` days before it."""

    kind: Literal["anomaly"]
    lookback: Duration
    reduce: Reduce = "last"
    timezone: TimezoneName | None = None
    seasonality: Literal["none", "weekly"] = "none"
    z_fail: Annotated[float, Field(gt=0, le=MAX_Z, allow_inf_nan=False)] = 4.0
    z_warn: Annotated[float, Field(gt=0, le=MAX_Z, allow_inf_nan=False)] | None = 3.0
    min_history: Annotated[int, Field(ge=1, le=MAX_HISTORY)] = 7

    @property
    def lookback_days(self) -> int:
        return self.lookback // DAY

    @model_validator(mode="after")
    def _history(self) -> AnomalyCheck:
        if self.lookback % DAY:
            raise ValueError(f"lookback ({exact(self.lookback)}) must be whole days, like 28d")
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


def anomaly_start(check: AnomalyCheck, now: datetime, tz: ZoneInfo) -> datetime:
    # A week of slack finds the newest day with data even when the last few are missing.
    today = now.astimezone(tz).date()
    return local_midnight(today - timedelta(days=check.lookback_days + 7), tz)


def daily_values(points: Iterable[Point], how: Reduce, tz: ZoneInfo) -> dict[date, float]:
    """``how`` of the points on each local date in ``tz`` (dates with only corrupt values drop)."""
    by_day: dict[date, list[Point]] = {}
    for point in points:
        by_day.setdefault(point.time.astimezone(tz).date(), []).append(point)
    out: dict[date, float] = {}
    for day, day_points in sorted(by_day.items()):
        value = reduce_points(day_points, how).value
        if value is not None:
            out[day] = value
    return out


def evaluate(
    check: AnomalyCheck,
    now: datetime,
    team_tz: ZoneInfo,
    data: Mapping[SeriesQuery, Sequence[Point]],
) -> CheckResult:
    tz = zone_of(check.timezone, team_tz)
    (query,) = queries(check, now, team_tz)
    daily = daily_values(select(data, query), check.reduce, tz)
    bound = f"|z| ≤ {check.z_fail:g}"
    if check.z_warn is not None:
        bound = f"warn |z| > {check.z_warn:g}, fail |z| > {check.z_fail:g}"
    series = render_series(check.series_name, check.labels)
    if not daily:
        days = (now.astimezone(tz).date() - query.start.astimezone(tz).date()).days
        return result(check, "fail", None, bound, f"no data for {series} in the last {days} days")
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
    head = f"{newest.isoformat()}: {REDUCE_TEXT[check.reduce]} {render_number(x)}"
    if len(baseline) < check.min_history:
        detail = (
            f"{head}; only {len(baseline)} baseline {which} in the {check.lookback_days} days "
            f"before it (need {check.min_history}), so no anomaly verdict"
        )
        return result(check, "warn", x, bound, detail)
    median = statistics.median(baseline)
    mad = statistics.median(abs(v - median) for v in baseline)
    context = f"the median {render_number(median)} of {len(baseline)} {which}"
    if mad == 0:
        if math.isclose(x, median, rel_tol=1e-9, abs_tol=1e-12):
            return result(check, "pass", x, bound, f"{head} equals {context} (constant baseline)")
        detail = f"{head} differs from {context}, which never varies (MAD 0)"
        return result(check, "fail", x, bound, detail)
    z = (x - median) / (_MAD_SCALE * mad)
    seen = f"{head} is {abs(z):.1f} robust z {'above' if z > 0 else 'below'} {context}"
    if abs(z) > check.z_fail:
        return result(check, "fail", x, bound, f"{seen}: a {'spike' if z > 0 else 'drop'}")
    if check.z_warn is not None and abs(z) > check.z_warn:
        return result(check, "warn", x, bound, f"{seen}: unusual")
    return result(check, "pass", x, bound, seen)
