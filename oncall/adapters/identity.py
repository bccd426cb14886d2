"""Who runs the command: the git ``user.email`` (for ``oncall shifts --me``), and which
process on which host (the holder of a flush claim or a publish lease)."""

from __future__ import annotations

import os
import secrets
import socket
from typing import Protocol

__all__ = ["GitIdentity", "IdentitySource", "process_id"]


class IdentitySource(Protocol):
    def email(self) -> str | None: ...


class GitIdentity:
    """``git config user.email``, or None when git is missing, slow or has none set."""

    def email(self) -> str | None:
        import subprocess

        try:
            done = subprocess.run(
                ["git", "config", "user.email"],
                capture_output=True,
                text=True,
                timeout=5,
                check=False,
            )
        except (OSError, subprocess.SubprocessError):
            return None
        value = done.stdout.strip()
        return value if done.returncode == 0 and value else None


def process_id() -> str:
    """This process among the team's machines: host, pid and a random part (pids repeat)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
