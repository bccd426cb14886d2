"""A real PostgreSQL server for the test session: ``postgres_url`` yields ``postgresql://...``.

The server is started on first use (once per test process: each xdist worker has its own), in a
fresh temporary cluster listening on 127.0.0.1 on a free port, and stopped at the end of the
session. Debian keeps ``initdb``/``pg_ctl`` in /usr/lib/postgresql/<version>/bin, off PATH;
PostgreSQL refuses to run as root, so under root (CI) the cluster belongs to the ``postgres``
system user (or ``nobody``, or an ``oncall-pg`` user created for it). Start-up is bounded
(``pg_ctl -w -t``, and a timeout on every command), and every server is stopped and its
directory removed at teardown, or at exit at the latest. ``own_postgres`` gives a test a
server of its own to stop and start again. ``make test`` installs Debian's postgresql package
when no server is found. Without a server the tests that need one are skipped, except under CI
(``CI=true``), where they fail.
"""

from __future__ import annotations

import atexit
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pytest

DATABASE = "oncall"
USER = "oncall"
_DEBIAN_BINARIES = Path("/usr/lib/postgresql")
_CREATED_USER = "oncall-pg"
START_TIMEOUT = 60
"""Seconds ``pg_ctl -w`` waits for the server to accept connections (then start-up fails)."""


def find_bindir() -> Path | None:
    """The directory holding initdb and pg_ctl: PATH first, then Debian's newest version."""
    on_path = shutil.which("pg_ctl")
    if on_path and shutil.which("initdb"):
        return Path(on_path).resolve().parent
    versions = sorted(
        (p for p in _DEBIAN_BINARIES.glob("*/bin") if (p / "pg_ctl").is_file()),
        key=lambda p: _version_key(p.parent.name),
    )
    return versions[-1] if versions else None


def _version_key(name: str) -> tuple[int, ...]:
    return tuple(int(part) for part in name.split(".") if part.isdigit())


@dataclass(frozen=True)
class _Account:
    """Who runs the server: ourselves, or (as root) an unprivileged system user."""

    uid: int | None = None
    gid: int | None = None

    @classmethod
    def choose(cls) -> _Account:
        if os.geteuid() != 0:
            return cls()
        for name in ("postgres", "nobody", _CREATED_USER):
            try:
                entry = pwd.getpwnam(name)
            except KeyError:
                continue
            return cls(entry.pw_uid, entry.pw_gid)
        # Neither exists: create an unprivileged system user of our own for the server.
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
             _CREATED_USER],
            capture_output=True, timeout=60, check=True,
        )  # fmt: skip
        entry = pwd.getpwnam(_CREATED_USER)
        return cls(entry.pw_uid, entry.pw_gid)

    def own(self, path: Path) -> None:
        if self.uid is not None and self.gid is not None:
            os.chown(path, self.uid, self.gid)

    def run(self, *args: str | Path, timeout: float = 120) -> None:
        done = subprocess.run(
            [str(a) for a in args],
            user=self.uid,
            group=self.gid,
            extra_groups=[] if self.uid is not None else None,
            env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C", "TZ": "UTC"},
            cwd="/",
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"{Path(args[0]).name} failed:\n{done.stdout}{done.stderr}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class PostgresServer:
    """One throwaway cluster: ``start()`` returns its URL, ``stop()`` removes everything."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.account = _Account.choose()
        # Not under pytest's basetemp: that is private to root (0700), and the server user
        # must reach its own directory.
        self.root = Path(tempfile.mkdtemp(prefix="oncall-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.port = 0

    def start(self) -> str:
        """A new cluster, started, with the ``oncall`` database: its URL."""
        self.account.own(self.root)
        self.account.run(
            self.bindir / "initdb",
            "-D",
            self.data,
            "-U",
            USER,
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        )
        for attempt in range(3):  # a free port can be taken before the server binds it
            self.port = _free_port()
            try:
                self.resume()
                break
            except RuntimeError:
                if attempt == 2:
                    raise RuntimeError(self._log_tail()) from None
        self.account.run(
            self.bindir / "createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", USER, DATABASE
        )
        return self.url

    @property
    def url(self) -> str:
        return f"postgresql://{USER}@127.0.0.1:{self.port}/{DATABASE}"

    def resume(self) -> None:
        """Start the server (again) on its port; bounded by :data:`START_TIMEOUT`."""
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self.account.run(
            self.bindir / "pg_ctl", "-D", self.data, "-l", self.log, "-o", options,
            "-w", "-t", str(START_TIMEOUT), "start", timeout=START_TIMEOUT + 30,
        )  # fmt: skip

    def halt(self, mode: str = "fast") -> None:
        """Stop the server, keeping its data and port (:meth:`resume` starts it again)."""
        if (self.data / "postmaster.pid").exists():
            try:
                self.account.run(
                    self.bindir / "pg_ctl", "-D", self.data, "-m", mode, "-w", "stop",
                    timeout=60,
                )  # fmt: skip
            except (RuntimeError, subprocess.SubprocessError):
                self._kill_postmaster()

    def stop(self) -> None:
        """Stop the server and remove everything; safe to call more than once."""
        try:
            self.halt("immediate")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def _kill_postmaster(self) -> None:
        try:
            pid = int((self.data / "postmaster.pid").read_text().split()[0])
            os.kill(pid, signal.SIGKILL)
        except (OSError, ValueError, IndexError):
            pass

    def _log_tail(self) -> str:
        try:
            return "PostgreSQL did not start:\n" + self.log.read_text()[-4000:]
        except OSError:
            return "PostgreSQL did not start (no server log)"


def _unavailable(reason: str) -> NoReturn:
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"PostgreSQL is required under CI: {reason}", pytrace=False)
    pytest.skip(reason)


def started_server() -> PostgresServer:
    """A new server of its own, started (stopped and removed at exit at the latest), or the
    test is skipped (failed under CI) when none can be started."""
    bindir = find_bindir()
    if bindir is None:
        _unavailable("no PostgreSQL server binaries (pg_ctl, initdb) found")
    server = PostgresServer(bindir)
    atexit.register(server.stop)  # even if the session ends without teardown
    try:
        server.start()
    except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
        server.stop()
        _unavailable(str(exc))
    return server


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """``postgresql://oncall@127.0.0.1:<port>/oncall`` of a server private to this test session."""
    server = started_server()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture
def own_postgres() -> Iterator[PostgresServer]:
    """A throwaway server of this test alone, which it may ``halt()`` and ``resume()``."""
    server = started_server()
    try:
        yield server
    finally:
        server.stop()
