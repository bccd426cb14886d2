"""Proving large state directories on a second core.

Judging every line (``localscan``) costs about as much as extracting the points a check
reads. For a large directory a forked child judges every block of every file while the
reader extracts points trusting them; the child then names the first file it could not prove
(or read), and the reader drops what it took from that file on and reads it again the careful
way, so a malformed line is reported exactly as without the child (its file and line, the
first in file order). Without ``os.fork`` or an idle core (or when the fork fails) the
reader reads carefully, in this process: with every core busy a child only adds its cost.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

from oncall.adapters.state.localscan import BLOCK_GRAMMAR, LABELS_TEXT, Templates, prove_block

__all__ = [
    "PARALLEL_BYTES",
    "Proof",
    "block_proven",
    "iter_blocks",
    "spare_core",
    "start_proof",
]

PARALLEL_BYTES = 32 << 20
"""Directories smaller than this are read in one process: a fork costs more than it saves."""


def iter_blocks(file: Path, block_bytes: int) -> Iterator[tuple[bytes, int]]:
    """Whole lines of ``file`` about ``block_bytes`` at a time (the last block may lack its
    newline), each with the number of its first line."""
    first, rest = 1, b""
    with file.open("rb") as handle:
        while block := handle.read(block_bytes):
            data = rest + block
            cut = data.rfind(b"\n") + 1
            rest = data[cut:]
            if cut:
                yield data[:cut], first
                first += data.count(b"\n", 0, cut)
    if rest:
        yield rest, first


def block_proven(block: bytes, templates: Templates) -> bool:
    """Whether the careful reader takes ``block`` whole (its templates, or the grammar with
    distinct label names) rather than judging it line by line."""
    proven = block if block.endswith(b"\n") else block + b"\n"
    if prove_block(proven, templates):
        return True
    if BLOCK_GRAMMAR.fullmatch(proven) is None:
        return False
    for text in set(LABELS_TEXT.findall(proven)):
        pairs = json.loads(text, object_pairs_hook=lambda pairs: pairs)
        if len({name for name, _ in pairs}) != len(pairs):
            return False
    return True


def _first_unproven(files: Sequence[Path], block_bytes: int) -> int:
    templates = Templates()
    for index, file in enumerate(files):
        try:
            if not all(
                block_proven(block, templates) for block, _ in iter_blocks(file, block_bytes)
            ):
                return index
        except OSError:
            return index
    return len(files)


class Proof:
    """The child proving the files; ask it once for ``first_unproven``, or ``cancel`` it."""

    def __init__(self, pid: int, answer: int) -> None:
        self.pid = pid
        self.answer = answer

    def first_unproven(self) -> int:
        """The index of the first file the child could not prove or read (the number of
        files when it proved them all); 0 when the child gave no answer."""
        chunks = []
        try:
            while chunk := os.read(self.answer, 64):
                chunks.append(chunk)
        finally:
            os.close(self.answer)
            os.waitpid(self.pid, 0)
        try:
            return int(b"".join(chunks))
        except ValueError:
            return 0

    def cancel(self) -> None:
        try:
            os.kill(self.pid, signal.SIGKILL)
        finally:
            os.close(self.answer)
            os.waitpid(self.pid, 0)


def spare_core() -> bool:
    """Whether another core looks idle (the load of the last minute, this process included,
    leaves one): with every core busy a child only adds its own cost."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    try:
        return cores >= 2 and os.getloadavg()[0] <= cores - 1
    except OSError:
        return cores >= 2


def grpc_loaded() -> bool:
    """Whether gRPC is in this process (a Cloud Monitoring source queried): its threads are
    not Python's, so ``threading`` does not count them, and its fork handler has been seen
    to abort a forked child under load. Such a process reads in one process instead."""
    return "grpc" in sys.modules


def start_proof(files: Sequence[Path], block_bytes: int) -> Proof | None:
    """A forked child proving ``files`` block by block, or None (a small directory, no
    ``os.fork``, other threads running, no idle core, or a fork that failed)."""
    if not hasattr(os, "fork") or threading.active_count() > 1 or grpc_loaded():
        return None  # a fork copies only this thread, whatever locks the others hold
    try:
        if sum(file.stat().st_size for file in files) < PARALLEL_BYTES:
            return None
    except OSError:
        return None
    if not spare_core():
        return None
    answer, write = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(answer)
        os.close(write)
        return None
    if pid == 0:  # the child: prove, answer, and leave without running any cleanup
        code = 1
        try:
            os.close(answer)
            os.write(write, str(_first_unproven(files, block_bytes)).encode())
            code = 0
        finally:
            os._exit(code)
    os.close(write)
    return Proof(pid, answer)
