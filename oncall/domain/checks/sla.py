"""``sla``: a completion point on today's date before the deadline."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

from oncall.domain.checks.common import DAY, local_midnight, query, result, select, utc_now, zone_of
from oncall.domain.checks.fields import MetricCheckBase, TimezoneName, WallTime
from oncall.domain.checks.series import CheckResult, Point, SeriesQuery
from oncall.domain.timeutil import format_duration, resolve_wall_time


def queries(check: SlaCheck, now: datetime, team_tz: ZoneInfo) -> list[SeriesQuery]:
    """From local midnight yesterday (in the check's zone) to ``now``."""
    now = utc_now(now)
    start = sla_start(now, zone_of(check.timezone, team_tz))
    return [query(check, start, now, zone_of(check.timezone, team_tz))]


class SlaCheck(MetricCheckBase):
    """A completion point on today's date (in ``timezone``) before ``deadline``."""

    kind: Literal["sla"]
    deadline: WallTime
    timezone: TimezoneName | None = None


def sla_start(now: datetime, tz: ZoneInfo) -> datetime:
    today = now.astimezone(tz).date()
    return local_midnight(today - DAY, tz)


def evaluate(
    check: SlaCheck, now: datetime, team_tz: ZoneInfo, data: Mapping[SeriesQuery, Sequence[Point]]
) -> CheckResult:
    tz = zone_of(check.timezone, team_tz)
    (query,) = queries(check, now, team_tz)
    today = now.astimezone(tz).date()
    deadline = resolve_wall_time(today, check.deadline, tz)
    wall = check.deadline.strftime("%H:%M")
    bound = f"by {wall} {deadline.tzname()}"
    finished = [p.time for p in select(data, query) if p.time.astimezone(tz).date() == today]
    first = min(finished, default=None)
    if first is not None:
        at = first.astimezone(tz).strftime("%H:%M")
        if first <= deadline:
            detail = (
                f"finished at {at}, {format_duration(deadline - first)} before the {wall} deadline"
            )
            return result(check, "pass", (first - deadline).total_seconds(), bound, detail)
        late = format_duration(first - deadline)
        return result(
            check,
            "fail",
            (first - deadline).total_seconds(),
            bound,
            f"late by {late}: finished at {at}, deadline {wall}",
        )
    if now <= deadline:
        detail = (
            f"pending: not finished yet today ({today.isoformat()}); "
            f"the {wall} deadline is in {format_duration(deadline - now)}"
        )
        return result(check, "warn", None, bound, detail)
    detail = (
        f"missed: not finished today ({today.isoformat()}), "
        f"{format_duration(now - deadline)} past the {wall} deadline"
    )
    return result(check, "fail", None, bound, detail)
