"""The org-scale rows of issue 14: each command on a generated org (``bench/org.py``).

Every row is the median wall time of at least five runs in fresh processes, alternated with
the baseline ``python -c "import typer, pydantic, yaml"`` of the same run, with the peak
memory (max RSS) of the command beside it. The org is built at 1/4, 1/2, 1x and 2x its
size for ``validate`` (cold cache), ``schedule`` and ``check --all``, to show how cost grows.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.flush import queue_pages, receiver
from bench.org import NOW, write_org
from bench.prepare import prepare

RUNS = int(os.environ.get("ONCALL_BENCH_RUNS", "5"))
SCALES = tuple(float(x) for x in os.environ.get("ONCALL_BENCH_SCALES", "0.25,0.5,1,2").split(","))
BASELINE = (sys.executable, "-c", "import typer, pydantic, yaml")
_PEAK_ENV = "ONCALL_BENCH_PEAK_FILE"
_RUN_ONCALL = f"""
import atexit, os, runpy, sys

def _peak():
    import resource

    with open("/proc/self/status") as status:
        kib = next((line.split()[1] for line in status if line.startswith("VmHWM:")), "0")
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    with open(os.environ["{_PEAK_ENV}"], "w") as out:
        out.write(str(int(kib) + children))

atexit.register(_peak)
sys.argv = ["oncall", *sys.argv[1:]]
runpy.run_module("oncall", run_name="__main__", alter_sys=True)
"""
ONCALL = (sys.executable, "-c", _RUN_ONCALL)
"""``python -m oncall`` that writes its peak memory (KiB) where the environment says when it
exits: its own VmHWM plus the largest peak of any process it forked (``check --all`` may
prove state blocks in a forked child), an upper bound since pages the two share count
twice. Measured inside because the bench's own ``ru_maxrss`` of the child would count the
bench's memory, copied by the fork before the exec."""


def _timed(cmd: tuple[str, ...], env: dict[str, str], cwd: Path) -> tuple[float, int, int]:
    """Wall seconds, peak RSS (KiB, as the process reports it) and exit code of one run of
    ``cmd`` in a fresh process."""
    peak_file = cwd / "peak.kib"
    peak_file.unlink(missing_ok=True)
    started = time.perf_counter()
    proc = subprocess.Popen(
        cmd,
        env={**env, _PEAK_ENV: str(peak_file)},
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    try:
        peak = int(peak_file.read_text())
    except (OSError, ValueError):
        peak = usage.ru_maxrss
    return elapsed, peak, proc.returncode


def _row(
    name: str,
    args: tuple[str, ...],
    root: Path,
    env: dict[str, str],
    before: Callable[[], None] | None = None,
) -> dict[str, float]:
    times: list[float] = []
    base: list[float] = []
    peak = code = 0
    for _ in range(RUNS):
        base.append(_timed(BASELINE, env, root)[0])
        if before is not None:
            before()
        elapsed, rss, code = _timed((*ONCALL, "--config-dir", "config", *args), env, root)
        times.append(elapsed)
        peak = max(peak, rss)
    median, baseline = statistics.median(times), statistics.median(base)
    return {
        f"{name}_ms": median * 1000,
        f"{name}_scaled_ms": median * 1000 * ISSUE_BASELINE_MS / (baseline * 1000),
        f"{name}_ratio": median / baseline,
        f"{name}_peak_mib": peak / 1024,
        f"{name}_baseline_ms": baseline * 1000,
        f"{name}_exit_code": code,
    }


ISSUE_BASELINE_MS = 62.0
"""The baseline of issue 14's own measurements: absolute goals are also shown scaled by
this run's baseline against it (``*_scaled_s``), since a busy machine slows both alike."""

GOALS: tuple[tuple[str, str, float, str], ...] = (
    ("validate, cold cache", "x1_validate_cold_ratio", 8.0, "x"),
    ("validate, warm cache", "x1_validate_warm_ratio", 2.5, "x"),
    ("who, cold cache", "x1_who_cold_ratio", 5.0, "x"),
    ("schedule 2026-2027 --format json, warm", "x1_schedule_json_warm_ratio", 5.0, "x"),
    ("check --all on 1M points, time", "x1_check_all_ms", 2000.0, "ms"),
    (
        "check --all on 1M points, time scaled to a 62 ms baseline",
        "x1_check_all_scaled_ms",
        2000.0,
        "ms",
    ),
    ("check --all on 1M points, peak memory", "x1_check_all_peak_mib", 200.0, "MiB"),
    ("page flush of 100 queued pages, time", "x1_page_flush_ms", 400.0, "ms"),
    (
        "page flush of 100 queued pages, time scaled to a 62 ms baseline",
        "x1_page_flush_scaled_ms",
        400.0,
        "ms",
    ),
)
"""(row, result key, goal, unit): the goals of issue 14 at 1x, each met when at most goal."""


def verdicts(results: dict[str, float]) -> list[str]:
    """A markdown table: each goal of issue 14, what this run measured, met or not."""
    lines = ["| row | measured | goal | met |", "|---|---|---|---|"]
    for row, key, goal, unit in GOALS:
        if key not in results:
            lines.append(f"| {row} | not measured | <= {goal:g} {unit} | no |")
            continue
        value = results[key]
        met = "yes" if value <= goal else "**no**"
        lines.append(f"| {row} | {value:.2f} {unit} | <= {goal:g} {unit} | {met} |")
    return lines


FLUSH_PAGES = 100


def _flush_row(name: str, root: Path, env: dict[str, str]) -> dict[str, float]:
    """``page flush`` of ``FLUSH_PAGES`` queued pages to a loopback server answering at once;
    every timed run starts from a copy of the same queued store and must send them all."""
    template, db = root / "queued.db", root / "paging.db"
    due = queue_pages(root / "config", template, FLUSH_PAGES)

    def fresh() -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(template, db)

    with receiver() as server:
        flush_env = {**env, "ONCALL_STATE_DB": str(db), "ONCALL_WEBHOOK_URL": server.url}
        args = ("page", "flush", "--now", due.isoformat(), "--json")
        row = _row(name, args, root, flush_env, fresh)
        if server.posts != RUNS * FLUSH_PAGES:
            raise RuntimeError(f"bench: page flush sent {server.posts}, not {RUNS * FLUSH_PAGES}")
    return row


def run() -> dict[str, float]:
    prepare()
    results: dict[str, float] = {}
    work = Path(tempfile.mkdtemp(prefix="oncall-bench-org-"))
    try:
        for scale in SCALES:
            root = work / f"x{scale}"
            size = write_org(root, scale)
            cache = root / "cache"
            env = {**os.environ, "ONCALL_CACHE_DIR": str(cache), "NO_COLOR": "1"}

            def cold(cache: Path = cache) -> None:
                shutil.rmtree(cache, ignore_errors=True)

            tag = f"x{scale:g}"
            results[f"{tag}_people"] = size.people
            results[f"{tag}_points"] = size.points
            results |= _row(f"{tag}_validate_cold", ("validate", "--now", NOW), root, env, cold)
            results |= _row(
                f"{tag}_schedule_json_warm",
                ("schedule", "--from", "2026-01-01", "--to", "2027-12-31", "--format", "json"),
                root,
                env,
            )
            results |= _row(f"{tag}_check_all", ("check", "--all", "--now", NOW), root, env)
            if scale == 1.0:
                results |= _row(f"{tag}_validate_warm", ("validate", "--now", NOW), root, env)
                results |= _row(f"{tag}_who_cold", ("who", "--at", NOW), root, env, cold)
                results |= _flush_row(f"{tag}_page_flush", root, env)
            shutil.rmtree(root / "state", ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return results


if __name__ == "__main__":
    for key, value in run().items():
        print(f"{key}: {value:.3f}")
