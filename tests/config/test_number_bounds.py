"""Every number of every file has a range: the schemas say so, and `validate` locates a value
outside it in our words, however many digits it has (issue 15)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from oncall.config.schema import SCHEMA_FILES, compute_schema
from tests.conftest import Run

Edit = Callable[[str, str, str], None]
HUGE = "9" * 5000
"""More digits than Python reads as an int (4,300): YAML keeps it as text."""
BIG = "9" * 400
"""A whole number YAML reads, far past every range."""


def unbounded_numbers(node: Any, where: str = "") -> list[str]:
    """Places in a JSON Schema where a number or integer has no minimum or no maximum."""
    found: list[str] = []
    if isinstance(node, dict):
        if node.get("type") in ("integer", "number"):
            if not {"minimum", "exclusiveMinimum"} & node.keys():
                found.append(f"{where}: no minimum")
            if not {"maximum", "exclusiveMaximum"} & node.keys():
                found.append(f"{where}: no maximum")
        for key, value in node.items():
            found += unbounded_numbers(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += unbounded_numbers(value, f"{where}[{i}]")
    return found


def test_the_walk_finds_an_unbounded_number() -> None:
    schema = {"properties": {"a": {"type": "integer", "minimum": 1}, "b": {"type": "string"}}}
    assert unbounded_numbers(schema) == ["/properties/a: no maximum"]


@pytest.mark.parametrize("name", sorted(SCHEMA_FILES))
def test_every_number_of_every_file_is_bounded(name: str) -> None:
    schema = compute_schema(name)  # from the models, not the committed copy
    assert unbounded_numbers(schema) == []


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        (
            "config/rotation.yaml",
            "shift_days: 7",
            f"shift_days: {HUGE}",
            "rotation.yaml:9:17: error: rotations.primary.shift_days: must be a whole number "
            "from 1 to 366 (got a number of 5,000 digits)",
        ),
        (
            "config/rotation.yaml",
            "shift_days: 7",
            f"shift_days: {BIG}",
            "rotation.yaml:9:17: error: rotations.primary.shift_days: must be at most 366 "
            "(got a number of 400 digits)",
        ),
        (
            "config/rotation.yaml",
            "horizon: 8",
            "horizon: 1000000000",
            "rotations.primary.holiday_swap.horizon: must be at most 52",
        ),
        (
            "runbooks/engagement.yaml",
            "min_history: 5",
            "min_history: 99999",
            "engagement.yaml:101:22: error: steps[2].checks[0].min_history: must be at most 3650",
        ),
        (
            "runbooks/engagement.yaml",
            "min_history: 5",
            f"min_history: {HUGE}",
            "engagement.yaml:101:22: error: steps[2].checks[0].min_history: must be a whole "
            "number from 1 to 3650 (got a number of 5,000 digits)",
        ),
        (
            "runbooks/engagement.yaml",
            "max_missing: 1",
            "max_missing: 1000000",
            "engagement.yaml:36:22: error: steps[0].checks[1].max_missing: must be at most 100000",
        ),
        (
            "runbooks/engagement.yaml",
            "max_missing: 1",
            f"max_missing: {BIG}",
            "steps[0].checks[1].max_missing: must be at most 100000 (got a number of 400 digits)",
        ),
        (
            "runbooks/engagement.yaml",
            "min: 0.1",
            "min: 1.0e+30",
            "engagement.yaml:108:14: error: steps[2].checks[1].min: must be at most 1e+18",
        ),
        (
            "runbooks/engagement.yaml",
            "tolerance_pct: 0.1",
            "tolerance_pct: 1.0e+9",
            "engagement.yaml:116:24: error: steps[2].checks[2].tolerance_pct: must be at most "
            "1000000",
        ),
        (
            "config/paging.yaml",
            "ack_timeout: 15m",
            f"ack_timeout: {BIG}",
            "paging.yaml:10:53: error: urgency.high.ack_timeout: duration (a 400-digit number "
            "of seconds) is longer than the longest supported, 3650d",
        ),
        (
            "config/paging.yaml",
            "ack_timeout: 15m",
            "ack_timeout: -1.0e+400",
            "paging.yaml:10:53: error: urgency.high.ack_timeout:",
        ),
        (
            "runbooks/engagement.yaml",
            "min: 0.1",
            f"min: {HUGE}",
            "steps[2].checks[1].min: must be a number from -1e+18 to 1e+18 (got a number of "
            "5,000 digits)",
        ),
        (
            "runbooks/engagement.yaml",
            "tolerance_pct: 0.1",
            f"tolerance_pct: 1{BIG}",
            "steps[2].checks[2].tolerance_pct: must be a number from 0 to 1000000 (got a number "
            "of 401 digits)",
        ),
        (
            "runbooks/engagement.yaml",
            "min_history: 5",
            f"min_history: 5\n        z_fail: {HUGE}",
            "steps[2].checks[0].z_fail: must be a number from 0 to 1000 (got a number of 5,000",
        ),
        (
            "config/paging.yaml",
            "repeat: 1",
            f"repeat: {HUGE}",
            "urgency.high.repeat: must be a whole number from 0 to 10 (got a number of 5,000",
        ),
    ],
    ids=[
        "shift-days-5000-digits",
        "shift-days-400-digits",
        "horizon",
        "min-history",
        "min-history-5000-digits",
        "max-missing",
        "max-missing-400-digits",
        "threshold",
        "tolerance-pct",
        "ack-timeout-400-digits",
        "ack-timeout-minus-inf",
        "threshold-5000-digits",
        "tolerance-pct-401-digits",
        "z-fail-5000-digits",
        "repeat-5000-digits",
    ],
)
def test_a_number_out_of_range_is_located_in_our_words(
    oncall: Run, project: Path, file: str, old: str, new: str, expected: str
) -> None:
    path = project / file
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))

    result = oncall("validate")

    assert result.exit_code == 1, result.output
    assert expected in result.stdout, result.stdout[-3000:]
    assert "Unable to parse" not in result.output and "exceeded maximum size" not in result.output
    assert "internal error" not in result.output and "Traceback" not in result.output
    assert all(len(line) < 300 for line in result.output.splitlines() if "error:" in line)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (f"{{kind: cloud-monitoring, project: p, timeout: {BIG}}}", "longer than the longest"),
        ("{kind: cloud-monitoring, project: p, timeout: 3651d}", "longer than the longest"),
        ("{kind: cloud-monitoring, project: p, timeout: 0}", "timeout must be more than zero"),
        ("{kind: sql, path: w.db, timeout: 99999999d}", "longer than the longest"),
        ("{kind: bigquery, project: p, maximum_bytes_billed: 2PB}", "at most 1PB"),
        (f"{{kind: bigquery, project: p, maximum_bytes_billed: {BIG}}}", "at most 1PB"),
    ],
    ids=["timeout-400-digits", "timeout-3651d", "timeout-0", "sql-timeout", "bytes", "bytes-big"],
)
def test_state_source_numbers_are_bounded_and_located(
    oncall: Run, config_dir: Path, source: str, expected: str
) -> None:
    (config_dir / "state.yaml").write_text(f"sources:\n  other: {source}\n")

    result = oncall("validate")

    assert result.exit_code == 1, result.output
    lines = [line for line in result.stdout.splitlines() if "state.yaml:2:" in line]
    assert lines and expected in lines[0], result.stdout
    assert "internal error" not in result.output and "Traceback" not in result.output
