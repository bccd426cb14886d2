"""Planning and judging any check: the queries it needs, then its result from the answers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from oncall.domain.checks import (
    anomaly,
    change,
    completeness,
    freshness,
    reconcile,
    sla,
    source_up,
    threshold,
)
from oncall.domain.checks.common import utc_now
from oncall.domain.checks.series import CheckResult, Point, SeriesQuery
from oncall.domain.checks.spec import Check

__all__ = ["error_result", "evaluate_check", "required_queries"]


def error_result(check: Check, detail: str) -> CheckResult:
    """The result of a check that could not be evaluated (its state source failed)."""
    return CheckResult(check.id, check.kind, "error", None, None, detail)


def required_queries(check: Check, *, now: datetime, team_tz: ZoneInfo) -> list[SeriesQuery]:
    """The series spans ``check`` needs at ``now``. Deterministic, so equal ones dedupe.

    Span bounds are in UTC.
    """
    now = utc_now(now)
    if isinstance(check, freshness.FreshnessCheck):
        return freshness.queries(check, now, team_tz)
    if isinstance(check, threshold.ThresholdCheck):
        return threshold.queries(check, now, team_tz)
    if isinstance(check, change.ChangeCheck):
        return change.queries(check, now, team_tz)
    if isinstance(check, anomaly.AnomalyCheck):
        return anomaly.queries(check, now, team_tz)
    if isinstance(check, completeness.CompletenessCheck):
        return completeness.queries(check, now, team_tz)
    if isinstance(check, source_up.SourceUpCheck):
        return source_up.queries(check, now, team_tz)
    if isinstance(check, reconcile.ReconcileCheck):
        return reconcile.queries(check, now, team_tz)
    return sla.queries(check, now, team_tz)


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
    now = utc_now(now)
    if isinstance(check, freshness.FreshnessCheck):
        return freshness.evaluate(check, now, team_tz, data)
    if isinstance(check, threshold.ThresholdCheck):
        return threshold.evaluate(check, now, team_tz, data)
    if isinstance(check, change.ChangeCheck):
        return change.evaluate(check, now, team_tz, data)
    if isinstance(check, anomaly.AnomalyCheck):
        return anomaly.evaluate(check, now, team_tz, data)
    if isinstance(check, completeness.CompletenessCheck):
        return completeness.evaluate(check, now, team_tz, data)
    if isinstance(check, source_up.SourceUpCheck):
        return source_up.evaluate(check, now, team_tz, data)
    if isinstance(check, reconcile.ReconcileCheck):
        return reconcile.evaluate(check, now, team_tz, data)
    return sla.evaluate(check, now, team_tz, data)
