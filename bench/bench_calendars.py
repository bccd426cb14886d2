"""Holiday calendar start-up cost: cold build (imports ``holidays``) vs warm on-disk cache.

Each sample is a fresh interpreter, because the cost that matters is a CLI start-up.
Inside the child it times the module import (``oncall.adapters.calendar_cache`` and the domain
it pulls in) separately from the first ``year(IN, 2026)`` call, which on a cold cache
includes ``import holidays`` and the India build, and on a warm one reads one JSON file.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SAMPLES = 7

_CHILD = """
import json, sys, time
t0 = time.perf_counter()
from oncall.adapters.calendar_cache import CachedHolidayCalendars
from oncall.adapters.calendars import CalendarKey
t1 = time.perf_counter()
calendars = CachedHolidayCalendars()
calendars.year(CalendarKey("IN"), 2026)
t2 = time.perf_counter()
calendars.year(CalendarKey("IN"), 2026)
t3 = time.perf_counter()
print(json.dumps({"module_ms": (t1 - t0) * 1e3, "year_ms": (t2 - t1) * 1e3,
                  "memo_us": (t3 - t2) * 1e6, "imported": "holidays" in sys.modules}))
"""


def _child(cache_root: str) -> dict[str, float]:
    env = {**os.environ, "ONCALL_CACHE_DIR": cache_root, "PYTHONPATH": str(REPO)}
    out = subprocess.run(
        [sys.executable, "-c", _CHILD], env=env, capture_output=True, text=True, check=True
    ).stdout
    result: dict[str, float] = json.loads(out)
    return result


def run() -> dict[str, float]:
    """Median milliseconds for a cold build and a cache hit of India 2026 (fresh processes)."""
    cold: list[float] = []
    warm: list[float] = []
    module: list[float] = []
    memo: list[float] = []
    cold_imports = warm_imports = 0.0
    started = time.perf_counter()
    for _ in range(SAMPLES):
        with tempfile.TemporaryDirectory() as root:
            first = _child(root)
            second = _child(root)
        cold.append(first["year_ms"])
        warm.append(second["year_ms"])
        module.append(second["module_ms"])
        memo.append(second["memo_us"])
        cold_imports += float(first["imported"])
        warm_imports += float(second["imported"])
    cold_ms = statistics.median(cold)
    warm_ms = statistics.median(warm)
    return {
        "cold_build_ms": cold_ms,
        "cache_hit_ms": warm_ms,
        "speedup": cold_ms / warm_ms,
        "memo_hit_us": statistics.median(memo),
        "module_import_ms": statistics.median(module),
        "cold_runs_importing_holidays": cold_imports,
        "warm_runs_importing_holidays": warm_imports,
        "samples": float(SAMPLES),
        "bench_seconds": time.perf_counter() - started,
    }


if __name__ == "__main__":
    for name, value in run().items():
        print(f"{name:32} {value:10.3f}")
