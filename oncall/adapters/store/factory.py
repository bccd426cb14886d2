"""Open the store a command should use. Callers get a :class:`Store`, never a backend class."""

from __future__ import annotations

from pathlib import Path

from oncall.adapters.store.location import default_db_path
from oncall.adapters.store.protocol import Store
from oncall.adapters.store.sqlite import SqliteStore

__all__ = ["open_store"]


def open_store(path: Path | None = None) -> Store:
    """Open (creating and migrating if needed) the store at ``path``.

    ``path`` is a SQLite file; None means :func:`default_db_path` (``$ONCALL_STATE_DB``, else
    the per-user state directory). Close it when done, or use it as a context manager.
    """
    return SqliteStore.open(default_db_path() if path is None else Path(path))
