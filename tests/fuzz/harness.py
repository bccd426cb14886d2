"""Run the CLI on hostile input in a subprocess, under a time and memory limit.

Each run must end in time with exit 0, 1, 2 or 3, one-line messages, no "internal error" and
no traceback. The shipped project is the one ``oncall init`` writes (``render_project``).
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

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


def shipped() -> dict[str, str]:
    """``{relative path: text}`` of the project ``oncall init`` writes."""
    return render_project(SPEC)


def write_project(root: Path, replace: dict[str, bytes] | None = None) -> Path:
    """The shipped project under ``root`` with some files replaced; returns config/."""
    for rel, text in shipped().items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for rel, data in (replace or {}).items():
        (root / rel).write_bytes(data)
    return root / "config"


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))


@dataclass
class Run:
    args: tuple[str, ...]
    code: int | None
    stdout: str
    stderr: str

    def problems(self) -> list[str]:
        """What is wrong with this run (empty: it ended cleanly)."""
        out: list[str] = []
        if self.code is None:
            out.append(f"no exit within {TIMEOUT_SECONDS}s (a hang)")
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


def run_cli(config_dir: Path, command: str, home: Path) -> Run:
    args = COMMANDS[command]
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "ONCALL_CONFIG_DIR": str(config_dir),
        "ONCALL_CACHE_DIR": str(home / "cache"),
        "LANG": "C.UTF-8",
        "COLUMNS": "120",
    }
    try:
        done = subprocess.run(
            [sys.executable, "-m", "oncall", *args],
            env=env,
            cwd=home,
            capture_output=True,
            timeout=TIMEOUT_SECONDS,
            preexec_fn=_limits,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        return Run(args, None, _text(exc.stdout), _text(exc.stderr))
    return Run(args, done.returncode, _text(done.stdout), _text(done.stderr))


def _text(data: bytes | str | None) -> str:
    if data is None:
        return ""
    return data if isinstance(data, str) else data.decode("utf-8", "replace")
