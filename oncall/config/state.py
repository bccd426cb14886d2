"""Loading ``config/state.yaml``: which state sources exist, checked strictly."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from oncall.config.locate import STATE_FILE
from oncall.config.marks import Marks
from oncall.config.models.state import (
    BigQuerySourceSpec,
    LocalSourceSpec,
    SourceSpec,
    SqlSourceSpec,
    StateFile,
    StoreSpec,
)
from oncall.domain.ids import ID_PATTERN
from oncall.errors import ConfigError, Problem

if TYPE_CHECKING:
    from oncall.config.loaded import Config

__all__ = [
    "DEFAULT_STATE_DIR",
    "DEFAULT_WAREHOUSE",
    "DEFAULT_WAREHOUSE_FILE",
    "StateConfig",
    "load_state_config",
]

DEFAULT_STATE_DIR = "state"
"""Without ``state.yaml``: the local ``default`` source reads ``state/`` beside ``config/``."""
DEFAULT_WAREHOUSE = "warehouse"
DEFAULT_WAREHOUSE_FILE = "warehouse.db"
"""Without ``state.yaml``: the ``warehouse`` SQL source is the SQLite file ``state/warehouse.db``
(``oncall state demo`` writes it)."""


@dataclass(frozen=True)
class StateConfig:
    """The configured state sources: where they were read and how each is defined."""

    path: Path | None
    """``config/state.yaml``, or None when absent or naming no ``sources`` (then the defaults:
    a local ``default`` at ``state/`` and the ``warehouse`` SQLite file)."""
    base_dir: Path
    """Relative ``path`` values are relative to this directory."""
    sources: dict[str, SourceSpec]
    marks: Marks | None = None
    store: StoreSpec | None = None
    """Where the team's records are kept (``store:``), or None for the default."""

    def local_path(self, name: str = "default") -> Path | None:
        """The directory of a local source, or None if ``name`` is not a local source."""
        spec = self.sources.get(name)
        if not isinstance(spec, LocalSourceSpec) or spec.path is None:
            return None
        path = Path(spec.path).expanduser()
        return path if path.is_absolute() else self.base_dir / path

    def sqlite_path(self, name: str) -> Path | None:
        """The SQLite file of a ``sql`` source given by ``path``, else None."""
        spec = self.sources.get(name)
        if not isinstance(spec, SqlSourceSpec) or spec.path is None:
            return None
        path = Path(spec.path).expanduser()
        return path if path.is_absolute() else self.base_dir / path

    def describe(self, name: str) -> str:
        """Where a source reads, for people: never a password."""
        spec = self.sources[name]
        if isinstance(spec, LocalSourceSpec):
            return f"local files in {self.local_path(name)}"
        if isinstance(spec, SqlSourceSpec):
            if spec.path is not None:
                return f"SQLite database {self.sqlite_path(name)}"
            return f"SQL database at ${spec.url_env}"
        if isinstance(spec, BigQuerySourceSpec):
            where = f" at {spec.endpoint}" if spec.endpoint else ""
            return f"BigQuery, project {spec.project}{where}"
        where = f" at {spec.endpoint}" if spec.endpoint else ""
        return f"Cloud Monitoring, project {spec.project}{where}"


def load_state_config(cfg: Config) -> StateConfig:
    """``config/state.yaml`` checked strictly; absent means a local ``default`` at ``state/``."""
    from oncall.config.located import load_model

    path = cfg.dir / STATE_FILE
    model, marks = load_model(path, StateFile, required=False)
    if model is None or model.sources is None:
        default = LocalSourceSpec(kind="local", path=DEFAULT_STATE_DIR)
        warehouse = SqlSourceSpec(kind="sql", path=f"{DEFAULT_STATE_DIR}/{DEFAULT_WAREHOUSE_FILE}")
        sources: dict[str, SourceSpec] = {"default": default, DEFAULT_WAREHOUSE: warehouse}
        # No sources named (absent, or a file that only says where the store is): the defaults.
        return StateConfig(
            None, cfg.dir.parent, sources, store=None if model is None else model.store
        )
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
    return StateConfig(path, path.parent, dict(model.sources), marks, model.store)
