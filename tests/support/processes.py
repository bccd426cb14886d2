"""Child processes that tests interrupt: SIGINT back to its default action in the child.

A shell started in the background (``make test &``, some CI runners) starts its commands with
SIGINT ignored, and an ignored signal stays ignored across ``exec``: a Python child would then
never raise KeyboardInterrupt, and a test that sends Ctrl-C would wait for nothing. Pass
``preexec_fn=restore_sigint`` to ``subprocess.Popen`` or ``pexpect.spawn``.
"""

from __future__ import annotations

import signal


def restore_sigint() -> None:
    """Run in the child between fork and exec: Ctrl-C interrupts it whatever the parent ignores."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
