"""``threshold``: a reduced value over a window, held to bounds."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import model_validator

from oncall.domain.checks.common import (
    REDUCE_TEXT,
    query,
    reduce_points,
    render_corrupt_note,
    render_no_data,
    render_number,
    render_series,
    result,
    select,
    utc_now,
)
from oncall.domain.checks.fields import Duration, MetricCheckBase, Number, Reduce
from oncall.domain.checks.series import CheckResult, Point, SeriesQuery
from oncall.domain.timeutil import format_duration


def queries(check: ThresholdCheck, now: datetime, team_tz: ZoneInfo) -> list[SeriesQuery]:
    """The window ending at ``now``."""
    now = utc_now(now)
    return [query(check, now - check.window, now, team_tz)]


class ThresholdCheck(MetricCheckBase):
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


def _range(low: float | None, high: float | None) -> str:
    """``outside [1, 5]``, ``below 1`` or ``above 5``: when a value breaks the bounds."""
    if low is None:
        return f"above {render_number(high)}" if high is not None else "never"
    if high is None:
        return f"below {render_number(low)}"
    return f"outside [{render_number(low)}, {render_number(high)}]"


def _outside(value: float, low: float | None, high: float | None) -> str | None:
    if low is not None and value < low:
        return f"below {render_number(low)}"
    if high is not None and value > high:
        return f"above {render_number(high)}"
    return None


def evaluate(
    check: ThresholdCheck, now: datetime, tz: ZoneInfo, data: Mapping[SeriesQuery, Sequence[Point]]
) -> CheckResult:
    (query,) = queries(check, now, tz)
    reduced = reduce_points(select(data, query), check.reduce)
    bound = f"fail {_range(check.min, check.max)}"
    if check.warn_min is not None or check.warn_max is not None:
        bound += f", warn {_range(check.warn_min, check.warn_max)}"
    series = render_series(check.series_name, check.labels)
    if reduced.value is None:
        return result(check, "fail", None, bound, render_no_data(reduced, series, check.window))
    value = reduced.value
    seen = (
        f"{REDUCE_TEXT[check.reduce]} of {series} in the last {format_duration(check.window)} "
        f"is {render_number(value)}{render_corrupt_note(reduced)}"
    )
    failed = _outside(value, check.min, check.max)
    if failed:
        return result(check, "fail", value, bound, f"{seen}: {failed}, outside the fail range")
    warned = _outside(value, check.warn_min, check.warn_max)
    if warned:
        return result(check, "warn", value, bound, f"{seen}: {warned}, outside the warn range")
    return result(check, "pass", value, bound, f"{seen}, within bounds")
