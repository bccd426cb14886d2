"""What the SQL store code needs from a backend: short transactions, one team, its dialect.

The runs, pages, outbox and published parts in this package are written once, in SQL that
SQLite and PostgreSQL both accept (``?`` placeholders, which a PostgreSQL backend rewrites;
times as ISO 8601 UTC text, which SQLite compares as text and PostgreSQL casts to
``timestamptz``). A backend subclasses :class:`SqlBase` and supplies the connection, the
transactions, the migrations and its error messages.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Any, ClassVar, Protocol, Self

from oncall.adapters.store.rules import page_not_found

__all__ = ["Cursor", "Db", "SqlBase"]


class Cursor(Protocol):
    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


class Db(Protocol):
    """A connection inside a transaction: ``execute`` with ``?`` placeholders."""

    def execute(self, sql: str, parameters: Sequence[Any] = ..., /) -> Any: ...


class SqlBase:
    """The part every SQL backend provides; the concern mix-ins build on it."""

    team: str
    LOCK_ROWS: ClassVar[str] = ""
    """Appended to the SELECT that picks outbox items to claim (``FOR UPDATE SKIP LOCKED``)."""

    _conn: Any
    """The backend's connection: closed by :meth:`close`."""

    def _configure(self) -> None:
        """Session settings, right after connecting."""

    def _migrate(self) -> None:
        """Apply the backend's missing migrations."""
        raise NotImplementedError

    def _prepared(self) -> Self:
        """Configured and migrated, or closed on any failure."""
        try:
            self._configure()
            self._migrate()
        except BaseException:
            self._conn.close()
            raise
        return self

    def check_writable(self) -> None:
        """Take the write lock and let it go: a StoreError now rather than mid-command."""
        with self._write():
            pass

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _write(self, action: str = "write to") -> AbstractContextManager[Db]:
        """One short write transaction, committed on exit, rolled back on an error."""
        raise NotImplementedError

    def _write_one(self, action: str = "write to") -> AbstractContextManager[Db]:
        """A write of a single statement (reads before it may only check, never write):
        :meth:`_write`, except that inside a batch a backend may leave out the savepoint,
        since one statement is undone whole when it fails."""
        return self._write(action)

    def _read(self) -> AbstractContextManager[Db]:
        """A read transaction: several SELECTs see one consistent snapshot."""
        raise NotImplementedError

    def batch(self) -> AbstractContextManager[None]:
        """Writes inside the block share one transaction (see ``Store.batch``)."""
        raise NotImplementedError

    def describe(self) -> str:
        raise NotImplementedError

    def _require_page(self, db: Db, page_id: str) -> None:
        found = db.execute(
            "SELECT 1 FROM pages WHERE page_id = ? AND team = ?", (page_id, self.team)
        ).fetchone()
        if found is None:
            raise page_not_found(page_id)
