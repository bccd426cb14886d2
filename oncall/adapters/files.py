"""Atomic file writes: a reader sees the old file or the new one, never half of either."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path


def _mode_for(path: Path) -> int:
    """An existing file keeps its mode; a new one, or one replacing a symlink (whose target's
    mode is not this file's business), gets the usual 0666 less the umask."""
    try:
        info = path.lstat()
        if stat.S_ISLNK(info.st_mode):
            raise FileNotFoundError(path)
        return info.st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def atomic_write(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same directory.

    The file ends up with the permissions a plain ``open(path, "w")`` would give it (the
    temporary file alone would be private), so published calendars stay readable.
    ``durable=False`` skips the fsync: for caches, where a file lost in a crash only costs
    a miss (readers still never see half a file: the rename is atomic either way).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = _mode_for(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            if durable:
                os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
