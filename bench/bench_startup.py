"""Start-up cost of `oncall who` against importing its stack, measured in the same run.

Target (rotation issue): `oncall who` on the shipped config, median wall time, at most 1.3x
`python -c "import typer, pydantic, yaml"` (issue 14: 1.2x). Runs are interleaved so that
machine load hits both sides alike; the holiday cache is warmed first (a cold cache is a
one-off cost).

``typer_app`` is the floor under any typer command: a one-command typer app with three
parameters (the shape of ``who``) that prints one line. Typer 0.26 and later coerce each
parameter through a pydantic ``TypeAdapter`` at parse time, which loads pydantic's schema
machinery that the baseline never imports.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.prepare import prepare

REPO = Path(__file__).resolve().parents[1]
SAMPLES = int(os.environ.get("ONCALL_BENCH_SAMPLES", "15"))


def _oncall() -> list[str]:
    script = Path(sys.executable).parent / "oncall"
    return [str(script)] if script.exists() else [sys.executable, "-m", "oncall"]


def _time(cmd: list[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - t0


TYPER_APP = """
import typer

app = typer.Typer()


@app.command()
def who(
    name: str = typer.Argument(None),
    at: str = typer.Option(None, "--at"),
    json_: bool = typer.Option(False, "--json"),
) -> None:
    print(name, at, json_)


app()
"""


def run() -> dict[str, float]:
    prepare()
    with tempfile.TemporaryDirectory() as cache:
        app = Path(cache) / "typer_app.py"
        app.write_text(TYPER_APP)
        env = {
            **os.environ,
            "ONCALL_CONFIG_DIR": str(REPO / "config"),
            "ONCALL_CACHE_DIR": cache,
            "NO_COLOR": "1",
        }
        base_cmd = [sys.executable, "-c", "import typer, pydantic, yaml"]
        cmds = {
            "baseline": base_cmd,
            "who": [*_oncall(), "who"],
            "who_json": [*_oncall(), "who", "--json"],
            "help": [*_oncall(), "--help"],
            "typer_app": [sys.executable, str(app)],
        }
        _time(cmds["who"], env)  # warm the holiday cache and the OS file cache
        samples: dict[str, list[float]] = {k: [] for k in cmds}
        for _ in range(SAMPLES):
            for name, cmd in cmds.items():
                samples[name].append(_time(cmd, env))
    med = {k: statistics.median(v) for k, v in samples.items()}
    return {
        "baseline_ms": med["baseline"] * 1e3,
        "who_ms": med["who"] * 1e3,
        "who_json_ms": med["who_json"] * 1e3,
        "help_ms": med["help"] * 1e3,
        "who_ratio": med["who"] / med["baseline"],
        "who_json_ratio": med["who_json"] / med["baseline"],
        "help_ratio": med["help"] / med["baseline"],
        "typer_app_ms": med["typer_app"] * 1e3,
        "typer_app_ratio": med["typer_app"] / med["baseline"],
        "who_over_typer_app": med["who"] / med["typer_app"],
    }


if __name__ == "__main__":
    for key, value in run().items():
        print(f"{key}: {value:.3f}")
