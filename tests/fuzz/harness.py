"""Run the CLI on hostile input in a forked child, under a time and memory limit.

Each run must end in time with exit 0, 1, 2 or 3, one-line messages, no "internal error" and
no traceback. The shipped project is the one ``oncall init`` writes (``render_project``).

Runs go through one fork server per test process (``forkserver.py``): it imports oncall
once and forks a child per run, so a run costs a fork and the command, not a Python start
and every import (about a tenth of the CPU of a fresh ``python -m oncall``). The child
applies the limits before it runs anything.
"""

from __future__ import annotations

import atexit
import functools
import json
import os
import select
import subprocess
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from oncall.services.scaffold import Member, ProjectSpec, render_project

TIMEOUT_SECONDS = float(os.environ.get("ONCALL_FUZZ_TIMEOUT", "15"))
"""Per run; generous because the test machine is shared (a run takes well under a second)."""
MEMORY_BYTES = 1024 * 1024 * 1024
"""Address-space limit of each run (1 GiB): an alias bomb would pass it in seconds."""
MAX_LINE = 2000

SPEC = ProjectSpec(
    team="Fuzz",
    timezone="Asia/Kolkata",
    members=(Member("alice", "Alice"), Member("bob", "Bob")),
    start=date(2026, 11, 30),
)
KIND_FILES = {
    "owners": "config/owners.yaml",
    "rotation": "config/rotation.yaml",
    "paging": "config/paging.yaml",
    "state": "config/state.yaml",
    "runbook": "runbooks/example.yaml",
}
COMMANDS: dict[str, tuple[str, ...]] = {
    "validate": ("validate",),
    "who": ("who", "--at", "2026-12-02T10:00"),
    "schedule": ("schedule", "--now", "2026-12-02T10:00"),
    "check": ("check", "--all", "--now", "2026-12-02T10:00"),
    "page": (
        "page",
        "send",
        "example-pipeline",
        "-s",
        "fuzz",
        "--dry-run",
        "--now",
        "2026-12-02T10:00",
    ),
}


@functools.cache
def _rendered() -> tuple[tuple[str, str], ...]:
    return tuple(render_project(SPEC).items())


def shipped() -> dict[str, str]:
    """``{relative path: text}`` of the project ``oncall init`` writes (rendered once)."""
    return dict(_rendered())


def write_project(root: Path, replace: dict[str, bytes] | None = None) -> Path:
    """The shipped project under ``root`` with some files replaced; returns config/."""
    for rel, text in shipped().items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for rel, data in (replace or {}).items():
        (root / rel).write_bytes(data)
    return root / "config"


@dataclass
class Run:
    args: tuple[str, ...]
    code: int | None
    stdout: str
    stderr: str
    signal: str | None = None
    cpu: float = 0.0
    """CPU seconds the run took (user and system)."""

    def problems(self) -> list[str]:
        """What is wrong with this run (empty: it ended cleanly)."""
        out: list[str] = []
        if self.code is None and self.signal in (None, "SIGALRM"):
            out.append(f"no exit within {TIMEOUT_SECONDS}s (a hang)")
        elif self.code is None:
            out.append(f"killed by {self.signal}")
        elif self.code not in (0, 1, 2, 3):
            out.append(f"exit code {self.code}")
        both = self.stdout + self.stderr
        if "Traceback (most recent call last)" in both:
            out.append("a traceback")
        if "internal error" in both or "unexpected error" in both:
            out.append("an internal error")
        if self.code in (1, 2, 3) and not self.stderr.strip() and not self.stdout.strip():
            out.append("no message")
        long = [line for line in self.stderr.splitlines() if len(line) > MAX_LINE]
        if long:
            out.append(f"a message line of {len(long[0])} characters")
        return out


class ForkServer:
    """The fork server of this test process (started on first use, stopped at exit)."""

    def __init__(self) -> None:
        root = Path(__file__).resolve().parents[2]
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.fuzz.forkserver"],
            cwd=root,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.count = 0
        assert self._answer(120.0) == {"ready": True}
        self._warm_up()

    def _warm_up(self) -> None:
        """Run every command once on the shipped project and have the server import the
        modules they needed: a later run then costs the command, not its imports."""
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            home = Path(tmp)
            config = write_project(home / "team")
            names: set[str] = set()
            for command in COMMANDS:
                listing = home / f"{command}.modules"
                self.run(COMMANDS[command], case_env(config, home), home, modules_out=listing)
                if listing.exists():
                    names.update(json.loads(listing.read_text()))
        self._send({"import": sorted(names)})
        assert self._answer(120.0) is not None

    def _send(self, request: dict[str, Any]) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()

    def _answer(self, timeout: float) -> dict[str, Any] | None:
        assert self.proc.stdout is not None
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        line = self.proc.stdout.readline() if ready else ""
        return json.loads(line) if line else None

    def run(
        self,
        args: tuple[str, ...],
        env: dict[str, str],
        cwd: Path,
        *,
        timeout: float = TIMEOUT_SECONDS,
        memory: int = MEMORY_BYTES,
        modules_out: Path | None = None,
    ) -> Run:
        self.count += 1
        out = cwd / f".fuzz-run-{self.count}"
        request = {
            "args": list(args),
            "env": env,
            "cwd": str(cwd),
            "timeout": timeout,
            "memory": memory,
            "out": str(out),
            "modules_out": str(modules_out) if modules_out else None,
        }
        self._send(request)
        answer = self._answer(timeout + 30)  # the child's own timer ends it first
        if answer is None:
            self.stop()
            return Run(args, None, "", "the fork server did not answer")
        texts = []
        for stream in ("stdout", "stderr"):
            path = Path(f"{out}.{stream}")
            texts.append(_text(path.read_bytes()) if path.exists() else "")
            path.unlink(missing_ok=True)
        return Run(args, answer["code"], texts[0], texts[1], answer["signal"], answer["cpu"])

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()


_server: ForkServer | None = None


def _fork_server() -> ForkServer:
    global _server
    if _server is None or _server.proc.poll() is not None:
        _server = ForkServer()
        atexit.register(_server.stop)
    return _server


LOG_ENV = "ONCALL_FUZZ_LOG"
"""A file to append one JSON line per run to (label, exit code, CPU, first message line)."""


def run_cli(config_dir: Path, command: str, home: Path, *, label: str = "", **limits: Any) -> Run:
    """``oncall COMMAND`` on the project of ``config_dir``, in a child of the fork server."""
    run = _fork_server().run(COMMANDS[command], case_env(config_dir, home), home, **limits)
    log = os.environ.get(LOG_ENV)
    if log:
        first = (run.stderr.strip() or run.stdout.strip()).splitlines()[:1]
        entry = {
            "label": label,
            "command": command,
            "code": run.code,
            "signal": run.signal,
            "cpu": run.cpu,
            "problems": run.problems(),
            "message": first[0][:300] if first else "",
        }
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry) + "\n")
    return run


def case_env(config_dir: Path, home: Path) -> dict[str, str]:
    """The whole environment of a run: nothing of the test process leaks in."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "ONCALL_CONFIG_DIR": str(config_dir),
        "ONCALL_CACHE_DIR": str(home / "cache"),
        "LANG": "C.UTF-8",
        "COLUMNS": "120",
    }


def _text(data: bytes | str | None) -> str:
    if data is None:
        return ""
    return data if isinstance(data, str) else data.decode("utf-8", "replace")
