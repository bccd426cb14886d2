"""The state sources of a project: ``config/state.yaml`` read, each source built once."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from oncall.adapters.state import StateSource, build_source
from oncall.config.models.state import QUERY_KINDS
from oncall.config.state import StateConfig, load_state_config
from oncall.domain.checks import Check, ReconcileCheck
from oncall.domain.checks.fields import Selector
from oncall.domain.checks.sqltext import compute_parameter_problem
from oncall.errors import ConfigError, Problem, SourceSpecError

if TYPE_CHECKING:
    from oncall.config import Config
    from oncall.services.runbook.catalog import LoadedRunbook

__all__ = ["StateSources", "check_source", "compute_source_problems", "load_state_sources"]


@dataclass
class StateSources:
    """The configured state sources, built on first use; close them when done (a context
    manager)."""

    config: StateConfig
    _built: dict[str, StateSource] = field(default_factory=dict)

    @property
    def path(self) -> Path | None:
        """``config/state.yaml``, or None when absent (then only a local ``default`` exists)."""
        return self.config.path

    @property
    def names(self) -> list[str]:
        return list(self.config.sources)

    def kind(self, name: str) -> str:
        return self.config.sources[name].kind

    def get(self, name: str) -> StateSource:
        if name not in self._built:
            self._built[name] = build_source(name, self.config.sources[name], self.config.base_dir)
        return self._built[name]

    def refresh(self, name: str) -> StateSource:
        """A fresh source (local files are re-read, a new channel is opened)."""
        old = self._built.pop(name, None)
        if old is not None:
            _close(old)
        return self.get(name)

    def used_by(self, loaded: LoadedRunbook) -> list[str]:
        """The sources a runbook's checks read: its own and any a check names."""
        return list(dict.fromkeys([loaded.runbook.source, *_named_sources(loaded)]))

    def local_path(self, name: str = "default") -> Path | None:
        """The directory of a local source, or None if ``name`` is not a local source."""
        return self.config.local_path(name)

    def describe(self, name: str) -> str:
        return self.config.describe(name)

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
    state = load_state_config(cfg)
    problems: list[Problem] = []
    for name, spec in state.sources.items():
        try:
            _close(build_source(name, spec, state.base_dir))
        except SourceSpecError as exc:
            assert state.marks is not None  # the default source is always buildable
            loc: tuple[str, ...] = ("sources", name, exc.key) if exc.key else ("sources", name)
            problems.append(state.marks.problem(loc, f"sources.{name}: {exc}"))
    if problems:
        raise ConfigError(problems)
    return StateSources(state)


def check_source(loaded: LoadedRunbook, sources: StateSources) -> None:
    """ConfigError, located in the runbook, when its ``source`` or a check's is not defined,
    or a check gives a ``metric`` to a SQL source or a ``query`` to a metric source."""
    problems = compute_source_problems(loaded, sources.config)
    if problems:
        raise ConfigError(problems)


def _named_sources(loaded: LoadedRunbook) -> list[str]:
    names: list[str] = []
    for _, check in loaded.checks:
        names.extend(sel.source for _, sel in _selectors(check) if sel.source)
        own = getattr(check, "source", None)
        if isinstance(own, str):
            names.append(own)
    return names


def _selectors(check: Check) -> list[tuple[tuple[str | int, ...], Selector]]:
    """Each series a check reads, with its key path inside the check."""
    if isinstance(check, ReconcileCheck):
        return [(("left",), check.left), (("right",), check.right)]
    assert isinstance(check, Selector)
    return [((), check)]


def compute_source_problems(loaded: LoadedRunbook, state: StateConfig) -> list[Problem]:
    """Every unknown source and every metric/query given to the wrong kind of source."""
    defined = state.sources
    if state.path is None:
        where = (
            "there is no config/state.yaml, so only 'default' (local files in state/ beside "
            "config/) and 'warehouse' (the SQLite file state/warehouse.db) exist: define it "
            "in config/state.yaml"
        )
    else:
        where = f"defined in {state.path.name}: {', '.join(defined)}"
    runbook_source = loaded.runbook.source
    if runbook_source not in defined:
        text = f"source: unknown state source '{runbook_source}' ({where})"
        return [loaded.marks.problem(("source",), text)]
    problems: list[Problem] = []
    for index, (step, check) in enumerate(_numbered_checks(loaded)):
        base: tuple[str | int, ...] = ("steps", step, "checks", index)
        own = getattr(check, "source", None)
        for path, sel in _selectors(check):
            name = sel.source or (own if isinstance(own, str) else None) or runbook_source
            at = (*base, *path)
            if name not in defined:
                key = (*at, "source") if sel.source else (*base, "source")
                text = f"{check.id}: unknown state source '{name}' ({where})"
                problems.append(loaded.marks.problem(key, text))
                continue
            kind = defined[name].kind
            if sel.query is not None and kind not in QUERY_KINDS:
                text = (
                    f"{check.id}: 'query' needs a sql or bigquery source, and '{name}' is "
                    f"{kind}: name one with source:, or give a metric"
                )
                problems.append(loaded.marks.problem((*at, "query"), text))
            elif sel.query is not None:
                wrong = compute_parameter_problem(sel.query, "@" if kind == "bigquery" else ":")
                if wrong is not None:
                    problems.append(loaded.marks.problem((*at, "query"), f"{check.id}: {wrong}"))
            elif sel.metric is not None and kind in QUERY_KINDS:
                text = (
                    f"{check.id}: source '{name}' is {kind} and runs SQL: give a 'query' "
                    "(a SELECT returning time and value) instead of 'metric'"
                )
                problems.append(loaded.marks.problem((*at, "metric"), text))
    return problems


def _numbered_checks(loaded: LoadedRunbook) -> list[tuple[int, Check]]:
    """(step index, check) in file order, for locating a check's keys."""
    out: list[tuple[int, Check]] = []
    for number, step in enumerate(loaded.runbook.steps):
        out.extend((number, check) for check in step.checks)
    return out
