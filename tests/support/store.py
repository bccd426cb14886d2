"""The store a CLI command of the test's project uses: its team's records, where it keeps them."""

from __future__ import annotations

import os
from pathlib import Path

from oncall.adapters.store import Store, open_store


def open_cli_store(config_dir: Path | None = None) -> Store:
    """Open the store the CLI opens for the project at ``$ONCALL_CONFIG_DIR`` (or ``config_dir``)."""
    from oncall.config import load_config
    from oncall.services.store import resolve_store_location, resolve_team_id

    cfg = load_config(config_dir or Path(os.environ["ONCALL_CONFIG_DIR"]), use_cache=False)
    return open_store(resolve_store_location(cfg), team=resolve_team_id(cfg))
