"""Telling a pipeline's owners how its runbook went, through the paging service."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from oncall.config.locate import PAGING_FILE

if TYPE_CHECKING:
    from oncall.config import Config
    from oncall.reports.paging import NotifyResult

__all__ = ["NOT_CONFIGURED", "NotifyOutcome", "PageStatus", "notify_owners"]

NOT_CONFIGURED = "recorded: paging not configured (config/paging.yaml)"
"""The detail of a notify step when paging is not set up: the step passes."""

PageStatus = Literal["passed", "failed", "error"]


@dataclass(frozen=True)
class NotifyOutcome:
    """What notifying the owners did: ``sent`` False means paging is not configured."""

    sent: bool
    detail: str
    result: NotifyResult | None = None


def notify_owners(
    cfg: Config,
    *,
    pipeline: str,
    runbook: str,
    status: PageStatus,
    failing: list[dict[str, object]],
    now: datetime,
    dry_run: bool = False,
    caveats: Sequence[str] = (),
) -> NotifyOutcome:
    """Page a pipeline's owners with a runbook's outcome, when paging is set up.

    Without ``config/paging.yaml`` nothing is sent and the outcome says so; the caller records
    it as passed. ``DeliveryError`` (exit 3) propagates when no channel could deliver; the
    page stays in the outbox.
    """
    from oncall.services.paging.notify import notify_pipeline

    if not (cfg.dir / PAGING_FILE).is_file():
        return NotifyOutcome(False, NOT_CONFIGURED)
    result = notify_pipeline(
        cfg,
        pipeline=pipeline,
        runbook=runbook,
        status=status,
        failing=failing,
        now=now,
        dry_run=dry_run,
        caveats=caveats,
    )
    return NotifyOutcome(True, result.note or f"owners notified: {status}", result)
