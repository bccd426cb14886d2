"""Run every benchmark and write docs/performance.md (``make bench``).

Results are ratios against a baseline measured in the same run wherever the target is a
ratio, so a slow or busy machine does not change the verdict much. No test asserts on time.
"""

from __future__ import annotations

import importlib
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

SUITES: list[tuple[str, str, str]] = [
    (
        "bench_startup",
        "`oncall who` start-up",
        "Median wall time of `oncall who` on the shipped config (warm holiday and config "
        'caches) against `python -c "import typer, pydantic, yaml"`, interleaved in the '
        "same run, with `typer_app`, the floor of any typer 0.26+ command (see Notes). "
        "Target: `who_ratio` at most 1.3 (issue 14: at most 1.2).",
    ),
    (
        "bench_rotation",
        "Rotation engine",
        "A 4-member weekly rotation computed from shift 0 over 1 to 20 years (best of 9). "
        "Targets: ten years under 50 ms; cost linear in the number of shifts "
        "(`per_shift_ratio_20y_to_1y` near 1).",
    ),
    (
        "bench_calendars",
        "Holiday calendars",
        "India 2026 in a fresh process: cold (imports `holidays` and builds the year) against "
        "a hit of the on-disk cache.",
    ),
    (
        "bench_monitoring",
        "Cloud Monitoring fetches",
        "24 distinct `ListTimeSeries` queries through the real client against the local gRPC "
        "server with 200 ms injected latency: concurrent `fetch_all` against one request and "
        "against sequential.",
    ),
    (
        "bench_org",
        "Org scale (issue 14)",
        "A generated org (`bench/org.py`: 300 people, 15 countries, 60 rotations, 400 "
        "pipelines, 124 runbooks, ~1M state points at 1x) at 1/4, 1/2, 1x and 2x: each row is "
        "the median of at least 5 fresh runs alternated with the baseline "
        '`python -c "import typer, pydantic, yaml"`, with the peak memory (max RSS) of the '
        "command. Goals at 1x: validate cold <= 8x and warm <= 2.5x, who cold <= 5x, "
        "schedule json <= 5x, check --all <= 2 s and <= 200 MiB.",
    ),
    (
        "bench_check",
        "`oncall check` end to end",
        "A whole check run of 24 checks against the local gRPC server answering in 200 ms. "
        "Target: at most 2x one request's latency.",
    ),
]


def _fmt(value: float) -> str:
    return f"{value:.3f}" if abs(value) < 1000 else f"{value:.0f}"


def main() -> int:
    sys.path.insert(0, str(REPO))
    from bench.prepare import prepare

    prepare()
    lines = [
        "# Performance",
        "",
        "Written by `make bench` (`python -m bench`); numbers from the last run on the machine",
        "named below. Each section says what is measured and the target. Times are in the unit",
        "their name ends with; ratios are measured against a baseline taken in the same run.",
        "",
        f"- when: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"- machine: {platform.machine()}, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}",
        "",
    ]
    for module_name, title, what in SUITES:
        try:
            module = importlib.import_module(f"bench.{module_name}")
        except ModuleNotFoundError:
            continue
        print(f"running {module_name} ...", file=sys.stderr)
        results = module.run()
        lines += [f"## {title}", "", what, ""]
        verdicts = getattr(module, "verdicts", None)
        if verdicts is not None:
            lines += ["Goals in this run:", "", *verdicts(results), ""]
        lines += ["| measure | value |", "|---|---|"]
        lines += [f"| {key} | {_fmt(value)} |" for key, value in results.items()]
        lines.append("")
    lines += [
        "## Notes",
        "",
        "- Every command is timed as an install leaves it: the package's bytecode compiled",
        "  first and `PYTHONDONTWRITEBYTECODE` dropped for the timed commands (`bench/prepare.py`;",
        "  with it set, each run compiled every module edited since its last `.pyc`).",
        "- Typer 0.26 and later coerce every CLI parameter through a pydantic `TypeAdapter`,",
        "  which loads pydantic's schema machinery that the baseline",
        '  `python -c "import typer, pydantic, yaml"` never imports. `typer_app_ratio` is that',
        "  floor, measured in the same run: a one-command typer app shaped like `who` that",
        "  prints one line. The warm-`who` goal of issue 14 (1.2x) is below that floor, so no",
        "  typer 0.26+ command can meet it; `who_over_typer_app` is what `who` adds on top.",
        "- Typer has no upper pin: Airflow 3.3 ships typer 0.29.2 (its fastapi-cli needs",
        "  typer>=0.26.1), and `pip install oncall-cli` into Airflow's environment must not",
        "  downgrade it (tests/integration/test_airflow_real.py).",
        "- A warm `oncall who` never imports rich, holidays or google.cloud and never",
        "  validates: the validated config is cached as JSON keyed by the files' bytes (its",
        "  marks, three quarters of the bytes, on a second line parsed only when a problem",
        "  needs a position), holiday years are cached on disk and the output is plain text.",
        "- Org scale: `*_scaled_ms` is a row's time times 62 ms (issue 14's baseline) over the",
        "  baseline of the same run: on a machine shared with other work every process is",
        "  slower, and the absolute goals (check --all <= 2 s, flush <= 0.4 s) are judged on",
        "  both columns. Peak memory is the command's own plus its largest forked child's.",
        "- Python's cycle collector is paused while a command builds many objects without",
        "  cycles (config and runbook loading, state reading, a long schedule:",
        "  `oncall/adapters/collector.py`); each full collection walked the whole heap again.",
        "- `check --all` proves each 4 MiB block of the state files well formed by its lines'",
        "  digit templates (a malformed line of any metric is still reported with file and",
        "  line), and extracts only the lines of the metrics and dates the checks read, in one",
        "  pass. With a core idle and 32 MiB or more of state, a forked child proves the blocks",
        "  while the command extracts, and the reader re-reads carefully from the first file",
        "  the child could not prove: the same answers and messages as one process.",
        "- A warm `validate` reads the files' findings from its cache and judges again only",
        "  what depends on the instant (the next 12 weeks' gaps, runs and locks); those passes",
        "  share one availability, so each rotation's shifts are computed once, and the",
        "  backups named in a gap come from the same window.",
        "- Swaps are resolved from the latest shift before the window with `swap_horizon`",
        "  free shifts before it, not from shift 0 (rule 3 of docs/rotations.md; the same",
        "  holders, tests/domain/test_rotation_clean_start.py), and everyone on one holiday",
        "  calendar shares that calendar's table of days off per year.",
        "- Schedule rows are typed dicts, not models (pydantic validates a row in half the",
        "  time, the JSON is the same), instants are written by a C callable, and the JSON goes",
        "  to stdout as the encoder's bytes. The CLI's own process does not look for pydantic",
        "  plugins (`PYDANTIC_DISABLE_PLUGINS`, unless the environment sets it).",
        "- `page flush` sends within each channel's limit on one client per channel, and",
        "  records each round of finished sends and new claims in one store transaction; a",
        "  round waits up to 2 ms after a send finishes for the others in flight, so one commit",
        "  records several (27 commits for 100 items instead of 58). httpx is imported at a",
        "  channel's first send and tenacity only when a send is retried, so a flush with",
        "  nothing due loads neither. What is left is start-up (typer, pydantic, the config)",
        "  and httpx's own cost per request.",
        "",
    ]
    out = REPO / "docs" / "performance.md"
    out.write_text("\n".join(lines))
    print(f"wrote {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
