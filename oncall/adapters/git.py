"""The config as it was at a git revision, read with ``git show`` (no checkout).

``ConfigSnapshots`` is the small Protocol the schedule diff needs; ``GitSnapshots`` runs the
``git`` command with a timeout.
"""

from __future__ import annotations

import subprocess
from pathlib import Path, PurePosixPath
from typing import Protocol

from oncall.config.locate import RUNBOOKS_DIR
from oncall.errors import GitError, UsageError

__all__ = ["ConfigSnapshots", "GitSnapshots"]


class ConfigSnapshots(Protocol):
    def export(self, config_dir: Path, revision: str, dest: Path) -> Path:
        """Write the config (and runbooks) of ``revision`` under ``dest``; the config dir."""
        ...


class GitSnapshots:
    """Read files of a revision with ``git show REV:PATH`` into a directory."""

    def __init__(self, git: str = "git", timeout: float = 30.0) -> None:
        self._git = git
        self._timeout = timeout

    def _run(self, cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[bytes]:
        try:
            done = subprocess.run(
                [self._git, *args],
                cwd=cwd,
                capture_output=True,
                timeout=self._timeout,
                check=False,
            )
        except FileNotFoundError:
            raise GitError(
                f"git is not installed (needed to read {args[-1]}): install git, "
                "or pass --against DIR"
            ) from None
        except subprocess.TimeoutExpired:
            raise GitError(f"git did not answer within {self._timeout:g}s") from None
        if check and done.returncode != 0:
            message = done.stderr.decode(errors="replace").strip().splitlines()
            raise UsageError(f"git {args[0]}: {message[-1] if message else 'failed'}")
        return done

    def export(self, config_dir: Path, revision: str, dest: Path) -> Path:
        here = config_dir.resolve()
        if revision.startswith("-"):
            raise UsageError(f"--against: '{revision}' is not a revision")
        top_run = self._run(here, "rev-parse", "--show-toplevel", check=False)
        if top_run.returncode != 0:
            raise UsageError(
                f"{config_dir} is not in a git repository: pass --against DIR to compare "
                "with another config directory"
            )
        top = Path(top_run.stdout.decode().strip())
        found = self._run(
            top, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}", check=False
        )
        if found.returncode != 0:
            raise UsageError(f"--against: unknown git revision '{revision}'")
        commit = found.stdout.decode().strip()
        rel = PurePosixPath(here.relative_to(top).as_posix())
        runbooks = rel.parent / RUNBOOKS_DIR
        listed = self._run(
            top, "ls-tree", "-r", "-z", "--name-only", commit, "--", str(rel), str(runbooks)
        )
        names = [n for n in listed.stdout.decode().split("\0") if n]
        if not any(PurePosixPath(n).parent == rel for n in names):
            raise UsageError(f"--against: revision '{revision}' has no {rel}/ directory")
        for name in names:
            data = self._run(top, "show", f"{commit}:{name}").stdout
            target = dest / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        return dest / rel
