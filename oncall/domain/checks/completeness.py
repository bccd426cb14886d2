"""``completeness``: a point in every interval slot of a window; null and NaN are corrupt."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from pydantic import Field, model_validator

from oncall.domain.checks.common import (
    is_valid,
    query,
    render_at,
    render_series,
    result,
    select,
    utc_now,
)
from oncall.domain.checks.fields import Duration, MetricCheckBase, exact
from oncall.domain.checks.series import CheckResult, Point, SeriesQuery
from oncall.domain.timeutil import format_duration

_MAX_SLOTS = 100_000


def queries(check: CompletenessCheck, now: datetime, team_tz: ZoneInfo) -> list[SeriesQuery]:
    """The window ending at ``now``."""
    now = utc_now(now)
    return [query(check, now - check.window, now, team_tz)]


class CompletenessCheck(MetricCheckBase):
    """A point in every ``interval`` slot of ``window``; null and NaN values are corrupt."""

    kind: Literal["completeness"]
    window: Duration
    interval: Duration
    max_missing: Annotated[int, Field(ge=0, le=_MAX_SLOTS)] = 0
    warn_missing: Annotated[int, Field(ge=0, le=_MAX_SLOTS)] | None = None

    @property
    def slots(self) -> int:
        return self.window // self.interval

    @model_validator(mode="after")
    def _slots(self) -> CompletenessCheck:
        if self.interval > self.window or self.window % self.interval:
            raise ValueError(
                f"window ({exact(self.window)}) must be a whole multiple of interval "
                f"({exact(self.interval)}), like window: 24h with interval: 1h"
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


def _span(start: datetime, end: datetime, tz: ZoneInfo) -> str:
    """``2026-11-21 02:07 IST to 05:07``; the end's date (or zone) too when it differs."""
    first, last = start.astimezone(tz), end.astimezone(tz)
    if first.date() != last.date():
        return f"{render_at(start, tz)} to {render_at(end, tz)}"
    if first.tzname() != last.tzname():  # across a DST change
        return f"{render_at(start, tz)} to {last:%H:%M %Z}"
    return f"{render_at(start, tz)} to {last:%H:%M}"


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


def evaluate(
    check: CompletenessCheck,
    now: datetime,
    tz: ZoneInfo,
    data: Mapping[SeriesQuery, Sequence[Point]],
) -> CheckResult:
    (query,) = queries(check, now, tz)
    points = select(data, query)
    series = render_series(check.series_name, check.labels)
    window, interval = format_duration(check.window), format_duration(check.interval)
    corrupt = [p for p in points if not is_valid(p.value)]
    if corrupt:
        newest = max(p.time for p in corrupt)
        detail = (
            f"{len(corrupt)} corrupt (null/NaN) values for {series} in the last {window}, "
            f"newest at {render_at(newest, tz)}"
        )
        return result(check, "fail", float(len(corrupt)), "no corrupt values", detail)
    step = check.interval // timedelta(microseconds=1)
    filled = {((p.time - query.start) // timedelta(microseconds=1) - 1) // step for p in points}
    empty = [k for k in range(check.slots) if k not in filled]
    bound = f"at most {check.max_missing} empty"
    if check.warn_missing is not None:
        bound = f"warn above {check.warn_missing}, fail above {check.max_missing} empty"
    if not empty:
        detail = f"all {check.slots} {interval} slots of the last {window} have data"
        return result(check, "pass", 0.0, bound, detail)
    seen = (
        f"{len(empty)} of {check.slots} {interval} slots of the last {window} have no "
        f"{series} data (empty: {_gaps(empty, query.start, check.interval, tz)})"
    )
    if len(empty) > check.max_missing:
        return result(check, "fail", float(len(empty)), bound, seen)
    if check.warn_missing is not None and len(empty) > check.warn_missing:
        return result(check, "warn", float(len(empty)), bound, seen)
    return result(check, "pass", float(len(empty)), bound, f"{seen}, allowed")
