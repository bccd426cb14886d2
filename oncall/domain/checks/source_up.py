"""``source_up``: each named source reported within ``fail_after``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from pydantic import Field, field_validator, model_validator

from oncall.domain.checks.common import query, recent_lookback, result, select, utc_now
from oncall.domain.checks.fields import Duration, MetricCheckBase, warn_before_fail
from oncall.domain.checks.series import CheckResult, Point, SeriesQuery
from oncall.domain.timeutil import format_duration


def queries(check: SourceUpCheck, now: datetime, team_tz: ZoneInfo) -> list[SeriesQuery]:
    """The recent span: twice ``fail_after``, at least a week."""
    now = utc_now(now)
    span = recent_lookback(check.fail_after)
    return [query(check, now - span, now, team_tz)]


class SourceUpCheck(MetricCheckBase):
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
        warn_before_fail(self.warn_after, self.fail_after)
        return self


def evaluate(
    check: SourceUpCheck, now: datetime, tz: ZoneInfo, data: Mapping[SeriesQuery, Sequence[Point]]
) -> CheckResult:
    (query,) = queries(check, now, tz)
    newest: dict[str, datetime] = {}
    for point in select(data, query):
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
    value = float(up)
    head = f"{up}/{len(check.sources)} up"
    bound = f"each {check.group_by} seen within {format_duration(check.fail_after)}"
    if offline:
        detail = f"{head}; offline: " + ", ".join(seen(s) for s in offline)
        return result(check, "fail", value, bound, detail)
    late = older_than(check.warn_after) if check.warn_after is not None else []
    if late:
        detail = f"{head}; late: " + ", ".join(seen(s) for s in late)
        return result(check, "warn", value, bound, detail)
    oldest = max(check.sources, key=lambda s: now - newest[s])
    detail = (
        f"{head}: every {check.group_by} of {len(check.sources)} reported within "
        f"{format_duration(check.fail_after)}; the oldest is {seen(oldest)}"
    )
    return result(check, "pass", value, bound, detail)
