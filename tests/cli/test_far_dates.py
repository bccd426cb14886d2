"""Instants outside 1970-01-01..2199-12-31 are usage errors (exit 2) and nothing is recorded."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import Run

FAR = ["9999-12-31T00:00", "0001-01-01T00:00", "9999-12-31", "2200-01-01T00:00Z"]


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (("who", "--at"), "--at"),
        (("check", "--all", "--now"), "--now"),
        (("doctor", "--now"), "--now"),
        (("schedule", "--from"), "--from"),
        (("schedule", "--now"), "--now"),
        (("page", "flush", "--now"), "--now"),
        (("page", "send", "aggregate-profit", "-s", "x", "--dry-run", "--now"), "--now"),
        (("runbook", "profit", "--yes", "--now"), "--now"),
    ],
)
@pytest.mark.parametrize("when", FAR)
def test_far_instants_are_usage_errors(
    oncall: Run, tmp_path: Path, args: tuple[str, ...], option: str, when: str
) -> None:
    result = oncall(*args, when)
    assert result.exit_code == 2, result.output
    assert f"{option}: " in result.stderr
    assert "outside the supported range 1970-01-01 to 2199-12-31" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not Path(os.environ["ONCALL_STATE_DB"]).exists()  # no run, no page recorded


def test_calendar_export_from_far_is_a_usage_error(oncall: Run, tmp_path: Path) -> None:
    result = oncall("calendar", "export", str(tmp_path / "out"), "--from", "9999-12-01")
    assert result.exit_code == 2
    assert "--from: 9999-12-01 is outside the supported range" in result.stderr
    assert not (tmp_path / "out").exists()
