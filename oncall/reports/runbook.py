"""Result objects of ``oncall runbook`` and ``oncall check``: the JSON and the tables."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo

from pydantic import Field

from oncall.domain.checks import CheckResult, CheckStatus
from oncall.reports.common import Report
from oncall.reports.paging import NotifyResult

if TYPE_CHECKING:
    from oncall.adapters.store import Run
    from oncall.domain.runbook import Runbook

__all__ = [
    "CheckOut",
    "CheckReport",
    "CheckRow",
    "PageOut",
    "PipelineCheckOut",
    "RunOut",
    "StepOut",
]


class CheckOut(Report):
    """One check result, for tables, JSON and the store."""

    id: str
    kind: str
    status: CheckStatus
    value: float | str | None
    bound: str | None
    detail: str

    @classmethod
    def of(cls, result: CheckResult) -> CheckOut:
        return cls(
            id=result.id,
            kind=result.kind,
            status=result.status,
            value=result.value,
            bound=result.bound,
            detail=result.detail,
        )


class CheckRow(Report):
    """A check result of ``oncall check``, with its step."""

    step: str
    id: str
    kind: str
    status: CheckStatus
    value: float | str | None
    bound: str | None
    detail: str


class PageOut(Report):
    """What ``--page`` did for one pipeline."""

    status: Literal["sent", "dry-run", "not-configured", "failed"]
    detail: str
    result: NotifyResult | None = None


class PipelineCheckOut(Report):
    pipeline: str
    runbook: str
    source: str
    status: CheckStatus
    checks: list[CheckRow]
    page: PageOut | None = None


class CheckReport(Report):
    """The result of ``oncall check``: the worst status over every pipeline."""

    status: CheckStatus
    now: datetime
    pipelines: list[PipelineCheckOut]


class StepOut(Report):
    id: str
    title: str
    status: Literal["passed", "failed", "warned", "skipped", "error", "pending"]
    note: str | None = None
    checks: list[CheckOut] = Field(default_factory=list)


class RunOut(Report):
    """A run as ``--json`` shows it: every step of the runbook, ``pending`` if not reached."""

    runbook: str
    pipeline: str
    run_id: str
    status: Literal["running", "passed", "failed", "error", "aborted"]
    operator: str
    started: datetime
    finished: datetime | None
    steps: list[StepOut]

    @classmethod
    def of(cls, run: Run, runbook: Runbook, tz: ZoneInfo) -> RunOut:
        steps: list[StepOut] = []
        for step in runbook.steps:
            record = run.step(step.id)
            if record is None:
                steps.append(StepOut(id=step.id, title=step.title, status="pending"))
                continue
            steps.append(
                StepOut(
                    id=step.id,
                    title=record.title,
                    status=record.status,
                    note=record.note,
                    checks=[CheckOut.model_validate(c) for c in record.checks],
                )
            )
        return cls(
            runbook=run.runbook,
            pipeline=run.pipeline,
            run_id=run.run_id,
            status=run.status,
            operator=run.operator,
            started=run.started.astimezone(tz),
            finished=run.finished.astimezone(tz) if run.finished else None,
            steps=steps,
        )
