"""The state sources of a project: ``config/state.yaml`` read, each source built once."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from oncall.adapters.state import StateSource, build_source
from oncall.config.state import StateConfig, load_state_config
from oncall.errors import ConfigError, Problem, SourceSpecError

if TYPE_CHECKING:
    from oncall.config import Config
    from oncall.services.runbook.catalog import LoadedRunbook

__all__ = ["StateSources", "check_source", "load_state_sources"]


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
    """ConfigError, located in the runbook, when its ``source`` is not defined."""
    name = loaded.runbook.source
    if name in sources.config.sources:
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
