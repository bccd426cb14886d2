"""Reading ``schedule.lock.yaml``: the announced shifts, strictly, with located errors."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from oncall.config.locate import LOCK_FILE

if TYPE_CHECKING:
    from oncall.config.marks import Marks
    from oncall.config.models.lock import LockFile

__all__ = ["load_locks", "lock_path"]


def lock_path(config_dir: Path) -> Path:
    return config_dir / LOCK_FILE


def load_locks(config_dir: Path) -> tuple[LockFile | None, Marks | None]:
    """The lock file of ``config_dir`` and its marks; (None, None) when there is none.

    ConfigError (located) when it exists and is wrong. Imports pydantic only when the file
    exists.
    """
    path = lock_path(config_dir)
    if not path.is_file():
        return None, None
    from oncall.config.located import load_model
    from oncall.config.models.lock import LockFile

    model, marks = load_model(path, LockFile, required=False)
    return model, marks
