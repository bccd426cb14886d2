"""One SQLite connection: opening (mode 0600), WAL, migrations, short transactions, errors.

One file, shared safely by several processes (and machines on a shared disk that honours
POSIX locks): WAL journal, a busy timeout, and every write in its own short
``BEGIN IMMEDIATE`` transaction that is committed before the call returns, so a crash loses
nothing already reported.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Self

from oncall.adapters.store.location import ENV_VAR, LEGACY_TEAM
from oncall.adapters.store.sql import SqlStore
from oncall.adapters.store.sqlite.schema import MIGRATIONS, SCHEMA_VERSION
from oncall.errors import StoreError

__all__ = ["BUSY_TIMEOUT", "SqliteStore"]

BUSY_TIMEOUT = timedelta(seconds=10)
_WAL_RETRY_PAUSE = timedelta(milliseconds=20)

_FIX = f"set {ENV_VAR} to a writable file path"


class SqliteStore(SqlStore):
    """A handle on the SQLite state file. Open with :meth:`open`; close when done."""

    def __init__(self, path: Path, conn: sqlite3.Connection, team: str = LEGACY_TEAM) -> None:
        self.path = path
        self.team = team
        self._conn = conn
        self._batched = False

    def describe(self) -> str:
        return f"the store at {self.path}"

    # ------------------------------------------------------------------ lifecycle

    @classmethod
    def open(cls, path: Path, team: str = LEGACY_TEAM) -> Self:
        """Open (creating if needed, mode 0600) the store at ``path``, for ``team``."""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"cannot create the state directory {path.parent}: {exc.strerror or exc}; {_FIX}"
            ) from exc
        _create_private(path)
        try:
            conn = sqlite3.connect(
                path,
                timeout=BUSY_TIMEOUT.total_seconds(),
                isolation_level=None,  # no implicit transactions: we BEGIN/COMMIT ourselves
            )
        except sqlite3.Error as exc:
            raise _store_error(path, "open", exc) from exc
        return cls(path, conn, team)._prepared()

    def schema_version(self) -> int:
        with self._guard("read"):
            row = self._conn.execute("PRAGMA user_version").fetchone()
        return int(row[0])

    def _configure(self) -> None:
        with self._guard("open"):
            ms = int(BUSY_TIMEOUT.total_seconds() * 1000)
            self._conn.execute(f"PRAGMA busy_timeout = {ms}")
            self._conn.execute("PRAGMA foreign_keys = ON")
            mode = self._switch_to_wal()
            self._conn.execute("PRAGMA synchronous = FULL")
        if str(mode).lower() != "wal":
            raise StoreError(
                f"cannot use WAL journal mode for the store at {self.path} (got {mode!r}); "
                f"the file system may not support it: {_FIX} on a local disk"
            )

    def _switch_to_wal(self) -> str:
        """Set WAL mode. SQLite answers "locked" at once, without waiting on the busy timeout,
        while another connection is switching a fresh file to WAL; so retry, boundedly."""
        attempts = int(BUSY_TIMEOUT / _WAL_RETRY_PAUSE)
        for attempt in range(attempts):
            try:
                return str(self._conn.execute("PRAGMA journal_mode = WAL").fetchone()[0])
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or attempt == attempts - 1:
                    raise
                time.sleep(_WAL_RETRY_PAUSE.total_seconds())
        raise AssertionError("unreachable")  # pragma: no cover

    def _migrate(self) -> None:
        if self.schema_version() == SCHEMA_VERSION:
            return
        with self._write("upgrade"):
            version = int(self._conn.execute("PRAGMA user_version").fetchone()[0])
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"the store at {self.path} has schema version {version}, newer than this "
                    f"oncall understands ({SCHEMA_VERSION}): upgrade oncall, or {_FIX}"
                )
            for number in range(version, SCHEMA_VERSION):
                for statement in MIGRATIONS[number]:
                    self._conn.execute(statement)
            self._conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    # ------------------------------------------------------------------ transactions

    @contextmanager
    def _guard(self, action: str) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as exc:
            raise _store_error(self.path, action, exc) from exc

    @contextmanager
    def _write(self, action: str = "write to") -> Iterator[sqlite3.Connection]:
        """One short write transaction holding the write lock from the start; committed on exit.
        In a :meth:`batch`, a savepoint of the batch's transaction instead."""
        if self._batched:
            with self._guard(action), self._savepoint():
                yield self._conn
            return
        with self._guard(action):
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    @contextmanager
    def _write_one(self, action: str = "write to") -> Iterator[sqlite3.Connection]:
        """A single-statement write: in a :meth:`batch`, without a savepoint (SQLite undoes
        a failed statement whole and keeps the transaction; an error that ends the
        transaction would have ended it with a savepoint too)."""
        if not self._batched:
            with self._write(action) as db:
                yield db
            return
        with self._guard(action):
            yield self._conn

    @contextmanager
    def _savepoint(self) -> Iterator[None]:
        """A write inside a batch: undone alone if it fails, the batch's other writes kept."""
        self._conn.execute("SAVEPOINT oncall_write")
        try:
            yield
        except BaseException:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK TO oncall_write")
                self._conn.execute("RELEASE oncall_write")
            raise
        self._conn.execute("RELEASE oncall_write")

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        """A read transaction: several SELECTs see one consistent snapshot (in a batch, the
        batch's own transaction, its writes included)."""
        if self._batched:
            with self._guard("read"):
                yield self._conn
            return
        with self._guard("read"):
            self._conn.execute("BEGIN")
            try:
                yield self._conn
            finally:
                self._conn.execute("COMMIT")

    @contextmanager
    def batch(self) -> Iterator[None]:
        """The writes inside share one transaction (one commit, one flush to disk), committed
        when the block ends, also when it raises (see :meth:`Store.batch`)."""
        if self._batched:
            yield
            return
        with self._guard("write to"):
            self._conn.execute("BEGIN IMMEDIATE")
        self._batched = True
        try:
            yield
        finally:
            self._batched = False
            with self._guard("write to"):
                try:
                    self._conn.execute("COMMIT")
                except BaseException:
                    if self._conn.in_transaction:
                        self._conn.execute("ROLLBACK")
                    raise


def _create_private(path: Path) -> None:
    """Create the file readable by its owner only (SQLite gives -wal and -shm the same mode)."""
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return
    except OSError:
        return  # sqlite3.connect reports what is wrong with the location
    os.close(fd)


def _store_error(path: Path, action: str, exc: sqlite3.Error) -> StoreError:
    """A StoreError naming the file, what went wrong and how to fix it."""
    text = str(exc)
    lowered = text.lower()
    if "not a database" in lowered or "malformed" in lowered:
        hint = f"the file is corrupt or not an oncall store: move it aside, or {_FIX}"
    elif "locked" in lowered or "busy" in lowered:
        hint = (
            f"another process held the store for over {BUSY_TIMEOUT.total_seconds():g}s: "
            "retry, or find the stuck oncall process"
        )
    elif "readonly" in lowered or "unable to open" in lowered or "permission" in lowered:
        hint = f"check the file and its directory are writable, or {_FIX}"
    elif "disk" in lowered or "full" in lowered or "i/o" in lowered:
        hint = f"check free space and the disk, or {_FIX}"
    else:
        hint = f"if this persists, move the file aside or {_FIX}"
    return StoreError(f"cannot {action} the store at {path}: {text}; {hint}")


def hand_over(store: SqliteStore, run_ids: list[str], page_ids: list[str], team: str) -> None:
    """Mark records written before teams (team '') as ``team``'s: moved, never deleted."""
    with store._write() as db:
        for table, key, ids in (
            ("runs", "run_id", run_ids),
            ("pages", "page_id", page_ids),
            ("outbox", "page_id", page_ids),
        ):
            for chunk in range(0, len(ids), 500):
                part = ids[chunk : chunk + 500]
                marks = ", ".join("?" * len(part))
                db.execute(
                    f"UPDATE {table} SET team = ? WHERE team = '' AND {key} IN ({marks})",
                    (team, *part),
                )
