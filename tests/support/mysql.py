"""A real MySQL-protocol server (MariaDB) for the test session: ``mysql_url`` yields its URL.

``mysql+pymysql://oncall:<password>@127.0.0.1:<port>/fin`` of a throwaway server started on first
use (once per test process: each xdist worker has its own) in a fresh data directory, listening
on 127.0.0.1 on a free port, with a user ``oncall`` that has a password (so tests can check it is
never shown) and all rights on the ``fin`` database. Debian's ``mariadb-server-core`` and
``mariadb-client-core`` (``make test`` installs them when no server is found; about 9 MB) are
all it needs: ``mariadb-install-db`` writes the system tables, ``mariadbd`` serves. Under root
the server runs as root (``--user=root``), which MariaDB allows when asked explicitly. Start-up
is bounded; the server is killed and its directory removed at teardown, or at exit at the latest.
Without a server the tests that need one are skipped, except under CI (``CI=true``).
"""

from __future__ import annotations

import atexit
import contextlib
import getpass
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import pytest

from tests.support.postgres import _free_port

DATABASE = "fin"
USER = "oncall"
PASSWORD = "s3cret-Mysql-pw"
START_TIMEOUT = 60.0
"""Seconds the server has to accept connections (then start-up fails)."""


def find_binaries() -> tuple[str, str] | None:
    """``(mariadbd, mariadb-install-db)``: PATH first, then Debian's /usr/sbin."""
    server = shutil.which("mariadbd") or shutil.which("mariadbd", path="/usr/sbin")
    install = shutil.which("mariadb-install-db")
    if server and install and shutil.which("my_print_defaults"):
        return server, install
    return None


class MysqlServer:
    """One throwaway MariaDB: ``start()`` returns its URL, ``stop()`` removes everything."""

    def __init__(self, server: str, install: str) -> None:
        self.server, self.install = server, install
        self.root = Path(tempfile.mkdtemp(prefix="oncall-mysql-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None
        self.user = "root" if os.geteuid() == 0 else getpass.getuser()

    @property
    def url(self) -> str:
        return f"mysql+pymysql://{USER}:{PASSWORD}@127.0.0.1:{self.port}/{DATABASE}"

    def start(self) -> str:
        done = subprocess.run(
            [self.install, "--no-defaults", f"--datadir={self.data}", f"--user={self.user}",
             "--auth-root-authentication-method=normal", "--skip-test-db",
             "--skip-name-resolve"],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(f"mariadb-install-db failed:\n{done.stdout}{done.stderr}")
        init = self.root / "init.sql"
        init.write_text(
            f"CREATE DATABASE {DATABASE};\n"
            f"CREATE USER '{USER}'@'%' IDENTIFIED BY '{PASSWORD}';\n"
            f"GRANT ALL ON {DATABASE}.* TO '{USER}'@'%';\n"
        )
        self.port = _free_port()
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [self.server, "--no-defaults", f"--datadir={self.data}", f"--user={self.user}",
                 "--bind-address=127.0.0.1", f"--port={self.port}",
                 f"--socket={self.root / 'mysqld.sock'}", f"--pid-file={self.root / 'pid'}",
                 f"--init-file={init}", "--skip-name-resolve", "--skip-log-bin",
                 "--innodb-buffer-pool-size=16M"],
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        self._wait_ready()
        return self.url

    def _wait_ready(self) -> None:
        import pymysql

        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(self._log_tail())
            try:
                pymysql.connect(
                    host="127.0.0.1", port=self.port, user=USER, password=PASSWORD,
                    database=DATABASE, connect_timeout=2,
                ).close()  # fmt: skip
                return
            except pymysql.err.MySQLError:
                if time.monotonic() > deadline:
                    raise RuntimeError(self._log_tail()) from None
                time.sleep(0.1)  # the server is starting: start-up, not a test, waits here

    def stop(self) -> None:
        """Kill the server and remove everything; safe to call more than once."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            with contextlib.suppress(OSError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
        shutil.rmtree(self.root, ignore_errors=True)

    def _log_tail(self) -> str:
        try:
            return "MariaDB did not start:\n" + self.log.read_text(errors="replace")[-4000:]
        except OSError:
            return "MariaDB did not start (no server log)"


def _unavailable(reason: str) -> NoReturn:
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"MariaDB is required under CI: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def mysql_url() -> Iterator[str]:
    """``mysql+pymysql://oncall:...@127.0.0.1:<port>/fin`` of a server private to this session."""
    found = find_binaries()
    if found is None:
        _unavailable("no MariaDB server binaries (mariadbd, mariadb-install-db) found")
    server = MysqlServer(*found)
    atexit.register(server.stop)  # even if the session ends without teardown
    try:
        server.start()
    except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
        server.stop()
        _unavailable(str(exc))
    try:
        yield server.url
    finally:
        server.stop()
