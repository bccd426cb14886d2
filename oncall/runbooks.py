"""Runbooks as a service: load runbooks and state sources, run checks, step through a run.

The one place where runbook files, ``config/state.yaml``, the state sources, the SQLite store
and the paging service meet. Nothing here reads the clock or touches the terminal: times and
an ``Interaction`` (the prompts) are passed in, so ``Stepper`` runs the same under the CLI,
in tests and from a script.

Checks run concurrently: every query the checks need is planned first (``required_queries``),
identical queries are fetched once (``fetch_all`` dedupes and fetches in parallel), and the
pure evaluators then judge the answers. The stepper keeps the answers for the whole run, so a
series that two steps read is fetched once.
"""

from __future__ import annotations

import difflib
import getpass
import importlib
import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, Protocol, cast
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, StrictFloat, StrictInt

from oncall.config import Config, load_model
from oncall.domain.checks import (
    Check,
    CheckResult,
    CheckStatus,
    Point,
    SeriesQuery,
    error_result,
    evaluate_check,
    required_queries,
    worst_status,
)
from oncall.domain.ids import ID_PATTERN
from oncall.domain.runbook import Runbook, Step
from oncall.errors import (
    ConfigError,
    DeliveryError,
    NotFoundError,
    OncallError,
    Problem,
    StateDataError,
    StateSourceError,
    UsageError,
)

if TYPE_CHECKING:
    from oncall.adapters.state import StateSource
    from oncall.adapters.store import Run, StepStatus, Store
    from oncall.marks import Marks

__all__ = [
    "NOT_CONFIGURED",
    "CheckEngine",
    "CheckOut",
    "CheckReport",
    "CheckRow",
    "InterruptedRunError",
    "LoadedRunbook",
    "NotifyOutcome",
    "PipelineCheckOut",
    "RunOut",
    "StateSources",
    "StepOut",
    "Stepper",
    "compute_run_status",
    "list_runbooks",
    "load_runbook",
    "load_runbooks",
    "load_state_sources",
    "notify_owners",
    "resolve_operator",
    "run_checks",
    "runbook_for_pipeline",
]

NOT_CONFIGURED = "recorded: paging not configured (config/paging.yaml)"
"""The detail of a notify step when paging is not set up: the step passes."""


# ---------------------------------------------------------------------------------------
# config/state.yaml


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceSpec(_Strict):
    """One state source. ``build_source`` checks which keys each kind needs or allows:
    ``local`` takes ``path`` (relative to the file naming it); ``cloud-monitoring`` takes
    ``project``, ``metric_prefix``, ``timeout``, ``endpoint`` and ``insecure``."""

    kind: Literal["local", "cloud-monitoring"]
    path: str | None = None
    project: str | None = None
    metric_prefix: str | None = None
    timeout: str | StrictInt | StrictFloat | None = None
    endpoint: str | None = None
    insecure: bool | None = None


class StateFile(_Strict):
    """``config/state.yaml``: the named state sources runbooks read."""

    sources: Annotated[dict[str, SourceSpec], Field(min_length=1)]


@dataclass
class StateSources:
    """The configured state sources, built once; close them when done (a context manager)."""

    path: Path | None
    """``config/state.yaml``, or None when absent (then only a local ``default`` exists)."""
    base_dir: Path
    specs: dict[str, dict[str, object]]
    _built: dict[str, StateSource] = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        return list(self.specs)

    def get(self, name: str) -> StateSource:
        from oncall.adapters.state import build_source

        if name not in self._built:
            self._built[name] = build_source(name, self.specs[name], self.base_dir)
        return self._built[name]

    def refresh(self, name: str) -> StateSource:
        """A fresh source (local files are re-read, a new channel is opened)."""
        old = self._built.pop(name, None)
        if old is not None:
            _close(old)
        return self.get(name)

    def local_path(self, name: str = "default") -> Path | None:
        """The directory of a local source, or None if ``name`` is not a local source."""
        spec = self.specs.get(name)
        if spec is None or spec.get("kind") != "local":
            return None
        path = Path(str(spec["path"])).expanduser()
        return path if path.is_absolute() else self.base_dir / path

    def describe(self, name: str) -> str:
        spec = self.specs[name]
        if spec.get("kind") == "local":
            return f"local files in {self.local_path(name)}"
        where = f" at {spec['endpoint']}" if spec.get("endpoint") else ""
        return f"Cloud Monitoring, project {spec.get('project')}{where}"

    def close(self) -> None:
        built, self._built = self._built, {}
        for source in built.values():
            _close(source)

    def __enter__(self) -> StateSources:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _close(source: object) -> None:
    close = getattr(source, "close", None)
    if callable(close):
        close()


def load_state_sources(cfg: Config) -> StateSources:
    """``config/state.yaml`` checked strictly; absent means a local ``default`` at ``state/``.

    Every source is built (no connection is made yet) so that a bad value is reported now, as
    ``state.yaml:line:col``.
    """
    from oncall.adapters.state import build_source

    path = cfg.dir / "state.yaml"
    model, marks = load_model(path, StateFile, required=False)
    if model is None:
        default: dict[str, object] = {"kind": "local", "path": "state"}
        return StateSources(None, cfg.dir.parent, {"default": default})
    specs = {
        name: spec.model_dump(exclude_none=True, exclude_unset=True)
        for name, spec in model.sources.items()
    }
    problems: list[Problem] = []
    for name, spec in specs.items():
        if not ID_PATTERN.match(name):
            problems.append(
                marks.problem(
                    ("sources", name),
                    f"sources.{name}: source names use lowercase letters, digits, '-' and '_'",
                    key=True,
                )
            )
            continue
        try:
            _close(build_source(name, spec, path.parent))
        except ValueError as exc:
            message = str(exc)
            key = next((k for k in spec if f"'{k}'" in message), None)
            loc: tuple[str, ...] = ("sources", name, key) if key else ("sources", name)
            problems.append(marks.problem(loc, f"sources.{name}: {message}"))
    if problems:
        raise ConfigError(problems)
    return StateSources(path, path.parent, specs)


# ---------------------------------------------------------------------------------------
# Runbook files


@dataclass(frozen=True)
class LoadedRunbook:
    """A validated runbook and where it came from."""

    name: str
    path: Path
    runbook: Runbook
    marks: Marks

    @property
    def checks(self) -> list[tuple[Step, Check]]:
        return [(step, check) for step in self.runbook.steps for check in step.checks]


def _runbook_names(cfg: Config) -> list[str]:
    folder = cfg.runbooks_dir
    if not folder.is_dir():
        return []
    return sorted(p.stem for p in folder.glob("*.yaml") if p.is_file())


def _load_file(cfg: Config, name: str, path: Path) -> LoadedRunbook:
    model, marks = load_model(path, Runbook)
    assert model is not None
    if model.pipeline not in cfg.owners.pipelines:
        guess = difflib.get_close_matches(model.pipeline, list(cfg.owners.pipelines), n=1)
        hint = f"did you mean '{guess[0]}'? " if guess else ""
        raise ConfigError(
            [
                marks.problem(
                    ("pipeline",),
                    f"pipeline: unknown pipeline '{model.pipeline}' ({hint}known in "
                    f"{cfg.owners_path.name}: {', '.join(sorted(cfg.owners.pipelines))})",
                )
            ]
        )
    return LoadedRunbook(name, path, model, marks)


def load_runbook(cfg: Config, name: str) -> LoadedRunbook:
    """``runbooks/NAME.yaml``; NAME may also be a pipeline id with a ``runbook:``."""
    if not ID_PATTERN.match(name):
        raise UsageError(f"bad runbook name {name!r}: use the file name without .yaml, like profit")
    path = cfg.runbooks_dir / f"{name}.yaml"
    if not path.is_file():
        pipeline = cfg.owners.pipelines.get(name)
        if pipeline is not None and pipeline.runbook is not None:
            return _load_file(cfg, pipeline.runbook, cfg.runbooks_dir / f"{pipeline.runbook}.yaml")
        known = _runbook_names(cfg)
        guess = difflib.get_close_matches(name, known + list(cfg.owners.pipelines), n=1)
        hint = f" (did you mean '{guess[0]}'?)" if guess else ""
        listing = ", ".join(known) if known else f"none in {cfg.runbooks_dir}"
        raise NotFoundError(f"no runbook '{name}'{hint}; known: {listing}")
    return _load_file(cfg, name, path)


def load_runbooks(cfg: Config) -> tuple[list[LoadedRunbook], list[Problem]]:
    """Every valid runbook in ``runbooks/``, and the located problems of the broken ones.

    One broken file does not hide the others (``oncall runbook list`` mid-incident).
    """
    loaded: list[LoadedRunbook] = []
    problems: list[Problem] = []
    for name in _runbook_names(cfg):
        try:
            loaded.append(_load_file(cfg, name, cfg.runbooks_dir / f"{name}.yaml"))
        except ConfigError as exc:
            problems.extend(exc.problems)
    return loaded, problems


def list_runbooks(cfg: Config) -> list[LoadedRunbook]:
    """Every runbook in ``runbooks/``; ConfigError lists the problems of all of them."""
    loaded, problems = load_runbooks(cfg)
    if problems:
        raise ConfigError(problems)
    return loaded


def runbook_for_pipeline(cfg: Config, pipeline: str) -> LoadedRunbook:
    """The runbook a pipeline names in ``owners.yaml``; UsageError when it names none."""
    from oncall.service import resolve_pipeline

    pipeline = resolve_pipeline(cfg, pipeline)
    name = cfg.owners.pipelines[pipeline].runbook
    if name is None:
        raise UsageError(
            f"pipeline '{pipeline}' has no runbook, so there is nothing to check: add "
            f"`runbook: <name>` to pipelines.{pipeline} in {cfg.owners_path.name}"
        )
    return load_runbook(cfg, name)


def check_source(loaded: LoadedRunbook, sources: StateSources) -> None:
    """ConfigError, located in the runbook, when its ``source`` is not defined."""
    name = loaded.runbook.source
    if name in sources.specs:
        return
    if sources.path is None:
        where = (
            "there is no config/state.yaml, so only 'default' (local files in state/ beside "
            "config/) exists: define it in config/state.yaml"
        )
    else:
        where = f"defined in {sources.path.name}: {', '.join(sources.names)}"
    raise ConfigError(
        [loaded.marks.problem(("source",), f"source: unknown state source '{name}' ({where})")]
    )


# ---------------------------------------------------------------------------------------
# Running checks

Answer = list[Point] | StateSourceError


def _fetch(source: StateSource, queries: Sequence[SeriesQuery]) -> dict[SeriesQuery, Answer]:
    from oncall.adapters.state import fetch_all

    return fetch_all(source, queries)


def _judge(
    check: Check,
    queries: Sequence[SeriesQuery],
    answers: Mapping[SeriesQuery, Answer],
    *,
    now: datetime,
    team_tz: ZoneInfo,
) -> CheckResult:
    """One check from the answers to its queries; a malformed state file raises (exit 2)."""
    data: dict[SeriesQuery, list[Point]] = {}
    for query in queries:
        answer = answers[query]
        if isinstance(answer, StateDataError):
            raise answer
        if isinstance(answer, StateSourceError):
            return error_result(check, str(answer))
        data[query] = answer
    return evaluate_check(check, now=now, team_tz=team_tz, data=data)


class CheckEngine:
    """Runs checks against one source, keeping every answer for the engine's life."""

    def __init__(self, source: StateSource, team_tz: ZoneInfo) -> None:
        self.source = source
        self.team_tz = team_tz
        self._answers: dict[SeriesQuery, Answer] = {}
        self.fetched = 0
        """How many distinct queries were sent to the source."""

    def run(self, checks: Sequence[Check], now: datetime) -> list[CheckResult]:
        plan = [required_queries(check, now=now, team_tz=self.team_tz) for check in checks]
        missing = list(dict.fromkeys(q for qs in plan for q in qs if q not in self._answers))
        if missing:
            self._answers.update(_fetch(self.source, missing))
            self.fetched += len(missing)
        return [
            _judge(check, qs, self._answers, now=now, team_tz=self.team_tz)
            for check, qs in zip(checks, plan, strict=True)
        ]


class CheckOut(BaseModel):
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


class CheckRow(BaseModel):
    """A check result of ``oncall check``, with its step."""

    step: str
    id: str
    kind: str
    status: CheckStatus
    value: float | str | None
    bound: str | None
    detail: str


class PageOut(BaseModel):
    """What ``--page`` did for one pipeline."""

    status: Literal["sent", "dry-run", "not-configured", "failed"]
    detail: str
    result: dict[str, Any] | None = None


class PipelineCheckOut(BaseModel):
    pipeline: str
    runbook: str
    source: str
    status: CheckStatus
    checks: list[CheckRow]
    page: PageOut | None = None


class CheckReport(BaseModel):
    """The result of ``oncall check``: the worst status over every pipeline."""

    status: CheckStatus
    now: datetime
    pipelines: list[PipelineCheckOut]


def run_checks(
    runbooks: Sequence[LoadedRunbook],
    sources: StateSources,
    *,
    now: datetime,
    team_tz: ZoneInfo,
) -> CheckReport:
    """Every check of ``runbooks`` at ``now``: all queries planned first, each fetched once.

    Sources are queried in parallel with each other, and each source answers all of its
    queries concurrently.
    """
    for loaded in runbooks:
        check_source(loaded, sources)
    by_source: dict[str, list[SeriesQuery]] = {}
    plans: list[list[list[SeriesQuery]]] = []
    for loaded in runbooks:
        per_check = [
            required_queries(check, now=now, team_tz=team_tz) for _, check in loaded.checks
        ]
        plans.append(per_check)
        wanted = by_source.setdefault(loaded.runbook.source, [])
        wanted.extend(q for qs in per_check for q in qs)
    names = list(by_source)

    def fetch(name: str) -> dict[SeriesQuery, Answer]:
        return _fetch(sources.get(name), by_source[name])

    if len(names) > 1:
        with ThreadPoolExecutor(max_workers=len(names)) as pool:
            fetched = dict(zip(names, pool.map(fetch, names), strict=True))
    else:
        fetched = {name: fetch(name) for name in names}
    out: list[PipelineCheckOut] = []
    for loaded, per_check in zip(runbooks, plans, strict=True):
        answers = fetched.get(loaded.runbook.source, {})
        rows: list[CheckRow] = []
        for (step, check), qs in zip(loaded.checks, per_check, strict=True):
            result = _judge(check, qs, answers, now=now, team_tz=team_tz)
            rows.append(CheckRow(step=step.id, **CheckOut.of(result).model_dump()))
        out.append(
            PipelineCheckOut(
                pipeline=loaded.runbook.pipeline,
                runbook=loaded.name,
                source=loaded.runbook.source,
                status=worst_status(r.status for r in rows),
                checks=rows,
            )
        )
    return CheckReport(
        status=worst_status(p.status for p in out), now=now.astimezone(team_tz), pipelines=out
    )


# ---------------------------------------------------------------------------------------
# Notifying owners


PageStatus = Literal["passed", "failed", "error"]


@dataclass(frozen=True)
class NotifyOutcome:
    """What notifying the owners did: ``sent`` False means paging is not configured."""

    sent: bool
    detail: str
    result: dict[str, Any] | None = None


class _NotifyPipeline(Protocol):
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
    ) -> dict[str, object]: ...


def notify_owners(
    cfg: Config,
    *,
    pipeline: str,
    runbook: str,
    status: PageStatus,
    failing: list[dict[str, object]],
    now: datetime,
    dry_run: bool = False,
) -> NotifyOutcome:
    """Page a pipeline's owners with a runbook's outcome, when paging is set up.

    Without ``config/paging.yaml`` (or without the paging service) nothing is sent and the
    outcome says so; the caller records it as passed. ``DeliveryError`` (exit 3) propagates
    when no channel could deliver; the page stays in the outbox.
    """
    if not (cfg.dir / "paging.yaml").is_file():
        return NotifyOutcome(False, NOT_CONFIGURED)
    try:
        module = importlib.import_module("oncall.paging_service")
    except ModuleNotFoundError as exc:
        if exc.name != "oncall.paging_service":
            raise
        return NotifyOutcome(False, NOT_CONFIGURED)
    notify = cast(_NotifyPipeline, module.notify_pipeline)
    result = notify(
        cfg,
        pipeline=pipeline,
        runbook=runbook,
        status=status,
        failing=failing,
        now=now,
        dry_run=dry_run,
    )
    note = result.get("note")
    return NotifyOutcome(True, str(note) if note else f"owners notified: {status}", result)


# ---------------------------------------------------------------------------------------
# The stepper

Action = Literal["continue", "rerun", "skip", "note", "abort"]
_STEP_STATUS: dict[CheckStatus, StepStatus] = {
    "pass": "passed",
    "warn": "warned",
    "fail": "failed",
    "error": "error",
}
NOT_CONFIRMED_NON_INTERACTIVE = "not confirmed (non-interactive)"
NOT_CONFIRMED = "the operator did not confirm it was done"


class InterruptedRunError(OncallError):
    """Ctrl-C or Ctrl-D during a run: the run stays ``running``, so it can be resumed."""

    exit_code = 130

    def __init__(self, runbook: str, run_id: str) -> None:
        self.runbook = runbook
        self.run_id = run_id
        super().__init__(
            f"interrupted: run {run_id} is unfinished; resume with: "
            f"oncall runbook {runbook} --resume {run_id}"
        )


def resolve_operator(explicit: str | None) -> str:
    """``--operator``, else ``$ONCALL_OPERATOR``, else the login name, else ``unknown``."""
    for value in (explicit, os.environ.get("ONCALL_OPERATOR")):
        if value and value.strip():
            return value.strip()
    try:
        return getpass.getuser() or "unknown"
    except (OSError, KeyError, ImportError):
        return "unknown"


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


class StepOut(BaseModel):
    id: str
    title: str
    status: Literal["passed", "failed", "warned", "skipped", "error", "pending"]
    note: str | None = None
    checks: list[CheckOut] = []


class RunOut(BaseModel):
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


Notifier = Callable[..., NotifyOutcome]


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
        notifier: Notifier = notify_owners,
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

    @property
    def engine(self) -> CheckEngine:
        if self._engine is None:
            source = self.sources.get(self.loaded.runbook.source)
            self._engine = CheckEngine(source, self.cfg.team_tz)
        return self._engine

    # -- starting ---------------------------------------------------------------------

    def start(self, operator: str) -> Run:
        run = self.store.start_run(
            runbook=self.loaded.name,
            pipeline=self.loaded.runbook.pipeline,
            operator=operator,
            started=self.clock(),
        )
        self.run_id = run.run_id
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
            if run.status != "running":
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
        results = self._execute(step)
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
                    self.ui.note_saved(step, run_id)
                continue
            if action == "abort":
                return action
            # re-run: fresh state, judged again now; ask for confirmation again
            self.now = self.renow()
            self._engine = CheckEngine(
                self.sources.refresh(self.loaded.runbook.source), self.cfg.team_tz
            )
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
        try:
            outcome = self.notifier(
                self.cfg,
                pipeline=self.loaded.runbook.pipeline,
                runbook=self.loaded.name,
                status=status,
                failing=failing,
                now=self.now,
                dry_run=self.dry_run,
            )
        except DeliveryError as exc:
            return CheckOut(
                id="notify-owners",
                kind="notify",
                status="error",
                value=status,
                bound=None,
                detail=str(exc),
            )
        return CheckOut(
            id="notify-owners",
            kind="notify",
            status="pass",
            value=status,
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
            note=note,
            finished=self.clock(),
        )


def _status_of(results: Sequence[CheckOut]) -> StepStatus:
    return _STEP_STATUS[worst_status(r.status for r in results)]


# ---------------------------------------------------------------------------------------
# Describing runbooks


def describe_check(check: Check) -> str:
    """One line: the series read and the check's settings, e.g. for ``runbook show``."""
    data = {
        name: getattr(check, name)
        for name in type(check).model_fields
        if name not in ("id", "kind") and getattr(check, name) is not None
    }
    parts: list[str] = []
    if "metric" in data:
        parts.append(_series(data.pop("metric"), data.pop("labels", {})))
    for side in ("left", "right"):
        spec = data.pop(side, None)
        if spec is not None:
            parts.append(
                f"{side}: {spec.reduce} of {_series(spec.metric, spec.labels)} over "
                f"{_text(spec.window)}"
            )
    parts.extend(f"{key} {_text(value)}" for key, value in data.items())
    return ", ".join(parts)


def _series(metric: str, labels: Mapping[str, str]) -> str:
    inner = ", ".join(f"{k}={v}" for k, v in sorted(labels.items()))
    return f"{metric}{{{inner}}}" if inner else metric


def _duration(delta: timedelta) -> str:
    """``27h``, ``90m``, ``7d``: the largest unit that states the value exactly."""
    seconds = int(delta.total_seconds())
    if seconds % 86400 == 0 and seconds >= 2 * 86400:
        return f"{seconds // 86400}d"
    if seconds % 3600 == 0:
        return f"{seconds // 3600}h"
    if seconds % 60 == 0:
        return f"{seconds // 60}m"
    return f"{delta.total_seconds():g}s"


def _text(value: object) -> str:
    if isinstance(value, timedelta):
        return _duration(value)
    if isinstance(value, list | tuple):
        return ", ".join(_text(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "strftime"):
        return str(value.strftime("%H:%M"))
    return str(value)
