"""Loading ``config/state.yaml``: which state sources exist, checked strictly."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from oncall.config.locate import STATE_FILE
from oncall.config.marks import Marks
from oncall.config.models.state import LocalSourceSpec, SourceSpec, StateFile
from oncall.domain.ids import ID_PATTERN
from oncall.errors import ConfigError, Problem

if TYPE_CHECKING:
    from oncall.config.loaded import Config

__all__ = ["DEFAULT_STATE_DIR", "StateConfig", "load_state_config"]

DEFAULT_STATE_DIR = "state"
"""Without ``state.yaml``: the local ``default`` source reads ``state/`` beside ``config/``."""


@dataclass(frozen=True)
class StateConfig:
    """The configured state sources: where they were read and how each is defined."""

    path: Path | None
    """``config/state.yaml``, or None when absent (then only a local ``default`` exists)."""
    base_dir: Path
    """Relative ``path`` values are relative to this directory."""
    sources: dict[str, SourceSpec]
    marks: Marks | None = None

    def local_path(self, name: str = "default") -> Path | None:
        """The directory of a local source, or None if ``name`` is not a local source."""
        spec = self.sources.get(name)
        if not isinstance(spec, LocalSourceSpec) or spec.path is None:
            return None
        path = Path(spec.path).expanduser()
        return path if path.is_absolute() else self.base_dir / path

    def describe(self, name: str) -> str:
        spec = self.sources[name]
        if isinstance(spec, LocalSourceSpec):
            return f"local files in {self.local_path(name)}"
        where = f" at {spec.endpoint}" if spec.endpoint else ""
        return f"Cloud Monitoring, project {spec.project}{where}"


def load_state_config(cfg: Config) -> StateConfig:
    """``config/state.yaml`` checked strictly; absent means a local ``default`` at ``state/``."""
    from oncall.config.located import load_model

    path = cfg.dir / STATE_FILE
    model, marks = load_model(path, StateFile, required=False)
    if model is None:
        default = LocalSourceSpec(kind="local", path=DEFAULT_STATE_DIR)
        return StateConfig(None, cfg.dir.parent, {"default": default})
    problems: list[Problem] = [
        marks.problem(
            ("sources", name),
            f"sources.{name}: source names use lowercase letters, digits, '-' and '_'",
            key=True,
        )
        for name in model.sources
        if not ID_PATTERN.match(name)
    ]
    if problems:
        raise ConfigError(problems)
    return StateConfig(path, path.parent, dict(model.sources), marks)
