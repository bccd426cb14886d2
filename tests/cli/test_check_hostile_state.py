"""Hostile state lines through ``oncall check``: a malformed line at file:line, exit 2, one
line, never "unexpected error" or exit 3 (issue 15, item 6; the adapter's own cases are in
tests/adapters/state/test_local_hostile.py)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.conftest import Run

T = "2026-11-20T09:00"
AT = 41
"""Where the hostile line goes in profit.jsonl (it becomes line 42)."""


@pytest.fixture
def demo(oncall: Run, project: Path) -> Path:
    (project / "config" / "paging.yaml").unlink(missing_ok=True)
    assert oncall("state", "demo", "--now", T).exit_code == 0
    return project / "state"


def _value(line: str, value: str) -> str:
    out, n = re.subn(r'"value": [^,}]+', f'"value": {value}', line, count=1)
    assert n == 1, line
    return out


def _time(line: str, when: str) -> str:
    record = json.loads(line)
    record["time"] = when
    return json.dumps(record)


CASES = {
    "400-digits": (lambda s: _value(s, "1" + "0" * 400), "is too large for a number"),
    "5000-digits": (
        lambda s: _value(s, "1" + "0" * 5000),
        "not valid JSON: a number of more than 4,300 digits",
    ),
    "infinity": (lambda s: _value(s, "Infinity"), "'value' Infinity is not a number"),
    "duplicate-key": (lambda s: _value(s, '1, "value": 2'), "duplicate key 'value'"),
    "deep-labels": (
        lambda s: s.replace('"labels": {', '"labels": {"a": ' + "[" * 20_000 + "]" * 20_000 + ", "),
        "not valid JSON (nested too deeply)",
    ),
    "labels-100000-deep": (
        lambda s: s.replace('"labels": {', '"labels": {"a": ' + "{" * 100_000, 1),
        "characters long: a point is at most 65,536",
    ),
    "far-future": (lambda s: _time(s, "9999-12-31T00:00:00+00:00"), "outside the supported range"),
    "far-past": (lambda s: _time(s, "0001-01-01T00:00:00+00:00"), "outside the supported range"),
}


@pytest.mark.parametrize("command", [("aggregate-profit",), ("--all",)], ids=["one", "all"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_a_hostile_state_line_is_a_located_malformed_line(
    oncall: Run, demo: Path, case: str, command: tuple[str, ...]
) -> None:
    mutate, expected = CASES[case]
    path = demo / "profit.jsonl"
    lines = path.read_text().splitlines()
    lines.insert(AT, mutate(lines[AT]))
    path.write_text("\n".join(lines) + "\n")

    result = oncall("check", *command, "--now", T)

    assert result.exit_code == 2, result.output[-2000:]
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"oncall: {path}:{AT + 1}: ")
    assert expected in line, line
    assert len(line) < 400
    assert "unexpected error" not in result.output and "Traceback" not in result.output
