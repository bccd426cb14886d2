"""``oncall runbook run``: a runbook step by step on a terminal, or unattended."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from typing import TYPE_CHECKING

import typer

from oncall.cli.common import get_config, resolve_now
from oncall.cli.output import terminal
from oncall.cli.runbook_show import (
    CHECK_COLUMNS,
    check_rows,
    fit,
    owners_line,
    pipeline_line,
    reflow,
)
from oncall.errors import UsageError

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from oncall.adapters.store import Run, StepStatus
    from oncall.config import Config
    from oncall.domain.runbook import Step
    from oncall.reports.runbook import CheckOut, RunOut
    from oncall.services.runbook.catalog import LoadedRunbook
    from oncall.services.runbook.stepper import Action

NOW_HELP = (
    "Judge pipeline state at this instant ("
    "ISO 8601, or now, today, tomorrow, yesterday, monday, last monday, "
    "+3d, -2h, +1w; default now, team timezone)."
)
_ACTIONS: dict[str, Action] = {
    "c": "continue",
    "continue": "continue",
    "r": "rerun",
    "rerun": "rerun",
    "re-run": "rerun",
    "s": "skip",
    "skip": "skip",
    "n": "note",
    "note": "note",
    "a": "abort",
    "abort": "abort",
}
CHOICES = "[c]ontinue, [r]e-run, [s]kip, [n]ote, [a]bort, Ctrl-C pause"
"""The step menu. Ctrl-C pauses: the run stays unfinished and --resume continues it."""
_CHOICES_HELP = "answer c (continue), r (re-run), s (skip), n (note) or a (abort)"
RERUN_BY_DEFAULT: tuple[StepStatus, ...] = ("failed", "error")
"""After these, Enter re-runs the step: continuing past a failure must be typed."""


def resolve_action(answer: str) -> Action | None:
    """The action an answer names exactly (any case, spaces around ignored), else None."""
    return _ACTIONS.get(answer.strip().lower())


def resolve_default_action(status: StepStatus) -> str:
    """What Enter means at the step menu: re-run after a failure or error, else continue."""
    return "r" if status in RERUN_BY_DEFAULT else "c"


class TerminalInteraction:
    """The stepper on a terminal: markdown help, a spinner, tables and prompts."""

    def __init__(self, *, quiet: bool = False) -> None:
        self.quiet = quiet

    def step_started(self, index: int, total: int, step: Step) -> None:
        if self.quiet:
            return
        terminal.line("")
        for line in fit(f"Step {index + 1}/{total}: {step.title} [{step.id}]", "  "):
            terminal.heading(line)
        if step.help.strip():
            terminal.markdown("\n".join(reflow(step.help, "")))

    def checks_running(self, step: Step, count: int) -> AbstractContextManager[None]:
        if self.quiet:
            return _nothing()
        return terminal.status(f"Running {count} check{'s' if count != 1 else ''}...")

    def step_results(self, step: Step, results: Sequence[CheckOut]) -> None:
        if not self.quiet:
            terminal.table(CHECK_COLUMNS, check_rows(results))

    def confirm(self, step: Step) -> bool:
        return bool(typer.confirm(f'Done? "{step.title}"', default=False))

    def choose(self, step: Step, status: StepStatus) -> Action:
        while True:
            answer = str(
                typer.prompt(f"Step {status}. {CHOICES}", default=resolve_default_action(status))
            )
            action = resolve_action(answer)
            if action is not None:
                return action
            terminal.line(f"{answer.strip()!r} is not a choice: {_CHOICES_HELP}.")

    def ask_reason(self, step: Step) -> str:
        while True:
            reason = str(typer.prompt("Why skip this step?", default="", show_default=False))
            if reason.strip():
                return reason.strip()
            terminal.line("A skip needs a reason (it is saved with the run).")

    def ask_note(self, step: Step) -> str:
        text = str(typer.prompt("Note", default="", show_default=False))
        if not text.strip():
            terminal.line("empty note: nothing saved")
        return text

    def note_saved(self, step: Step, run_id: str) -> None:
        terminal.line(f"note saved to run {run_id}")


@contextmanager
def _nothing() -> Iterator[None]:
    yield


def render_time(t: datetime, tz: ZoneInfo) -> str:
    local = t.astimezone(tz)
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"


def render_header(
    cfg: Config,
    loaded: LoadedRunbook,
    run: Run,
    *,
    last: Run | None,
    now: datetime,
    resumed: bool,
    unfinished: Run | None = None,
) -> None:
    from oncall.services.roster import build_availability, compute_who

    tz = cfg.team_tz
    rb = loaded.runbook
    report = compute_who(cfg, build_availability(cfg), now, pipeline=rb.pipeline)
    for line in fit(f"Runbook {loaded.name}: {rb.title}", "  "):
        terminal.heading(line)
    terminal.line(f"pipeline   {pipeline_line(cfg, rb)}")
    terminal.line(f"owners     {owners_line(cfg, rb)}")
    pipe = report.pipeline
    if pipe is not None:
        if pipe.responder is None:
            terminal.line("on call    nobody: the rotation has not started")
        else:
            terminal.line(
                f"on call    {pipe.oncall} (rotation {pipe.rotation}), responder "
                f"{pipe.responder} ({pipe.responder_reason})"
            )
        terminal.line(f"escalation {' -> '.join(pipe.escalation) or '-'}")
    if not resumed:
        if last is None:
            terminal.line("last run   none")
        else:
            terminal.line(
                f"last run   {last.run_id} {last.status}, started {render_time(last.started, tz)} "
                f"by {last.operator}"
            )
        if unfinished is not None:
            terminal.line(
                f"unfinished run {unfinished.run_id} from {render_time(unfinished.started, tz)} "
                f"by {unfinished.operator} (resume with --resume {unfinished.run_id})"
            )
    verb = "resumed" if resumed else "started"
    done = f", {len(run.steps)} of {len(rb.steps)} steps already done" if resumed else ""
    terminal.line(f"this run   {run.run_id} {verb} by {run.operator}{done}")
    terminal.line(f"state at   {render_time(now, tz)}")


def run(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="Runbook name (file name without .yaml) or pipeline."),
    run_id: str | None = typer.Argument(
        None, metavar="[RUN_ID]", help="With --resume: the run to continue (default: latest)."
    ),
    now: str | None = typer.Option(None, "--now", metavar="WHEN", help=NOW_HELP),
    yes: bool = typer.Option(
        False,
        "--yes",
        "-y",
        help="No prompts (as with no TTY): every step continues, and steps with confirm: "
        "are recorded as SKIPPED, not confirmed. --yes never answers yes for you.",
    ),
    interactive: bool = typer.Option(
        False,
        "--interactive",
        help="Prompt even when stdin is not a terminal (answers are read line by line).",
    ),
    resume: bool = typer.Option(
        False,
        "--resume",
        help="Continue an unfinished run at its first unfinished step: RUN_ID, else the "
        "latest unfinished run of this runbook. An aborted RUN_ID is re-opened.",
    ),
    operator: str | None = typer.Option(
        None,
        "--operator",
        help="Who runs it (default: $ONCALL_OPERATOR, else your login name).",
    ),
    dry_run: bool = typer.Option(
        False,
        "--dry-run",
        help="Notify steps show what they would send, send nothing and are recorded as "
        "skipped; the run is marked as a dry run.",
    ),
    json_: bool = typer.Option(
        False, "--json", help="No prompts (as --yes); print the run as JSON when it ends."
    ),
) -> None:
    """Run a runbook step by step: help, live checks, then continue, re-run, skip, note
    or abort. Every outcome is saved as it happens; --resume continues after a crash, a
    pause (Ctrl-C) or an abort.

    --yes means no prompts, not "yes to everything": with --yes or --json, or without a
    terminal on stdin, nothing is asked, every step continues, and steps with confirm:
    are recorded as skipped, not confirmed (nobody said the manual work was done).

    Exit 0 passed; 1 failed or aborted; 2 a usage or config error; 3 a state source was
    unavailable or the notify step could not deliver (the page is kept in the outbox:
    run `oncall page flush` once the cause is fixed); 130 interrupted (Ctrl-C or end of
    input: the run stays unfinished, and `--resume` continues it).

    Examples:

      oncall runbook profit

      oncall runbook profit --yes --now 2026-11-20T09:00

      oncall runbook profit --resume
    """
    from oncall.errors import InterruptedRunError
    from oncall.reports.runbook import RunOut
    from oncall.services.runbook.catalog import load_runbook
    from oncall.services.runbook.notify import notify_owners
    from oncall.services.runbook.operator import resolve_operator
    from oncall.services.runbook.sources import load_state_sources
    from oncall.services.runbook.stepper import Stepper
    from oncall.services.store import open_team_store

    if run_id is not None and not resume:
        raise UsageError(f"unexpected argument {run_id!r}: a RUN_ID goes with --resume")
    if interactive and (yes or json_):
        raise UsageError("--interactive cannot be combined with --yes or --json")
    prompting = interactive or (not yes and not json_ and sys.stdin.isatty())
    cfg = get_config(ctx)
    tz = cfg.team_tz
    pinned = resolve_now(now, tz, option="--now") if now is not None else None
    loaded = load_runbook(cfg, name)

    def clock() -> datetime:
        return datetime.now(tz)

    def renow() -> datetime:
        return pinned if pinned is not None else clock()

    judged = renow()
    with load_state_sources(cfg) as sources, open_team_store(cfg, say=terminal.warn) as store:
        stepper = Stepper(
            cfg=cfg,
            loaded=loaded,
            sources=sources,
            store=store,
            ui=TerminalInteraction(quiet=json_),
            interactive=prompting,
            now=judged,
            clock=clock,
            renow=renow,
            notifier=notify_owners,
            dry_run=dry_run,
        )
        last = store.last_run(loaded.name)
        unfinished = None if resume else store.latest_unfinished_run(loaded.name)
        started = stepper.resume(run_id) if resume else stepper.start(resolve_operator(operator))
        try:
            if not json_:
                render_header(
                    cfg,
                    loaded,
                    started,
                    last=last,
                    now=judged,
                    resumed=resume,
                    unfinished=unfinished,
                )
            finished = stepper.run()
        except (KeyboardInterrupt, EOFError, typer.Abort) as exc:
            # The run stays `running`. A prompt leaves the cursor after ^C or ^D: end that line.
            if isinstance(exc, typer.Abort):
                terminal.line("")
            raise InterruptedRunError(loaded.name, started.run_id) from exc
    report = RunOut.of(finished, loaded.runbook, tz)
    if json_:
        terminal.json(report)
    else:
        render_summary(report)
    raise typer.Exit(RUN_EXIT[report.status])


RUN_EXIT = {"passed": 0, "failed": 1, "aborted": 1, "error": 3, "running": 1}


def render_summary(report: RunOut) -> None:
    counts: dict[str, int] = {}
    for step in report.steps:
        counts[step.status] = counts.get(step.status, 0) + 1
    parts = ", ".join(f"{n} {status}" for status, n in counts.items())
    terminal.line("")
    dry = " (dry run: notify steps sent nothing)" if report.dry_run else ""
    terminal.heading(f"Run {report.run_id} {report.status}{dry}: {parts}")
    for step in report.steps:
        if step.status in ("failed", "error", "skipped", "warned"):
            # A skip says why; operator notes are in `runbook show RUN_ID`, not run into it.
            if step.status == "skipped":
                reason = step.skip_reason
            else:
                reason = "; ".join(step.note.splitlines()) if step.note else None
            why = f": {reason}" if reason and step.status != "warned" else ""
            flagged = ("warn",) if step.status == "warned" else ("fail", "error")
            bad = [c.id for c in step.checks if c.status in flagged]
            checks = f" (checks {', '.join(bad)})" if bad else ""
            terminal.field(f"  {step.status:<8} ", f"{step.id}{checks}{why}")
    if report.status == "aborted":
        terminal.line(
            f"resume: oncall runbook {report.runbook} --resume {report.run_id} "
            "(re-opens the run at its first unfinished step)"
        )
    terminal.line(f"this run: oncall runbook show {report.run_id}")
    terminal.line(f"history: oncall runbook history {report.runbook}")
