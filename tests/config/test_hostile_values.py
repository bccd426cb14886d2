"""Hostile values in the config are located errors of `validate` (exit 1), never crashes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Run

Edit = Callable[[str, str, str], None]


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        (
            "owners.yaml",
            "runbook: profit",
            "runbook: ../config/owners",
            "owners.yaml:56:14: error: pipelines.aggregate-profit.runbook: bad runbook name",
        ),
        (
            "rotation.yaml",
            "timezone: Asia/Kolkata",
            "timezone: " + "A" * 10_000,
            "rotation.yaml:8:15: error: rotations.primary.timezone: unknown IANA timezone 'AAA",
        ),
        (
            "rotation.yaml",
            "timezone: Asia/Kolkata",
            "timezone: ../../../../etc/passwd",
            "unknown IANA timezone '../../../../etc/passwd'",
        ),
        (
            "owners.yaml",
            "timezone: Asia/Kolkata",
            "timezone: /etc/localtime",
            "owners.yaml:5:13: error: team.timezone: unknown IANA timezone '/etc/localtime'",
        ),
        (
            "rotation.yaml",
            "  primary:",
            "  Primary/../x:",
            "rotations.Primary/../x: rotation ids use lowercase letters",
        ),
        (
            "rotation.yaml",
            "shift_days: 7",
            "shift_days: " + "9" * 5000,
            "rotation.yaml:9:17: error: rotations.primary.shift_days",
        ),
    ],
    ids=[
        "runbook-path",
        "timezone-10000",
        "timezone-dotdot",
        "timezone-abs",
        "rotation-id",
        "digits",
    ],
)
def test_hostile_value_is_a_located_problem(
    oncall: Run, edit_config: Edit, config_dir: Path, file: str, old: str, new: str, expected: str
) -> None:
    edit_config(file, old, new)
    result = oncall("validate")
    assert result.exit_code == 1, result.output
    assert expected in result.stdout
    assert "internal error" not in result.output and "Traceback" not in result.output
    assert all(len(line) < 400 for line in result.output.splitlines())


def test_far_override_end_is_a_located_problem(oncall: Run, config_dir: Path) -> None:
    path = config_dir / "rotation.yaml"
    path.write_text(
        path.read_text().replace(
            "overrides:\n",
            "overrides:\n  - {rotation: primary, start: 2026-12-01T09:00, end: 9999-12-31T00:00,"
            " person: de2}\n",
            1,
        )
    )
    result = oncall("validate")
    assert result.exit_code == 1
    assert "overrides[0].end: 9999-12-31T00:00:00 is outside the supported range" in result.stdout
