"""A fork server for the fuzz suite: import oncall once, then fork one child per case.

Started as ``python -m tests.fuzz.forkserver`` by ``harness.ForkServer``. It reads one JSON
request per line on stdin (``args``, ``env``, ``cwd``, ``timeout``, ``memory``, ``out``) and
answers one JSON line on stdout. For each request it forks a child that, before anything
else, limits its address space (``RLIMIT_AS``) and arms a real-time timer whose signal
(SIGALRM, default action) ends it even inside C code (libyaml), then replaces its
environment, working directory, stdout and stderr and runs the CLI in-process
(``oncall.cli.main``) and exits with its code. The server waits for the child and answers
its exit code, or the signal that ended it.

A request ``{"import": [names]}`` makes the server import modules (the harness sends the
modules its warm-up runs needed, written by a child to ``modules_out``): afterwards a child
runs only the command, not its imports. The server itself never runs a command.

The server is single-threaded, so forking it is safe; every case starts from the same
freshly imported state (nothing a case does reaches the next one).
"""

from __future__ import annotations

import json
import os
import resource
import signal
import sys
import traceback
from typing import Any

WARM_MODULES = (
    "oncall.cli",
    "oncall.config.located",
    "oncall.config.models.owners",
    "oncall.config.models.rotation",
    "oncall.config.models.paging",
    "oncall.config.models.state",
    "oncall.config.models.publish",
    "oncall.domain.runbook",
    "oncall.config.state",
    "oncall.config.paging",
    "oncall.config.rules",
    "oncall.cli.output",
    "oncall.cli.validate",
    "oncall.cli.who",
    "oncall.cli.schedule",
    "oncall.cli.check",
    "oncall.cli.page",
    "oncall.services.validation",
    "oncall.services.schedule",
    "oncall.services.runbook.engine",
    "oncall.services.paging",
    "oncall.adapters.calendars",
    "oncall.adapters.state.local",
    "holidays",
)
"""Imported once by the server (imports only: no function runs, so no state is cached)."""


def _child(request: dict[str, Any]) -> None:
    """In the forked child: limits first, then the CLI. Never returns."""
    code = 70
    try:
        memory = int(request["memory"])
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        signal.signal(signal.SIGALRM, signal.SIG_DFL)
        signal.setitimer(signal.ITIMER_REAL, float(request["timeout"]))
        out = os.open(request["out"] + ".stdout", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        err = os.open(request["out"] + ".stderr", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        nothing = os.open(os.devnull, os.O_RDONLY)
        os.dup2(nothing, 0)  # a prompt reads end of file, never the server's requests
        os.dup2(out, 1)
        os.dup2(err, 2)
        os.environ.clear()
        os.environ.update(request["env"])
        os.chdir(request["cwd"])
        from oncall.cli import main

        code = main(list(request["args"]))
        if request.get("modules_out"):  # a warm-up run: which modules did the command need?
            with open(request["modules_out"], "w", encoding="utf-8") as handle:
                json.dump(sorted(sys.modules), handle)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:  # reported as a traceback and exit 70: the harness flags both
        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def _run(request: dict[str, Any]) -> dict[str, Any]:
    sys.stdout.flush()  # nothing buffered is copied into the child
    pid = os.fork()
    if pid == 0:
        _child(request)
    _, status, usage = os.wait4(pid, 0)
    cpu = round(usage.ru_utime + usage.ru_stime, 4)
    if os.WIFSIGNALED(status):
        return {"code": None, "signal": signal.Signals(os.WTERMSIG(status)).name, "cpu": cpu}
    return {"code": os.WEXITSTATUS(status), "signal": None, "cpu": cpu}


def serve() -> None:
    import importlib

    for name in WARM_MODULES:
        importlib.import_module(name)
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        if "import" in request:
            print(json.dumps({"imported": _import(request["import"])}), flush=True)
        else:
            print(json.dumps(_run(request)), flush=True)


def _import(names: list[str]) -> int:
    """Import the modules warm-up runs needed (imports only), so children need not."""
    import importlib

    done = 0
    for name in names:
        if name == "__main__" or name.startswith(("tests", "_pytest", "pytest")):
            continue
        try:
            importlib.import_module(name)
        except Exception:  # a module that cannot be imported on its own: the child will
            continue
        done += 1
    return done


if __name__ == "__main__":
    serve()
