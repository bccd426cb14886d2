"""``change``: a window against the same window one period earlier."""

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
    render_no_data,
    render_number,
    render_pct,
    render_series,
    result,
    select,
    utc_now,
)
from oncall.domain.checks.fields import Duration, MetricCheckBase, Percent, Reduce, exact
from oncall.domain.checks.series import CheckResult, Point, SeriesQuery
from oncall.domain.timeutil import format_duration


def queries(check: ChangeCheck, now: datetime, team_tz: ZoneInfo) -> list[SeriesQuery]:
    """The window ending at ``now``, then the same window one ``period`` earlier."""
    now = utc_now(now)
    before = now - check.period
    return [
        query(check, now - check.window, now, team_tz),
        query(check, before - check.window, before, team_tz),
    ]


class ChangeCheck(MetricCheckBase):
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
                f"period ({exact(self.period)}) is shorter than window "
                f"({exact(self.window)}), so the two windows overlap: "
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


def evaluate(
    check: ChangeCheck, now: datetime, tz: ZoneInfo, data: Mapping[SeriesQuery, Sequence[Point]]
) -> CheckResult:
    current_q, previous_q = queries(check, now, tz)
    current = reduce_points(select(data, current_q), check.reduce)
    previous = reduce_points(select(data, previous_q), check.reduce)
    fail_parts = _change_bound(check.max_change_pct, check.max_increase_pct, check.max_decrease_pct)
    warn_parts = _change_bound(
        check.warn_change_pct, check.warn_increase_pct, check.warn_decrease_pct
    )
    bound = "fail unless " + ", ".join(fail_parts)
    if warn_parts:
        bound += "; warn unless " + ", ".join(warn_parts)
    series = render_series(check.series_name, check.labels)
    window, period = format_duration(check.window), format_duration(check.period)
    if current.value is None:
        return result(check, "fail", None, bound, render_no_data(current, series, check.window))
    now_text = (
        f"{REDUCE_TEXT[check.reduce]} of {series} in the last {window} is "
        f"{render_number(current.value)}"
    )
    if previous.value is None or previous.value == 0:
        prev = "no data" if previous.value is None else "0"
        detail = f"no baseline: {now_text}, but the same window {period} earlier has {prev}"
        return result(check, "warn", None, bound, detail)
    pct = round((current.value - previous.value) / abs(previous.value) * 100, 4)
    seen = f"{now_text} vs {render_number(previous.value)} {period} earlier: {render_pct(pct)}"
    failed = _change_breach(
        pct, check.max_change_pct, check.max_increase_pct, check.max_decrease_pct
    )
    if failed:
        return result(check, "fail", pct, bound, f"{seen}, {failed}")
    warned = _change_breach(
        pct, check.warn_change_pct, check.warn_increase_pct, check.warn_decrease_pct
    )
    if warned:
        return result(check, "warn", pct, bound, f"{seen}, {warned}")
    return result(check, "pass", pct, bound, seen)
