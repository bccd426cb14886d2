"""A real PostgreSQL server for the test session: ``postgres_url`` yields ``postgresql://...``.

The server is started on first use (once per test process: each xdist worker has its own), in a
fresh temporary cluster listening on 127.0.0.1 on a free port, and stopped at the end of the
session. Debian keeps ``initdb``/``pg_ctl`` in /usr/lib/postgresql/<version>/bin, off PATH;
PostgreSQL refuses to run as root, so under root (CI) the cluster belongs to the ``postgres``
system user (or ``nobody``). ``make test`` installs Debian's postgresql package when no server
is found. Without a server the tests that need one are skipped, except under CI (``CI=true``),
where they fail.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

DATABASE = "oncall"
USER = "oncall"
_DEBIAN_BINARIES = Path("/usr/lib/postgresql")


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
        for name in ("postgres", "nobody"):
            try:
                entry = pwd.getpwnam(name)
            except KeyError:
                continue
            return cls(entry.pw_uid, entry.pw_gid)
        raise RuntimeError("running as root and no 'postgres' or 'nobody' user to run PostgreSQL")

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
            options = (
                f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root} "
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
            )
            try:
                self.account.run(
                    self.bindir / "pg_ctl", "-D", self.data, "-l", self.log, "-o", options,
                    "-w", "-t", "60", "start",
                )  # fmt: skip
                break
            except RuntimeError:
                if attempt == 2:
                    raise RuntimeError(self._log_tail()) from None
        self.account.run(
            self.bindir / "createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", USER, DATABASE
        )
        return f"postgresql://{USER}@127.0.0.1:{self.port}/{DATABASE}"

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self.account.run(self.bindir / "pg_ctl", "-D", self.data, "-m", "immediate", "stop")
        shutil.rmtree(self.root, ignore_errors=True)

    def _log_tail(self) -> str:
        try:
            return "PostgreSQL did not start:\n" + self.log.read_text()[-4000:]
        except OSError:
            return "PostgreSQL did not start (no server log)"


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"PostgreSQL is required under CI: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """``postgresql://oncall@127.0.0.1:<port>/oncall`` of a server private to this test session."""
    bindir = find_bindir()
    if bindir is None:
        _unavailable("no PostgreSQL server binaries (pg_ctl, initdb) found")
        return
    server = PostgresServer(bindir)
    try:
        url = server.start()
    except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
        server.stop()
        _unavailable(str(exc))
        return
    try:
        yield url
    finally:
        server.stop()
