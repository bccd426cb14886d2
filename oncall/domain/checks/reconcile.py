"""``reconcile``: two reduced series agree within a tolerance."""

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
    render_series,
    result,
    select,
    utc_now,
)
from oncall.domain.checks.fields import (
    CheckBase,
    Duration,
    Percent,
    Reduce,
    Selector,
    SourceName,
)
from oncall.domain.checks.series import CheckResult, Point, SeriesQuery


def queries(check: ReconcileCheck, now: datetime, team_tz: ZoneInfo) -> list[SeriesQuery]:
    """Each side's window ending at ``now``."""
    now = utc_now(now)
    return [
        query(side, now - side.window, now, team_tz, default_source=check.source)
        for side in (check.left, check.right)
    ]


class SeriesSpec(Selector):
    """One side of a reconcile check: ``reduce`` of ``metric`` (or ``query``) over ``window``;
    each side may read its own ``source``."""

    reduce: Reduce = "last"
    window: Duration


class ReconcileCheck(CheckBase):
    """``left`` and ``right`` agree within ``tolerance_pct`` of ``right``."""

    kind: Literal["reconcile"]
    source: SourceName | None = None
    """The default source of both sides (default: the runbook's)."""
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


def evaluate(
    check: ReconcileCheck, now: datetime, tz: ZoneInfo, data: Mapping[SeriesQuery, Sequence[Point]]
) -> CheckResult:
    left_q, right_q = queries(check, now, tz)
    left = reduce_points(select(data, left_q), check.left.reduce)
    right = reduce_points(select(data, right_q), check.right.reduce)
    bound = f"differ by ≤ {check.tolerance_pct:g}% of right"
    if check.warn_tolerance_pct is not None:
        bound += f" (warn above {check.warn_tolerance_pct:g}%)"
    names = []
    for side, reduced in (("left", left), ("right", right)):
        spec = check.left if side == "left" else check.right
        shown = spec.series_name
        if spec.query is not None:
            source = spec.source or check.source
            shown = f"the {side} query" + (f" on {source}" if source else "")
        name = render_series(shown, spec.labels)
        names.append(f"{REDUCE_TEXT[spec.reduce]} of {name}")
        if reduced.value is None:
            detail = f"{side}: " + render_no_data(reduced, name, spec.window)
            return result(check, "fail", None, bound, detail)
    assert left.value is not None and right.value is not None
    seen = f"{names[0]} is {render_number(left.value)}, {names[1]} is {render_number(right.value)}"
    if right.value == 0:
        if left.value == 0:
            return result(check, "pass", 0.0, bound, f"{seen}: both zero")
        detail = f"{seen}: right is 0, so any difference is infinitely large"
        return result(check, "fail", None, bound, detail)
    pct = round(abs(left.value - right.value) / abs(right.value) * 100, 6)
    seen += f": differ by {render_number(abs(left.value - right.value))} ({pct:.3g}%)"
    if pct > check.tolerance_pct:
        return result(check, "fail", pct, bound, seen)
    if check.warn_tolerance_pct is not None and pct > check.warn_tolerance_pct:
        return result(check, "warn", pct, bound, seen)
    return result(check, "pass", pct, bound, seen)
