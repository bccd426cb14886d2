"""Open the store a command should use. Callers get a :class:`Store`, never a backend class."""

from __future__ import annotations

from pathlib import Path

from oncall.adapters.store.location import (
    LEGACY_TEAM,
    StoreLocation,
    default_db_path,
    parse_location,
)
from oncall.adapters.store.protocol import Store

__all__ = ["open_store"]


def open_store(
    where: Path | str | StoreLocation | None = None, *, team: str = LEGACY_TEAM
) -> Store:
    """Open (creating and migrating if needed) the store at ``where``, for ``team``.

    ``where`` is a SQLite file path, a URL (``postgresql://...``, ``sqlite:///path``) or a
    resolved :class:`StoreLocation`; None means :func:`default_db_path`. The PostgreSQL driver
    is imported only here, only for a PostgreSQL URL. Close the store when done, or use it as a
    context manager.
    """
    if where is None:
        location = StoreLocation("default", path=default_db_path())
    elif isinstance(where, StoreLocation):
        location = where
    elif isinstance(where, Path):
        location = StoreLocation("path", path=where)
    else:
        location = parse_location(where, "store URL")
    if location.url is not None:
        from oncall.adapters.store.postgres import PostgresStore

        return PostgresStore.open(location.url, team=team)
    from oncall.adapters.store.sqlite import SqliteStore

    assert location.path is not None
    return SqliteStore.open(location.path, team=team)
