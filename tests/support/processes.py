"""Child processes that tests interrupt: SIGINT at its default action in the child.

A shell started in the background (``make test &``, some CI runners) starts its commands with
SIGINT ignored, and an ignored signal stays ignored across ``exec``: a Python child would then
never raise KeyboardInterrupt, and a test that sends Ctrl-C would wait for nothing.

Spawn such children inside :func:`interruptible_children`. It gives this process a SIGINT
handler for the moment: a caught signal is reset to its default action by ``exec``, so the
child starts with SIGINT at its default. No code runs between ``fork`` and ``exec`` (as a
``preexec_fn`` would): with threads or a gRPC server in this process (the Cloud Monitoring
test server), that code ran in a child holding copies of their locks, and gRPC's fork
handler aborted it now and then under load ("epoll_wait error: Bad file descriptor").
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def interruptible_children() -> Iterator[None]:
    """While the block spawns processes, SIGINT is caught here, so their ``exec`` resets it
    to the default action. This process's own handling is restored afterwards."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
