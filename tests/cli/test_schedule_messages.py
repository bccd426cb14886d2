"""Messages that used to mislead (issue 13): swaps off, nobody's shifts, the team calendar's
range warning, and where an unclosed YAML flow collection opens."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from tests.conftest import Run

Edit = Callable[[str, str, str], None]


def test_swaps_off_says_so(oncall: Run, edit_config: Edit) -> None:
    edit_config("rotation.yaml", "holiday_swap: {enabled: true", "holiday_swap: {enabled: false")
    result = oncall("schedule", "--from", "2026-12-14", "--weeks", "3", "--json")
    assert result.exit_code == 0, result.stderr
    notes = [
        n for r in json.loads(result.stdout)["rotations"] for s in r["shifts"] for n in s["notes"]
    ]
    assert any("holiday swaps are off" in n for n in notes), notes
    assert not any("conflict nobody could take" in n for n in notes)


def test_swaps_on_still_names_an_unresolved_conflict(oncall: Run) -> None:
    result = oncall("schedule", "--from", "2026-12-28", "--weeks", "1", "--json")
    notes = [
        n for r in json.loads(result.stdout)["rotations"] for s in r["shifts"] for n in s["notes"]
    ]
    assert any("conflict nobody could take" in n for n in notes), notes


def test_schedule_of_someone_in_no_rotation(oncall: Run) -> None:
    result = oncall("schedule", "--person", "m1", "--now", "2026-12-01")
    assert result.exit_code == 0
    assert "m1 is in no rotation" in result.stderr
    assert "no shifts in this window" in result.stdout
    assert "Start" not in result.stdout  # no empty table


def test_range_warning_names_the_team_calendar(oncall: Run) -> None:
    result = oncall("schedule", "--from", "2036-01-01", "--weeks", "2", "--format", "json")
    assert "holiday calendar IN (public) may be missing holidays in 2036" in result.stderr
    assert "holiday calendar IN-MH (public)" in result.stderr


def test_unclosed_flow_mapping_points_where_it_opens(oncall: Run, config_dir: Path) -> None:
    path = config_dir / "owners.yaml"
    lines = path.read_text().splitlines(keepends=True)
    index = next(i for i, line in enumerate(lines) if "contacts: {slack: U01DE0002}" in line)
    lines[index] = lines[index].replace("U01DE0002}", "U01DE0002")
    path.write_text("".join(lines))
    result = oncall("validate")
    assert result.exit_code == 1  # validate: problems found
    column = lines[index].index("{") + 1
    output = result.stdout + result.stderr
    assert f"owners.yaml:{index + 1}:{column}: error:" in output
    assert "flow mapping opened here is not closed" in output
    assert f"noticed at line {index + 2}" in output
