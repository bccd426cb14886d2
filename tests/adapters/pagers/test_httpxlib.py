"""The pagers import httpx without its command-line client (click, rich, pygments), and
``httpx.main`` and ``import httpx._main`` still work as they did. Each case runs in a fresh
interpreter, where httpx is not imported yet."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

pytestmark = pytest.mark.timeout(120)

PROBE = """
import json, sys
import oncall.adapters.pagers.http
import httpx

def loaded(name):
    return any(m == name or m.startswith(name + ".") for m in sys.modules)

report = {
    "cli_loaded": loaded("httpx._main"),
    "blocked_left": "httpx._main" in sys.modules,
    "heavy": sorted(m for m in ("click", "pygments", "rich") if loaded(m)),
    "client_works": httpx.Client is not None and httpx.Timeout(1.0).read == 1.0,
}
import httpx._main as cli  # the real module, once asked for

cli.main = lambda *args, **kwargs: ["called", list(args)]
report["main_returns"] = httpx.main("--help")
print(json.dumps(report))
"""


def test_the_pagers_import_httpx_without_its_command_line_client() -> None:
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report == {
        "cli_loaded": False,
        "blocked_left": False,
        "heavy": [],
        "client_works": True,
        "main_returns": ["called", ["--help"]],
    }


def test_httpx_imported_first_is_left_alone() -> None:
    probe = (
        "import httpx, sys\nimport oncall.adapters.pagers.http\nprint('httpx._main' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True"
