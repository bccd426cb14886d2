"""Pipeline state from SQL queries: MySQL, PostgreSQL and SQLite through SQLAlchemy 2.

``sqlalchemy`` and the drivers are imported when the source runs its first query. Each query
runs in its own read-only transaction with a statement timeout, and is always rolled back:

* PostgreSQL (psycopg): ``SET TRANSACTION READ ONLY``, ``SET LOCAL statement_timeout`` and the
  session's ``TimeZone`` set to the source's zone (so ``timestamp`` columns without a zone
  compare in it); ``:start``/``:end`` are bound as aware timestamps.
* MySQL and MariaDB (PyMySQL): ``SET TRANSACTION READ ONLY`` and ``max_execution_time``
  (MariaDB: ``max_statement_time``), a read timeout on the socket, and the session's
  ``time_zone`` set to the source's zone (its name, or its fixed offset when the server has no
  time zone tables), so ``TIMESTAMP`` columns come back in it; bounds are bound as naive
  ``DATETIME`` values in the source's zone.
* SQLite: ``PRAGMA query_only`` and a progress handler that interrupts a statement past its
  deadline; bounds are bound as ``YYYY-MM-DD HH:MM:SS`` text in the source's zone.

The URL comes from the environment variable the source names and is never shown: messages
say ``$ONCALL_FINANCE_DB_URL``, or the URL with its password masked.
"""

from __future__ import annotations

import math
import re
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from oncall.adapters.state.rows import compute_bind_bounds, rows_to_points
from oncall.domain.checks import Point, SeriesQuery
from oncall.domain.checks.sqltext import compute_parameter_problem
from oncall.errors import StateSourceError

__all__ = ["SqlStateSource", "mask_url"]

_PASSWORD = re.compile(r"(?P<head>://[^:/@]*:)(?P<secret>[^@/]*)@")


def mask_url(url: str) -> str:
    """``mysql+pymysql://u:secret@h/db`` -> ``mysql+pymysql://u:***@h/db``."""
    return _PASSWORD.sub(lambda m: f"{m['head']}***@", url)


class SqlStateSource:
    """A ``StateSource`` answering SQL ``SeriesQuery`` values from one database."""

    def __init__(
        self,
        name: str,
        url: str,
        *,
        timeout: float = 30.0,
        timezone: str = "UTC",
        shown_as: str | None = None,
    ) -> None:
        if not timeout > 0 or not math.isfinite(timeout):
            raise ValueError(f"state source {name!r}: timeout must be a positive number")
        self.name = name
        self.url = url
        self.timeout = float(timeout)
        self.zone = ZoneInfo(timezone)
        self.shown_as = shown_as or mask_url(url)
        self._lock = threading.Lock()
        self._engine: Any = None
        self.sqlite_file: Path | None = None

    @classmethod
    def for_sqlite(
        cls, name: str, path: Path, *, timeout: float = 30.0, timezone: str = "UTC"
    ) -> SqlStateSource:
        """A SQLite file, opened read-only; a missing file is an error, never created."""
        url = f"sqlite:///file:{path}?mode=ro&uri=true"
        source = cls(name, url, timeout=timeout, timezone=timezone, shown_as=f"SQLite {path}")
        source.sqlite_file = path
        return source

    def __repr__(self) -> str:
        return f"SqlStateSource({self.name!r}, {self.shown_as!r})"

    @property
    def dialect(self) -> str:
        return self.url.split(":", 1)[0].split("+", 1)[0]

    def close(self) -> None:
        with self._lock:
            engine, self._engine = self._engine, None
        if engine is not None:
            engine.dispose()

    # -- querying --------------------------------------------------------------------------

    def fetch(self, query: SeriesQuery) -> list[Point]:
        if query.sql is None:
            raise StateSourceError(
                f"state source {self.name!r} runs SQL: give the check a 'query', not a 'metric'"
            )
        problem = compute_parameter_problem(query.sql, ":")
        if problem is not None:
            raise StateSourceError(f"state source {self.name!r}: {query.what}: {problem}")
        try:
            columns, rows = self._run(query.sql, query)
        except StateSourceError:
            raise
        except Exception as exc:
            raise self._translate(exc, query) from exc
        return rows_to_points(self.name, columns, rows, query, self.zone)

    def probe(self) -> None:
        """``SELECT 1`` in a read-only transaction (doctor)."""
        try:
            self._execute("SELECT 1", {}, time.monotonic() + self.timeout)
        except StateSourceError:
            raise
        except Exception as exc:
            raise self._translate(exc, None) from exc

    def _run(self, sql: str, query: SeriesQuery) -> tuple[list[str], list[tuple[Any, ...]]]:
        bounds = compute_bind_bounds(query, self.zone, naive=self.dialect != "postgresql")
        if self.dialect == "sqlite":
            bounds = {k: v.strftime("%Y-%m-%d %H:%M:%S") for k, v in bounds.items()}
        return self._execute(sql, bounds, time.monotonic() + self.timeout)

    def _execute(
        self, sql: str, params: dict[str, Any], deadline: float
    ) -> tuple[list[str], list[tuple[Any, ...]]]:
        if self.sqlite_file is not None and not self.sqlite_file.is_file():
            raise StateSourceError(
                f"state source {self.name!r}: the SQLite file {self.sqlite_file} does not exist: "
                "write the demo warehouse with `oncall state demo`, or fix the source's path"
            )
        from sqlalchemy import text

        try:
            conn = self._get_engine().connect()
        except Exception as exc:
            raise _ConnectError(exc) from exc
        with conn:
            raw = conn.connection.driver_connection
            if self.dialect == "sqlite":
                raw.execute("PRAGMA query_only = ON")
                raw.set_progress_handler(lambda: int(time.monotonic() > deadline), 1000)
            with conn.begin() as transaction:
                self._read_only(conn, deadline)
                result = conn.execute(text(sql), params)
                columns = list(result.keys())
                rows = [tuple(row) for row in result]
                transaction.rollback()
            if self.dialect == "sqlite":
                raw.set_progress_handler(None, 0)
        return columns, rows

    def _read_only(self, conn: Any, deadline: float) -> None:
        ms = max(int((deadline - time.monotonic()) * 1000), 1)
        if self.dialect == "postgresql":
            conn.exec_driver_sql("SET TRANSACTION READ ONLY")
            conn.exec_driver_sql(f"SET LOCAL statement_timeout = {ms}")
            conn.exec_driver_sql(f"SET LOCAL TIME ZONE '{self.zone.key}'")
        elif self.dialect == "mysql":
            conn.exec_driver_sql("SET SESSION TRANSACTION READ ONLY")
            if getattr(conn.dialect, "is_mariadb", False):
                conn.exec_driver_sql(f"SET SESSION max_statement_time = {ms / 1000:.3f}")
            else:
                conn.exec_driver_sql(f"SET SESSION max_execution_time = {ms}")
            self._mysql_time_zone(conn)

    def _mysql_time_zone(self, conn: Any) -> None:
        """The session's ``time_zone``: the zone's name, else its offset if it has only one."""
        try:
            conn.exec_driver_sql("SET SESSION time_zone = %s", (self.zone.key,))
            return
        except Exception:  # the server has no time zone tables: it knows no names
            pass
        now = datetime.now(self.zone)
        offsets = {(now + timedelta(days=d)).utcoffset() or timedelta(0) for d in range(0, 366, 30)}
        if len(offsets) == 1:
            minutes = int(offsets.pop().total_seconds()) // 60
            sign = "+" if minutes >= 0 else "-"
            hours, rest = divmod(abs(minutes), 60)
            conn.exec_driver_sql(f"SET SESSION time_zone = '{sign}{hours:02d}:{rest:02d}'")

    def _get_engine(self) -> Any:
        with self._lock:
            if self._engine is None:
                self._engine = self._make_engine()
            return self._engine

    def _make_engine(self) -> Any:
        from sqlalchemy import create_engine
        from sqlalchemy.pool import NullPool

        seconds = max(math.ceil(self.timeout), 1)
        connect_args: dict[str, Any] = {}
        if self.dialect == "postgresql":
            connect_args = {"connect_timeout": seconds}
        elif self.dialect == "mysql":
            connect_args = {
                "connect_timeout": seconds,
                "read_timeout": seconds,
                "write_timeout": seconds,
            }
        elif self.dialect == "sqlite":
            connect_args = {"timeout": self.timeout, "check_same_thread": False}
        return create_engine(self.url, poolclass=NullPool, connect_args=connect_args)

    # -- errors ----------------------------------------------------------------------------

    def _translate(self, exc: Exception, query: SeriesQuery | None) -> StateSourceError:
        """A ``StateSourceError`` saying what failed, never showing the password."""
        where = f"state source {self.name!r} (SQL, {self.shown_as})"
        connecting = isinstance(exc, _ConnectError)
        if isinstance(exc, _ConnectError):
            exc = exc.cause
        detail = mask_url(_first_line(exc)).replace(self.url, self.shown_as)
        what = query.what if query is not None else "the probe"
        lowered = detail.lower()
        name = type(exc).__name__
        reason: str
        if name in ("ModuleNotFoundError", "ImportError", "NoSuchModuleError"):
            reason = (
                f"a database driver is missing ({detail}): the SQL extra, pip install "
                "'oncall-cli[sql]', has PyMySQL and psycopg: write the URL as "
                "mysql+pymysql://… or postgresql+psycopg://…"
            )
        elif connecting and name in ("ArgumentError", "ValueError", "TypeError"):
            # No detail: the parser's message may quote a piece of the password.
            reason = (
                "the URL is not a SQLAlchemy URL: write it like mysql+pymysql://user:password@"
                "host:3306/db or postgresql+psycopg://user:password@host:5432/db, with @ : / % "
                "in the user or password percent-encoded (%40 %3A %2F %25)"
            )
        elif connecting and any(w in lowered for w in ("timeout", "timed out")):
            reason = (
                f"no answer from the database within {self.timeout:g}s ({detail}): check the "
                "host, port and network, or raise the source's timeout"
            )
        elif any(w in lowered for w in ("timeout", "timed out", "canceling statement", "interr")):
            reason = (
                f"{what} did not finish within {self.timeout:g}s ({detail}): make it cheaper, "
                "or raise the source's timeout"
            )
        elif "read-only" in lowered or "read only" in lowered or "readonly" in lowered:
            reason = f"{what} tried to write, and the read-only transaction refused it ({detail})"
        elif any(
            w in lowered
            for w in ("access denied", "authentication", "permission denied", "password")
        ):
            reason = (
                f"access denied ({detail}): check the user, password and database name in the "
                "URL, and that the user may SELECT these tables"
            )
        elif any(
            w in lowered
            for w in ("connection refused", "could not connect", "can't connect", "unable to open")
        ):
            reason = f"cannot reach the database ({detail}): check the host, port and network"
        elif connecting:
            reason = (
                f"cannot connect to the database ({detail}): check the host, port, database "
                "name and user in the URL"
            )
        elif name == "StatementError" and "bind parameter" in lowered:
            reason = f"{what} uses a parameter that is not bound: only :start and :end are"
        elif name in ("ProgrammingError", "OperationalError", "DatabaseError"):
            reason = f"{what} failed ({detail}): check the SQL and the table names"
        else:
            reason = f"unexpected error ({name}: {detail})"
        return StateSourceError(f"{where}: {reason}")


class _ConnectError(Exception):
    """What went wrong before the query ran: building the engine or connecting."""

    def __init__(self, cause: Exception) -> None:
        super().__init__(str(cause))
        self.cause = cause


def _first_line(exc: Exception) -> str:
    original = getattr(exc, "orig", None)
    text = str(original if original is not None else exc)
    return text.splitlines()[0] if text else type(exc).__name__
