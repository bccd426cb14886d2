"""One PostgreSQL connection: connecting with timeouts, migrations under a lock, transactions."""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Self

from oncall.adapters.store.location import LEGACY_TEAM, URL_ENV_VAR, mask_url
from oncall.adapters.store.postgres.schema import MIGRATION_LOCK, MIGRATIONS, SCHEMA_VERSION
from oncall.adapters.store.sql import SqlStore
from oncall.errors import StoreError, UsageError

if TYPE_CHECKING:
    import psycopg

__all__ = ["CONNECT_TIMEOUT", "STATEMENT_TIMEOUT", "PostgresStore"]

CONNECT_TIMEOUT = timedelta(seconds=5)
STATEMENT_TIMEOUT = timedelta(seconds=15)
LOCK_TIMEOUT = timedelta(seconds=10)

_CHECK = (
    "check the server is running and reachable (host, port, or the Cloud SQL Auth Proxy "
    "socket), the user and password (PGPASSWORD or ~/.pgpass), sslmode, and "
    f"{URL_ENV_VAR} or the store: of config/state.yaml"
)


@functools.lru_cache(maxsize=512)
def _placeholders(sql: str) -> str:
    return sql.replace("?", "%s")


class _Db:
    """The connection with ``?`` placeholders, as the shared SQL writes them."""

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self._conn = conn

    def execute(self, sql: str, parameters: Sequence[Any] = (), /) -> Any:
        return self._conn.execute(_placeholders(sql), parameters or None)


class PostgresStore(SqlStore):
    """A handle on a PostgreSQL database, for one team. Open with :meth:`open`; close when done."""

    LOCK_ROWS = " FOR UPDATE SKIP LOCKED"

    def __init__(self, url: str, conn: psycopg.Connection[Any], team: str = LEGACY_TEAM) -> None:
        self.url = url
        self.team = team
        self._conn = conn
        self._batched = False

    def describe(self) -> str:
        return f"the PostgreSQL store at {mask_url(self.url)}"

    @classmethod
    def open(cls, url: str, team: str = LEGACY_TEAM) -> Self:
        """Connect (bounded by :data:`CONNECT_TIMEOUT`) and apply any missing migrations."""
        try:
            import psycopg
        except ImportError:
            raise UsageError(
                f"{mask_url(url)} is a PostgreSQL store, and its driver is not installed: "
                "pip install 'oncall-cli[postgres]'"
            ) from None
        try:
            conn = psycopg.connect(
                url,
                autocommit=True,
                connect_timeout=max(1, int(CONNECT_TIMEOUT.total_seconds())),
                application_name="oncall",
            )
        except psycopg.Error as exc:
            raise _store_error(url, "reach", exc) from exc
        return cls(url, conn, team)._prepared()

    def _configure(self) -> None:
        def ms(duration: timedelta) -> int:
            return int(duration.total_seconds() * 1000)

        with self._guard("open"):
            self._conn.execute(
                f"SET statement_timeout = {ms(STATEMENT_TIMEOUT)}; "
                f"SET lock_timeout = {ms(LOCK_TIMEOUT)}; "
                "SET idle_in_transaction_session_timeout = 60000; SET TIME ZONE 'UTC'"
            )

    def schema_version(self) -> int:
        with self._read() as db:
            if db.execute("SELECT to_regclass('oncall_schema')").fetchone()[0] is None:
                return 0
            row = db.execute("SELECT version FROM oncall_schema").fetchone()
        return 0 if row is None else int(row[0])

    def _migrate(self) -> None:
        if self.schema_version() == SCHEMA_VERSION:
            return
        with self._write("upgrade") as db:
            db.execute("SELECT pg_advisory_xact_lock(?)", (MIGRATION_LOCK,))
            db.execute("CREATE TABLE IF NOT EXISTS oncall_schema (version INTEGER NOT NULL)")
            row = db.execute("SELECT version FROM oncall_schema").fetchone()
            if row is None:
                db.execute("INSERT INTO oncall_schema (version) VALUES (0)")
            version = 0 if row is None else int(row[0])
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"{self.describe()} has schema version {version}, newer than this oncall "
                    f"understands ({SCHEMA_VERSION}): upgrade oncall"
                )
            for number in range(version, SCHEMA_VERSION):
                for statement in MIGRATIONS[number]:
                    self._conn.execute(statement)
            db.execute("UPDATE oncall_schema SET version = ?", (SCHEMA_VERSION,))

    # ------------------------------------------------------------------ transactions

    @contextmanager
    def _guard(self, action: str) -> Iterator[None]:
        import psycopg

        try:
            yield
        except psycopg.Error as exc:
            raise _store_error(self.url, action, exc) from exc

    @contextmanager
    def _write(self, action: str = "write to") -> Iterator[_Db]:
        with self._guard(action), self._conn.transaction():
            yield _Db(self._conn)

    @contextmanager
    def _read(self) -> Iterator[_Db]:
        with self._guard("read"), self._conn.transaction():
            yield _Db(self._conn)

    @contextmanager
    def batch(self) -> Iterator[None]:
        """The writes inside share one transaction (each one a savepoint in it: psycopg nests
        transactions so), committed when the block ends, also when it raises (see
        :meth:`Store.batch`)."""
        if self._batched:
            yield
            return
        failure: BaseException | None = None
        with self._guard("write to"), self._conn.transaction():
            self._batched = True
            try:
                yield
            except BaseException as exc:  # commit what was written before it, then raise it
                failure = exc
            finally:
                self._batched = False
        if failure is not None:
            raise failure


def _store_error(url: str, action: str, exc: Exception) -> StoreError:
    """A StoreError naming the server (password masked), what went wrong and what to check."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    password = _password_of(url)
    if password:
        text = text.replace(password, "***")
    return StoreError(f"cannot {action} the PostgreSQL store at {mask_url(url)}: {text}; {_CHECK}")


def _password_of(url: str) -> str | None:
    from urllib.parse import parse_qs, urlsplit

    parts = urlsplit(url)
    if parts.password:
        return parts.password
    values = parse_qs(parts.query).get("password")
    return values[0] if values else None
