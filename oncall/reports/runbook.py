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
    "DRY_RUN_NOTE",
    "CheckOut",
    "CheckReport",
    "CheckRow",
    "NoteOut",
    "PageOut",
    "PipelineCheckOut",
    "RunOut",
    "RunsOut",
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


DRY_RUN_NOTE = "dry run: notify steps sent nothing"
"""The run-level note that marks a dry run (``RunOut.dry_run``)."""


class NoteOut(Report):
    step_id: str | None
    text: str
    at: datetime


class StepOut(Report):
    """A step of a run: ``note`` is the whole recorded note (a skip's reason first, then the
    operator's notes); ``skip_reason`` and ``notes`` are its parts."""

    id: str
    title: str
    status: Literal["passed", "failed", "warned", "skipped", "error", "pending"]
    note: str | None = None
    checks: list[CheckOut] = Field(default_factory=list)
    skip_reason: str | None = None
    notes: list[str] = Field(default_factory=list)
    finished: datetime | None = None


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
    dry_run: bool = False
    notes: list[NoteOut] = Field(default_factory=list)

    @classmethod
    def of(cls, run: Run, runbook: Runbook | None, tz: ZoneInfo) -> RunOut:
        """Every step of ``runbook`` (``pending`` if not reached); without it (the file is
        gone), the recorded steps only."""
        steps: list[StepOut] = []
        ids = [s.id for s in runbook.steps] if runbook is not None else []
        titles = {s.id: s.title for s in runbook.steps} if runbook is not None else {}
        ids += [s.step_id for s in run.steps if s.step_id not in titles]
        for step_id in ids:
            record = run.step(step_id)
            if record is None:
                steps.append(StepOut(id=step_id, title=titles[step_id], status="pending"))
                continue
            notes = [n.text for n in run.notes if n.step_id == step_id]
            reason = None
            if record.status == "skipped" and record.note:
                reason = record.note.split("\n", 1)[0]
            steps.append(
                StepOut(
                    id=step_id,
                    title=record.title,
                    status=record.status,
                    note=record.note,
                    checks=[CheckOut.model_validate(c) for c in record.checks],
                    skip_reason=reason,
                    notes=notes,
                    finished=record.finished.astimezone(tz),
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
            dry_run=any(n.step_id is None and n.text == DRY_RUN_NOTE for n in run.notes),
            notes=[
                NoteOut(step_id=n.step_id, text=n.text, at=n.at.astimezone(tz)) for n in run.notes
            ],
        )


class RunsOut(Report):
    """``runbook history --json``: past runs, newest first, each as ``runbook show`` has it
    (the steps recorded, with the same field names)."""

    runs: list[RunOut]
