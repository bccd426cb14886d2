"""Walking a runbook step by step, recording every outcome in the store as it happens.

The stepper neither prompts nor pages by itself: an ``Interaction`` shows each step and asks
what to do, and a ``Notifier`` tells the owners (``notify: owners`` steps). The CLI passes a
terminal interaction and ``notify_owners``; tests pass scripted ones.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import TYPE_CHECKING, Literal, Protocol

from oncall.domain.checks import CheckStatus, worst_status
from oncall.domain.runbook import Step
from oncall.errors import DeliveryError, NotFoundError, UsageError
from oncall.reports.runbook import DRY_RUN_NOTE, CheckOut
from oncall.services.runbook.catalog import LoadedRunbook
from oncall.services.runbook.engine import CheckEngine
from oncall.services.runbook.notify import NotifyOutcome, PageStatus
from oncall.services.runbook.sources import StateSources, check_source

if TYPE_CHECKING:
    from oncall.adapters.store import Run, StepStatus, Store
    from oncall.config import Config

__all__ = [
    "DRY_RUN_NOTE",
    "NOT_CONFIRMED",
    "NOT_CONFIRMED_NON_INTERACTIVE",
    "Action",
    "Interaction",
    "Notifier",
    "Stepper",
    "compute_run_status",
]

Action = Literal["continue", "rerun", "skip", "note", "abort"]
_STEP_STATUS: dict[CheckStatus, StepStatus] = {
    "pass": "passed",
    "warn": "warned",
    "fail": "failed",
    "error": "error",
}
NOT_CONFIRMED_NON_INTERACTIVE = "not confirmed (non-interactive)"
NOTIFY_ID = "notify-owners"
NOT_CONFIRMED = "the operator did not confirm it was done"


def compute_run_status(statuses: Sequence[str]) -> Literal["passed", "failed", "error"]:
    """A run's status from its steps': failed beats error beats passed; skips do not count."""
    if "failed" in statuses:
        return "failed"
    if "error" in statuses:
        return "error"
    return "passed"


class Interaction(Protocol):
    """What the stepper shows and asks. Prompts are only called when it is interactive.

    ``choose`` returns one of the actions; ``ask_reason`` returns the reason for a skip and
    keeps asking while it is blank; ``note_saved`` is told once a note is in the store.
    """

    def step_started(self, index: int, total: int, step: Step) -> None: ...

    def checks_running(self, step: Step, count: int) -> AbstractContextManager[None]: ...

    def step_results(self, step: Step, results: Sequence[CheckOut]) -> None: ...

    def confirm(self, step: Step) -> bool: ...

    def choose(self, step: Step, status: StepStatus) -> Action: ...

    def ask_reason(self, step: Step) -> str: ...

    def ask_note(self, step: Step) -> str: ...

    def note_saved(self, step: Step, run_id: str) -> None: ...


class Notifier(Protocol):
    """Tells a pipeline's owners how its runbook went (``notify_owners`` in production)."""

    def __call__(
        self,
        cfg: Config,
        *,
        pipeline: str,
        runbook: str,
        status: PageStatus,
        failing: list[dict[str, object]],
        now: datetime,
        dry_run: bool = False,
        caveats: Sequence[str] = (),
    ) -> NotifyOutcome: ...


class Stepper:
    """Walks a runbook step by step, recording every outcome in the store as it happens.

    State is judged at ``now`` (fixed for the run, so steps share fetched answers); a re-run
    judges again at ``renow()`` with fresh state. A crash or Ctrl-C leaves the run
    ``running``: ``resume`` continues at the first step with no recorded outcome.
    """

    def __init__(
        self,
        *,
        cfg: Config,
        loaded: LoadedRunbook,
        sources: StateSources,
        store: Store,
        ui: Interaction,
        interactive: bool,
        now: datetime,
        clock: Callable[[], datetime],
        renow: Callable[[], datetime] | None = None,
        notifier: Notifier,
        dry_run: bool = False,
    ) -> None:
        check_source(loaded, sources)
        self.cfg = cfg
        self.loaded = loaded
        self.sources = sources
        self.store = store
        self.ui = ui
        self.interactive = interactive
        self.now = now
        self.clock = clock
        self.renow = renow or (lambda: self.now)
        self.notifier = notifier
        self.dry_run = dry_run
        self._engine: CheckEngine | None = None
        self.run_id: str | None = None
        self._notes: list[str] = []
        """Notes the operator added to the current step: saved with its record too."""

    @property
    def engine(self) -> CheckEngine:
        if self._engine is None:
            self._engine = self._new_engine()
        return self._engine

    def _new_engine(self) -> CheckEngine:
        runbook = self.loaded.runbook
        return CheckEngine(self.sources, runbook.source, self.cfg.team_tz, runbook=self.loaded.name)

    # -- starting ---------------------------------------------------------------------

    def start(self, operator: str) -> Run:
        run = self.store.start_run(
            runbook=self.loaded.name,
            pipeline=self.loaded.runbook.pipeline,
            operator=operator,
            started=self.clock(),
        )
        self.run_id = run.run_id
        if self.dry_run:
            self.store.add_note(run.run_id, None, DRY_RUN_NOTE, self.clock())
            found = self.store.get_run(run.run_id)
            assert found is not None
            run = found
        return run

    def resume(self, run_id: str | None) -> Run:
        """Attach to an unfinished run: ``run_id``, else the latest of this runbook."""
        name = self.loaded.name
        if run_id is None:
            run = self.store.latest_unfinished_run(name)
            if run is None:
                raise UsageError(
                    f"no unfinished run of runbook '{name}' to resume; start one with "
                    f"`oncall runbook {name}`"
                )
        else:
            found = self.store.get_run(run_id)
            if found is None:
                raise NotFoundError(
                    f"no run '{run_id}': see `oncall runbook history {name}` for run ids"
                )
            run = found
            if run.runbook != name:
                raise UsageError(
                    f"run '{run_id}' is a run of runbook '{run.runbook}', not '{name}': "
                    f"use `oncall runbook {run.runbook} --resume {run_id}`"
                )
            if run.status == "aborted":
                run = self.store.reopen_run(run.run_id, self.clock())
            elif run.status != "running":
                raise UsageError(
                    f"run '{run_id}' already finished ({run.status}); start a new run with "
                    f"`oncall runbook {name}`"
                )
        self.run_id = run.run_id
        return run

    # -- running ----------------------------------------------------------------------

    def run(self) -> Run:
        """Every step without a recorded outcome, in order; then the run's final status."""
        run_id = self._require_run()
        current = self.store.get_run(run_id)
        assert current is not None
        done = {s.step_id for s in current.steps}
        steps = self.loaded.runbook.steps
        for index, step in enumerate(steps):
            if step.id in done:
                continue
            if self._step(index, len(steps), step) == "abort":
                self.store.finish_run(run_id, "aborted", self.clock())
                break
        else:
            final = self.store.get_run(run_id)
            assert final is not None
            status = compute_run_status([s.status for s in final.steps])
            self.store.finish_run(run_id, status, self.clock())
        finished = self.store.get_run(run_id)
        assert finished is not None
        return finished

    def _require_run(self) -> str:
        if self.run_id is None:
            raise RuntimeError("call start() or resume() before run()")
        return self.run_id

    def _step(self, index: int, total: int, step: Step) -> Action | None:
        self.ui.step_started(index, total, step)
        self._notes = []
        results = self._execute(step)
        if step.notify == "owners" and self.dry_run:
            # The preview row was shown; the record keeps its text in the reason, not a
            # notify check that "passed" inside a step that sent nothing.
            sent = [r for r in results if r.id == NOTIFY_ID]
            detail = sent[0].detail if sent else "nothing sent"
            kept = [r for r in results if r.id != NOTIFY_ID]
            self._record(step, "skipped", kept, f"dry run: owners not notified ({detail})")
            return None
        if not self.interactive:
            if step.confirm:
                self._record(step, "skipped", results, NOT_CONFIRMED_NON_INTERACTIVE)
            else:
                self._record(step, _status_of(results), results, None)
            return None
        confirmed: bool | None = None
        while True:
            if step.confirm and confirmed is None:
                confirmed = self.ui.confirm(step)
            status: StepStatus = _status_of(results)
            if confirmed is False:
                status = "failed"
            action = self.ui.choose(step, status)
            if action == "continue":
                self._record(step, status, results, NOT_CONFIRMED if confirmed is False else None)
                return action
            if action == "skip":
                reason = self.ui.ask_reason(step).strip() or "no reason given"
                self._record(step, "skipped", results, reason)
                return action
            if action == "note":
                text = self.ui.ask_note(step).strip()
                if text:
                    run_id = self._require_run()
                    self.store.add_note(run_id, step.id, text, self.clock())
                    self._notes.append(text)
                    self.ui.note_saved(step, run_id)
                continue
            if action == "abort":
                return action
            # re-run: fresh state, judged again now; ask for confirmation again
            self.now = self.renow()
            for name in self.sources.used_by(self.loaded):
                self.sources.refresh(name)
            self._engine = self._new_engine()
            results = self._execute(step)
            confirmed = None

    def _execute(self, step: Step) -> list[CheckOut]:
        results: list[CheckOut] = []
        if step.checks:
            with self.ui.checks_running(step, len(step.checks)):
                results = [CheckOut.of(r) for r in self.engine.run(step.checks, self.now)]
        if step.notify == "owners":
            results.append(self._notify())
        if results:
            self.ui.step_results(step, results)
        return results

    def _notify(self) -> CheckOut:
        current = self.store.get_run(self._require_run())
        assert current is not None
        status = compute_run_status([s.status for s in current.steps])
        failing: list[dict[str, object]] = [
            {"step": s.step_id, **c}
            for s in current.steps
            for c in s.checks
            if c.get("status") in ("fail", "error")
        ]
        caveats = [
            f"check {c.get('id')} warned ({c.get('detail')})"
            for s in current.steps
            for c in s.checks
            if c.get("status") == "warn"
        ] + [
            f"step {s.step_id} skipped ({s.note or 'no reason given'})"
            for s in current.steps
            if s.status == "skipped"
        ]
        try:
            outcome = self.notifier(
                self.cfg,
                pipeline=self.loaded.runbook.pipeline,
                runbook=self.loaded.name,
                status=status,
                failing=failing,
                now=self.now,
                dry_run=self.dry_run,
                caveats=caveats,
            )
        except DeliveryError as exc:
            return CheckOut(
                id=NOTIFY_ID,
                kind="notify",
                status="error",
                value=None,
                bound=None,
                detail=str(exc),
            )
        return CheckOut(
            id=NOTIFY_ID,
            kind="notify",
            status="pass",
            value=None,
            bound=None,
            detail=outcome.detail,
        )

    def _record(
        self, step: Step, status: StepStatus, results: Sequence[CheckOut], note: str | None
    ) -> None:
        self.store.record_step(
            self._require_run(),
            step.id,
            status=status,
            title=step.title,
            checks=[r.model_dump(mode="json") for r in results],
            note="\n".join([*([note] if note else []), *self._notes]) or None,
            finished=self.clock(),
        )


def _status_of(results: Sequence[CheckOut]) -> StepStatus:
    return _STEP_STATUS[worst_status(r.status for r in results)]
