"""A real Apache Airflow for tests: its own virtual environment (cached), its components
started one by one on 127.0.0.1, and every process they start stopped again.

The environment holds ``apache-airflow==$ONCALL_TEST_AIRFLOW`` (default below) from the
registry, then this project installed into it as a user would (``pip install oncall-cli``).
It is cached under ``$ONCALL_TEST_CACHE`` (default ``~/.cache/oncall-tests``), keyed by the
Airflow version, the Python version and the project's dependency list, so CI builds it once
per key (cache that directory between runs); the project's own code is reinstalled on every
test session. A lock file keeps parallel pytest workers from building it twice.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
AIRFLOW_VERSION = os.environ.get("ONCALL_TEST_AIRFLOW", "3.3.2")
INSTALL_TIMEOUT = 900  # seconds; a cold install takes about 30 s with a warm pip cache
JWT_SECRET = "oncall-tests-jwt-secret-not-for-production-0123456789"


def cache_root() -> Path:
    explicit = os.environ.get("ONCALL_TEST_CACHE")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "oncall-tests"


def venv_key() -> str:
    deps = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    digest = hashlib.sha256("\n".join(sorted(deps)).encode()).hexdigest()[:12]
    py = f"py{sys.version_info.major}{sys.version_info.minor}"
    return f"airflow-{AIRFLOW_VERSION}-{py}-{digest}"


@dataclass
class AirflowVenv:
    root: Path
    airflow_only: dict[str, str]  # name -> version, before this project was installed
    with_oncall: dict[str, str] = field(default_factory=dict)

    @property
    def bin(self) -> Path:
        return self.root / "bin"

    def run(
        self, *args: str, timeout: float = 300, **kw: object
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.bin / args[0]), *args[1:]],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            **kw,  # type: ignore[arg-type]
        )

    def freeze(self) -> dict[str, str]:
        done = self.run("python", "-m", "pip", "list", "--format=json", timeout=120)
        assert done.returncode == 0, done.stderr
        return {p["name"].lower(): p["version"] for p in json.loads(done.stdout)}


def _pip(python: Path, *args: str) -> None:
    done = subprocess.run(
        [str(python), "-m", "pip", "--disable-pip-version-check", "-q", *args],
        capture_output=True,
        text=True,
        timeout=INSTALL_TIMEOUT,
        check=False,
    )
    if done.returncode != 0:
        message = f"pip {' '.join(args)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)  # no registry here: CI has one and runs this


def airflow_venv(workdir: Path) -> AirflowVenv:
    """The cached Airflow environment with this project freshly installed into it."""
    root = cache_root()
    root.mkdir(parents=True, exist_ok=True)
    target = root / venv_key()
    with open(root / f"{target.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (target / "airflow-only.json").is_file():  # written last: a complete build
            shutil.rmtree(target, ignore_errors=True)
            subprocess.run([sys.executable, "-m", "venv", str(target)], check=True, timeout=300)
            python = target / "bin" / "python"
            _pip(python, "install", "--upgrade", "pip")
            _pip(python, "install", f"apache-airflow=={AIRFLOW_VERSION}")
            (target / "airflow-only.json").write_text(json.dumps(AirflowVenv(target, {}).freeze()))
        venv = AirflowVenv(target, json.loads((target / "airflow-only.json").read_text()))
        wheels = workdir / "wheels"
        python = target / "bin" / "python"
        _pip(python, "wheel", "--no-deps", "-w", str(wheels), str(REPO))
        (wheel,) = wheels.glob("oncall_cli-*.whl")
        _pip(python, "install", str(wheel))  # its dependencies, as `pip install oncall-cli`
        _pip(python, "install", "--force-reinstall", "--no-deps", str(wheel))  # this code
        venv.with_oncall = venv.freeze()
    return venv


def airflow_env(home: Path, api_port: int, base: Mapping[str, str]) -> dict[str, str]:
    """Environment for every Airflow process of one test: SQLite in ``home``, the API server
    and every URL on 127.0.0.1, no example DAGs, no log servers (``--skip-serve-logs``)."""
    return {
        **base,
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(home / "dags"),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home}/airflow.db",
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__CORE__PARALLELISM": "4",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": str(api_port),
        "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{api_port}",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{api_port}/execution/",
        "AIRFLOW__API_AUTH__JWT_SECRET": JWT_SECRET,
        "AIRFLOW__API__SECRET_KEY": "oncall-tests-secret-key-not-for-production",
        "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "False",
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
        "AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL": "5",
        "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "2",
        "AIRFLOW__TRIGGERER__JOB_HEARTBEAT_SEC": "2",
    }


@dataclass
class Components:
    """Airflow components started in their own sessions; :meth:`stop` ends them all."""

    venv: AirflowVenv
    env: dict[str, str]
    logs: Path
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def start(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        with open(self.logs / f"{name}.log", "wb") as out:
            proc = subprocess.Popen(
                [str(self.venv.bin / "airflow"), *args],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.procs[name] = proc
        return proc

    def dead(self) -> dict[str, int | None]:
        return {n: p.returncode for n, p in self.procs.items() if p.poll() is not None}

    def log_tail(self, name: str, chars: int = 3000) -> str:
        path = self.logs / f"{name}.log"
        return path.read_text(errors="replace")[-chars:] if path.is_file() else ""

    def stop(self, grace: float = 20.0) -> list[int]:
        """SIGTERM every process group, SIGKILL what is left after ``grace`` seconds, then
        kill what escaped its group but stayed in one of our sessions (LocalExecutor's
        ``airflow worker`` supervisors call setpgid). Returns the pids found escaped."""
        for proc in self.procs.values():
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
        until = time.monotonic() + grace
        for proc in self.procs.values():
            try:
                proc.wait(max(0.1, until - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(30)
        escaped = list(session_members({p.pid for p in self.procs.values()}))
        for pid in escaped:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        wait_gone(escaped, 30.0)  # SIGKILL is asynchronous: let the kernel finish them
        for proc in self.procs.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
        return escaped


def session_members(sessions: set[int]) -> Iterator[int]:
    """Every live process whose session is one of ``sessions`` (zombies, already dead and
    waiting to be reaped by whoever inherited them, do not count)."""
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(ProcessLookupError, PermissionError, FileNotFoundError):
                if os.getsid(int(entry)) in sessions and not _is_zombie(int(entry)):
                    yield int(entry)


def _is_zombie(pid: int) -> bool:
    stat = Path(f"/proc/{pid}/stat").read_text()
    return stat.rsplit(")", 1)[1].split()[0] in ("Z", "X")


def wait_gone(pids: Iterable[int], timeout: float) -> None:
    """Block until each process has exited (a pidfd becomes readable then), ``timeout`` seconds
    at most for all of them: no polling, no sleeping."""
    until = time.monotonic() + timeout
    for pid in pids:
        try:
            fd = os.pidfd_open(pid)
        except ProcessLookupError:
            continue
        try:
            poller = select.poll()
            poller.register(fd, select.POLLIN)
            poller.poll(max(0.0, until - time.monotonic()) * 1000)
        finally:
            os.close(fd)
