"""Hostile state lines are malformed lines (file:line, exit 2), never an unexpected error."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from oncall.adapters.state.local import MAX_LINE_CHARS, LocalStateSource, StateDataError
from tests.adapters.state.test_local import T0, query, rec

GOOD = json.dumps(rec(1))


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (GOOD.replace('"value": 1', '"value": 1' + "0" * 400), "is too large for a number"),
        (
            GOOD.replace('"value": 1', '"value": 1' + "0" * 5000),
            "a number of more than 4,300 digits",
        ),
        (GOOD.replace('"value": 1', '"value": Infinity'), "'value' Infinity is not a number"),
        (GOOD.replace('"value": 1', '"value": -Infinity'), "'value' -Infinity is not a number"),
        (GOOD.replace('"value": 1', '"value": 1, "value": 2'), "duplicate key 'value'"),
        (
            GOOD.replace('"labels": {', '"labels": {"a": ' + "[" * 20_000 + "]" * 20_000 + ", "),
            "nested too deeply",
        ),
        ('{"labels": ' + '{"a": ' * 30_000, "characters long"),
        (GOOD.replace("2026-11-20", "9999-12-31"), "outside the supported range"),
        (GOOD.replace("2026-11-20", "0001-01-01"), "outside the supported range"),
    ],
    ids=[
        "400-digits",
        "5000-digits",
        "infinity",
        "minus-infinity",
        "duplicate-key",
        "deep-labels",
        "long-line",
        "far-future",
        "far-past",
    ],
)
def test_hostile_line_is_a_malformed_line(tmp_path: Path, line: str, expected: str) -> None:
    file = tmp_path / "state" / "a.jsonl"
    file.parent.mkdir()
    file.write_text(GOOD + "\n" + line + "\n", encoding="utf-8")

    with pytest.raises(StateDataError) as caught:
        LocalStateSource(tmp_path / "state").fetch(query(T0, T0 + timedelta(minutes=5)))

    message = str(caught.value)
    assert message.startswith(f"{file}:2: ")
    assert expected in message
    assert len(message) < 400
    assert caught.value.exit_code == 2


def test_nan_literal_is_still_a_corrupt_point(tmp_path: Path) -> None:
    file = tmp_path / "state" / "a.jsonl"
    file.parent.mkdir()
    file.write_text(GOOD.replace('"value": 1', '"value": NaN') + "\n", encoding="utf-8")
    points = LocalStateSource(tmp_path / "state").fetch(query(T0, T0 + timedelta(minutes=5)))
    assert len(points) == 1 and points[0].value != points[0].value
    assert MAX_LINE_CHARS == 65_536
