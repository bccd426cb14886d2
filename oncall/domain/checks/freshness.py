"""``freshness``: the age of the newest matching point."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import model_validator

from oncall.domain.checks.common import (
    query,
    recent_lookback,
    render_at,
    render_series,
    result,
    select,
    utc_now,
)
from oncall.domain.checks.fields import Duration, MetricCheckBase, warn_before_fail
from oncall.domain.checks.series import CheckResult, Point, SeriesQuery
from oncall.domain.timeutil import format_duration


def queries(check: FreshnessCheck, now: datetime, team_tz: ZoneInfo) -> list[SeriesQuery]:
    """The recent span: twice ``fail_after``, at least a week."""
    now = utc_now(now)
    span = recent_lookback(check.fail_after)
    return [query(check, now - span, now, team_tz)]


class FreshnessCheck(MetricCheckBase):
    """Age of the newest matching point: fail past ``fail_after``, warn past ``warn_after``."""

    kind: Literal["freshness"]
    fail_after: Duration
    warn_after: Duration | None = None

    @model_validator(mode="after")
    def _order(self) -> FreshnessCheck:
        warn_before_fail(self.warn_after, self.fail_after)
        return self


def evaluate(
    check: FreshnessCheck, now: datetime, tz: ZoneInfo, data: Mapping[SeriesQuery, Sequence[Point]]
) -> CheckResult:
    (query,) = queries(check, now, tz)
    points = select(data, query)
    bound = f"fail after {format_duration(check.fail_after)}"
    if check.warn_after is not None:
        bound = f"warn after {format_duration(check.warn_after)}, {bound}"
    series = render_series(check.series_name, check.labels)
    if not points:
        span = format_duration(now - query.start)
        return result(check, "fail", None, bound, f"no data for {series} in the last {span}")
    newest = max(p.time for p in points)
    age = now - newest
    seen = f"newest point is {format_duration(age)} old (at {render_at(newest, tz)})"
    if age > check.fail_after:
        detail = f"{seen}, past fail_after {format_duration(check.fail_after)}"
        return result(check, "fail", age.total_seconds(), bound, detail)
    if check.warn_after is not None and age > check.warn_after:
        detail = f"{seen}, past warn_after {format_duration(check.warn_after)}"
        return result(check, "warn", age.total_seconds(), bound, detail)
    return result(check, "pass", age.total_seconds(), bound, seen)
