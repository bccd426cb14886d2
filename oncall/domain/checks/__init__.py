"""Runbook checks: one module per kind, each with its spec model and its pure evaluator.

Points in, ``CheckResult`` out. Nothing here reads the clock or does I/O: ``now`` and the
team's time zone are arguments, and the points come from a state source that answered the
``SeriesQuery`` values returned by ``required_queries``.

Conventions shared by every kind:

* ``labels`` selects the series whose labels include all of those pairs.
* ``window`` is the half-open span ``(now - window, now]``.
* ``reduce`` (last, sum, mean, min, max, count; default last) is taken over all points of all
  selected series. Null and NaN values are ignored by every reducer except ``count``, which
  counts points as they arrived; only ``completeness`` treats them as a failure.
* Daily buckets are local dates in the check's ``timezone`` (default: the team's).

Adding a kind: a module here with its spec model (``kind: Literal[...]``), ``queries`` and
``evaluate``; then a member of the ``Check`` union in ``spec.py``, a name in ``CHECK_KINDS``
and a branch in each dispatcher of ``evaluate.py``.
"""

from __future__ import annotations

from oncall.domain.checks.anomaly import AnomalyCheck, daily_values
from oncall.domain.checks.change import ChangeCheck
from oncall.domain.checks.completeness import CompletenessCheck
from oncall.domain.checks.evaluate import error_result, evaluate_check, required_queries
from oncall.domain.checks.fields import Reduce
from oncall.domain.checks.freshness import FreshnessCheck
from oncall.domain.checks.reconcile import ReconcileCheck, SeriesSpec
from oncall.domain.checks.series import (
    Answer,
    CheckResult,
    CheckStatus,
    Point,
    SeriesQuery,
    worst_status,
)
from oncall.domain.checks.sla import SlaCheck
from oncall.domain.checks.source_up import SourceUpCheck
from oncall.domain.checks.spec import CHECK_KINDS, Check
from oncall.domain.checks.threshold import ThresholdCheck

__all__ = [
    "CHECK_KINDS",
    "AnomalyCheck",
    "Answer",
    "ChangeCheck",
    "Check",
    "CheckResult",
    "CheckStatus",
    "CompletenessCheck",
    "FreshnessCheck",
    "Point",
    "ReconcileCheck",
    "Reduce",
    "SeriesQuery",
    "SeriesSpec",
    "SlaCheck",
    "SourceUpCheck",
    "ThresholdCheck",
    "daily_values",
    "error_result",
    "evaluate_check",
    "required_queries",
    "worst_status",
]
