"""The cache of ``oncall validate``'s findings that depend only on files and the environment.

A warm validate reads them from one JSON file instead of parsing every runbook and
re-running the paging, publish and state passes; the passes that depend on ``now`` (gaps
in the coming weeks, runs, locks, calendar range) always run again.

An entry is keyed by everything those passes read: the bytes of every file in the config
folder and of every runbook, the folder's path as given and the working directory (paths in
messages), the versions of oncall, Python and the holidays package, and a stamp of the code
of the passes (``code_stamp`` of ``config/``, ``domain/``, ``services/`` and ``adapters/``:
a rule changed within one version is a miss). It also records
which environment variables the passes looked up and whether each was set (never a value):
an entry whose variables changed since is a miss.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

from oncall import __version__
from oncall.config.cache import cache_root, code_stamp, prune
from oncall.config.locate import runbooks_dir
from oncall.errors import Problem

__all__ = ["CachedFindings", "EnvironRecorder", "findings_key", "read_findings", "write_findings"]

FORMAT = 1
_KEEP = 16
FINDINGS_CODE = ("config", "domain", "services", "adapters", "errors.py")
"""The code the file-only passes run (``code_stamp``)."""


class EnvironRecorder(Mapping[str, str]):
    """``os.environ`` that remembers which names were looked up, and whether each was set."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self._environ = os.environ if environ is None else environ
        self.seen: dict[str, bool] = {}
        self.iterated = False  # a pass that lists the whole environment: not cacheable

    def __getitem__(self, name: str) -> str:
        value = self._environ.get(name)
        self.seen[name] = bool(value and value.strip())
        if value is None:
            raise KeyError(name)
        return value

    def __iter__(self) -> Iterator[str]:
        self.iterated = True
        return iter(self._environ)

    def __len__(self) -> int:
        self.iterated = True
        return len(self._environ)


class CachedFindings:
    """The file-only findings of one validate: problems, and whether the lock file failed."""

    def __init__(self, problems: list[Problem], lock_failed: bool) -> None:
        self.problems = problems
        self.lock_failed = lock_failed


def findings_key(directory: Path) -> str | None:
    """The key of the findings for the config in ``directory``; None if a file is unreadable."""
    from oncall.adapters.calendars import holidays_version

    digest = hashlib.sha256()
    for part in (
        str(FORMAT),
        __version__,
        holidays_version(),
        sys.version,
        code_stamp(FINDINGS_CODE),
    ):
        digest.update(part.encode() + b"\0")
    try:
        digest.update(f"{directory}\0{directory.resolve()}\0{os.getcwd()}\0".encode())
        for folder in (directory, runbooks_dir(directory)):
            names = sorted(os.listdir(folder)) if folder.is_dir() else []
            digest.update(f"{folder}\0{len(names)}\0".encode())
            for name in names:
                path = folder / name
                data = path.read_bytes() if path.is_file() else b"\0not a file"
                digest.update(f"{name}\0{len(data)}\0".encode() + data)
    except OSError:
        return None
    return digest.hexdigest()


def _path(key: str) -> Path:
    return cache_root() / "validate" / f"{key}.json"


def read_findings(key: str, environ: Mapping[str, str] | None = None) -> CachedFindings | None:
    """The cached findings under ``key``, or None when missing, corrupt or the environment
    variables they looked up are set (or not) differently now."""
    env = os.environ if environ is None else environ
    try:
        raw = json.loads(_path(key).read_bytes())
        if raw.get("format") != FORMAT:
            return None
        for name, was_set in raw["env"].items():
            value = env.get(name)
            if bool(value and value.strip()) != was_set:
                return None
        problems = [
            Problem(p, line, col, message, sev) for p, line, col, sev, message in raw["problems"]
        ]
        return CachedFindings(problems, bool(raw["lock_failed"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_findings(key: str, found: CachedFindings, recorder: EnvironRecorder) -> None:
    """Cache ``found`` under ``key`` (atomically); nothing when a pass listed the environment."""
    if recorder.iterated:
        return
    from oncall.adapters.files import atomic_write

    payload = {
        "format": FORMAT,
        "env": recorder.seen,
        "lock_failed": found.lock_failed,
        "problems": [[p.path, p.line, p.col, p.severity.value, p.message] for p in found.problems],
    }
    path = _path(key)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, json.dumps(payload).encode(), durable=False)
        prune(path.parent, keep=_KEEP)
    except OSError:
        pass  # a cache we cannot write only costs the passes next time
