"""Where the store is: ``$ONCALL_STATE_DB``, else a file in the per-user state directory."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

__all__ = ["ENV_VAR", "default_db_path"]

ENV_VAR = "ONCALL_STATE_DB"


def default_db_path() -> Path:
    """``$ONCALL_STATE_DB`` if set and non-empty, else the per-user state dir's ``oncall.db``."""
    configured = os.environ.get(ENV_VAR, "").strip()
    if configured:
        return Path(configured).expanduser()
    return Path(platformdirs.user_state_dir("oncall")) / "oncall.db"
