"""Where the config lives: the directory lookup and the name of every file in it.

Lookup order of the config directory: ``--config-dir``, ``ONCALL_CONFIG_DIR``, then
``config/`` in the current directory or its nearest parent. ``runbooks/`` sits beside it.
"""

from __future__ import annotations

import os
from pathlib import Path

from oncall.errors import ConfigNotFoundError

CONFIG_DIR = "config"
"""The folder searched for in the current directory and its parents."""
OWNERS_FILE = "owners.yaml"
ROTATION_FILE = "rotation.yaml"
STATE_FILE = "state.yaml"
PAGING_FILE = "paging.yaml"
LOCK_FILE = "schedule.lock.yaml"
"""Announced shifts, written by ``oncall schedule lock`` (optional)."""
PUBLISH_FILE = "publish.yaml"
RUNBOOKS_DIR = "runbooks"
"""Beside the config directory, not inside it: ``<project>/runbooks/<name>.yaml``."""
CONFIG_DIR_ENV = "ONCALL_CONFIG_DIR"


def find_config_dir(explicit: Path | None = None, *, cwd: Path | None = None) -> Path:
    """The config directory: ``explicit``, ``$ONCALL_CONFIG_DIR``, or the nearest ``config/``."""
    if explicit is not None:
        return explicit
    env = os.environ.get(CONFIG_DIR_ENV)
    if env:
        return Path(env)
    here = (cwd or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / CONFIG_DIR
        if (candidate / OWNERS_FILE).is_file():
            try:
                return candidate.relative_to(here)
            except ValueError:
                return candidate
    raise ConfigNotFoundError(
        f"no config found in {here} or its parents: pass --config-dir DIR, set "
        f"{CONFIG_DIR_ENV}, or run from a directory with {CONFIG_DIR}/{OWNERS_FILE} "
        "(`oncall init` creates one)"
    )


def runbooks_dir(config_dir: Path) -> Path:
    """The runbooks folder of the project whose config is ``config_dir``."""
    return config_dir.parent / RUNBOOKS_DIR
