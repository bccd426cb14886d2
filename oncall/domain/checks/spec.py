"""Any check: the discriminated union of the eight kinds, picked by the ``kind`` key."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import Discriminator, Tag

from oncall.domain.checks.anomaly import AnomalyCheck
from oncall.domain.checks.change import ChangeCheck
from oncall.domain.checks.completeness import CompletenessCheck
from oncall.domain.checks.freshness import FreshnessCheck
from oncall.domain.checks.reconcile import ReconcileCheck
from oncall.domain.checks.sla import SlaCheck
from oncall.domain.checks.source_up import SourceUpCheck
from oncall.domain.checks.threshold import ThresholdCheck

__all__ = ["CHECK_KINDS", "Check"]

CHECK_KINDS = (
    "freshness",
    "threshold",
    "change",
    "anomaly",
    "completeness",
    "source_up",
    "reconcile",
    "sla",
)
"""Every ``kind`` a check may have, in the order the docs present them."""


def _kind_of(value: Any) -> str | None:
    kind = value.get("kind") if isinstance(value, Mapping) else getattr(value, "kind", None)
    return kind if isinstance(kind, str) else None


Check = Annotated[
    Annotated[FreshnessCheck, Tag("freshness")]
    | Annotated[ThresholdCheck, Tag("threshold")]
    | Annotated[ChangeCheck, Tag("change")]
    | Annotated[AnomalyCheck, Tag("anomaly")]
    | Annotated[CompletenessCheck, Tag("completeness")]
    | Annotated[SourceUpCheck, Tag("source_up")]
    | Annotated[ReconcileCheck, Tag("reconcile")]
    | Annotated[SlaCheck, Tag("sla")],
    Discriminator(
        _kind_of,
        custom_error_type="check_kind",
        custom_error_message=(
            "unknown or missing check kind: set kind to one of " + ", ".join(CHECK_KINDS)
        ),
    ),
]
"""Any check; the ``kind`` key picks the model."""
