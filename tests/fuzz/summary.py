"""Count the runs an ``ONCALL_FUZZ_LOG`` file recorded, per category and outcome.

    .venv/bin/python -m tests.fuzz.summary FILE

A category is the corpus case (``nul-byte``, ``billion-laughs``, ...) or ``mutation of KIND``;
an outcome is the exit code, or what was wrong with the run.
"""

from __future__ import annotations

import json
import sys
from collections import Counter, defaultdict
from pathlib import Path


def category(label: str) -> str:
    """``corpus any.nul-byte.yaml as owners`` -> ``nul-byte``; a mutation keeps its label."""
    if label.startswith("corpus "):
        name = label.split()[1]
        return name.split(".", 1)[1].removesuffix(".yaml")
    return label or "(unlabelled)"


def outcome(entry: dict[str, object]) -> str:
    problems = entry.get("problems")
    if isinstance(problems, list) and problems:
        return "WRONG: " + "; ".join(str(p) for p in problems)
    return f"exit {entry['code']}"


def summarize(path: Path) -> str:
    table: dict[str, Counter[str]] = defaultdict(Counter)
    cpu = 0.0
    for line in path.read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        table[category(str(entry["label"]))][outcome(entry)] += 1
        cpu += float(entry.get("cpu") or 0.0)
    rows = ["| category | runs | how they ended |", "|---|---|---|"]
    total: Counter[str] = Counter()
    for name in sorted(table):
        counts = table[name]
        total.update(counts)
        ended = ", ".join(f"{k}: {v}" for k, v in sorted(counts.items()))
        rows.append(f"| {name} | {sum(counts.values())} | {ended} |")
    ended = ", ".join(f"{k}: {v}" for k, v in sorted(total.items()))
    rows.append(f"| **all** | {sum(total.values())} | {ended} |")
    rows.append("")
    rows.append(f"CPU of the runs: {cpu:.1f} s")
    return "\n".join(rows)


if __name__ == "__main__":
    print(summarize(Path(sys.argv[1])))
