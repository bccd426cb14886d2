"""Who runs the command: the git ``user.email`` (for ``oncall shifts --me``)."""

from __future__ import annotations

import subprocess
from typing import Protocol

__all__ = ["GitIdentity", "IdentitySource"]


class IdentitySource(Protocol):
    def email(self) -> str | None: ...


class GitIdentity:
    """``git config user.email``, or None when git is missing, slow or has none set."""

    def email(self) -> str | None:
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
