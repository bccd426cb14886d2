"""Loading ``config/paging.yaml`` (beside owners.yaml) into :class:`PagingConfig`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from oncall.config.locate import PAGING_FILE
from oncall.errors import PagingNotConfiguredError

if TYPE_CHECKING:
    from oncall.config.loaded import Config
    from oncall.config.marks import Marks
    from oncall.config.models.paging import PagingConfig

__all__ = ["load_paging_config", "paging_path"]


def paging_path(cfg: Config) -> Path:
    return cfg.dir / PAGING_FILE


def load_paging_config(cfg: Config) -> tuple[PagingConfig, Marks]:
    """``paging.yaml``, validated, and where each of its keys was written.

    Raises PagingNotConfiguredError (exit 2) if the file is missing and ConfigError with
    located problems if it is invalid.
    """
    from oncall.config.located import load_model
    from oncall.config.models.paging import PagingConfig

    path = paging_path(cfg)
    config, marks = load_model(path, PagingConfig, required=False)
    if config is None:
        raise PagingNotConfiguredError(path)
    return config, marks
