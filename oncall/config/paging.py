"""Loading ``config/paging.yaml`` (beside owners.yaml) into :class:`PagingConfig`.

Once the file has validated, the data its YAML held is cached beside the config cache
(``$ONCALL_CACHE_DIR/paging/``), keyed by the file's bytes and path, the versions of oncall
and Python and the code of the loader and the models (``cache.code_stamp``). A hit
validates that same data again without reading YAML (no PyYAML import, no parse): the same
model, the same marks. A missing, stale or corrupt entry only costs the full read.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from oncall.config.locate import PAGING_FILE
from oncall.config.marks import Marks
from oncall.errors import PagingNotConfiguredError

if TYPE_CHECKING:
    from oncall.config.loaded import Config
    from oncall.config.models.paging import PagingConfig

__all__ = ["load_paging_config", "paging_path"]

PAGING_CACHE_FORMAT = "1"


def paging_path(cfg: Config) -> Path:
    return cfg.dir / PAGING_FILE


def load_paging_config(cfg: Config, *, use_cache: bool = True) -> tuple[PagingConfig, Marks]:
    """``paging.yaml``, validated, and where each of its keys was written.

    Raises PagingNotConfiguredError (exit 2) if the file is missing and ConfigError with
    located problems if it is invalid.
    """
    path = paging_path(cfg)
    entry = None
    if use_cache:
        try:
            entry = _entry_path(path, path.read_bytes())
        except OSError:
            entry = None  # missing or unreadable: the full read says so
    if entry is not None:
        cached = _read_entry(entry, path)
        if cached is not None:
            return cached
    from oncall.config.located import validate_data
    from oncall.config.models.paging import PagingConfig
    from oncall.config.yamlfile import load_yaml

    data, marks = load_yaml(path, required=False)
    if data is None:
        raise PagingNotConfiguredError(path)
    config = validate_data(data, PagingConfig, marks)
    if entry is not None:
        _write_entry(entry, path, data, marks)
    return config, marks


def _entry_path(path: Path, content: bytes) -> Path:
    from oncall import __version__
    from oncall.config.cache import cache_root, code_stamp

    digest = hashlib.sha256()
    for part in (PAGING_CACHE_FORMAT, __version__, sys.version, code_stamp()):
        digest.update(part.encode() + b"\0")
    digest.update(str(path).encode() + b"\0" + str(path.resolve()).encode() + b"\0")
    digest.update(content)
    return cache_root() / "paging" / f"{digest.hexdigest()}.json"


def _read_entry(entry: Path, path: Path) -> tuple[PagingConfig, Marks] | None:
    """The cached data validated again (the same model as from the YAML), or None."""
    try:
        raw = json.loads(entry.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not (isinstance(raw, dict) and raw.get("format") == PAGING_CACHE_FORMAT):
        return None
    from pydantic import ValidationError

    from oncall.config.models.paging import PagingConfig

    try:
        marks = Marks(path)
        marks.load_plain(raw)
        if not isinstance(raw["data"], dict):
            return None
        return PagingConfig.model_validate(raw["data"]), marks
    except (KeyError, TypeError, ValueError, ValidationError):
        return None  # corrupt entry: read the file again


def _write_entry(entry: Path, path: Path, data: Any, marks: Marks) -> None:
    """Cache what the YAML held, when JSON gives back exactly that (and the file did not
    change while it was read); a cache that cannot be written costs a full read next time."""
    from oncall.adapters.files import atomic_write
    from oncall.config.cache import CACHE_KEEP, prune

    try:
        text = json.dumps(
            {
                "format": PAGING_CACHE_FORMAT,
                "data": data,
                **marks.to_plain(),
            },
            separators=(",", ":"),
            allow_nan=False,
        )
        if json.loads(text)["data"] != data or _entry_path(path, path.read_bytes()) != entry:
            return
    except (OSError, TypeError, ValueError):
        return  # not plain JSON data (a YAML date, say), or the file is gone
    with contextlib.suppress(OSError):
        atomic_write(entry, text.encode(), durable=False)
        prune(entry.parent, keep=CACHE_KEEP)
