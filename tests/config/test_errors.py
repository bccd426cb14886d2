"""Every kind of bad input gets a located message and exit code 2 (validate: 1)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Run

Edit = Callable[[str, str, str], None]


def _located(stderr: str, name: str) -> tuple[int, int, str]:
    match = re.search(rf"{re.escape(name)}:(\d+):(\d+): error: (.+)", stderr)
    assert match, f"no located error for {name} in: {stderr!r}"
    return int(match.group(1)), int(match.group(2)), match.group(3)


def _line_of(path: Path, needle: str) -> int:
    for i, line in enumerate(path.read_text().splitlines(), start=1):
        if needle in line:
            return i
    raise AssertionError(f"{needle!r} not in {path}")


def test_malformed_yaml(oncall: Run, config_dir: Path) -> None:
    path = config_dir / "rotation.yaml"
    path.write_text("rotations:\n  primary: {members: [de1, de2\n")
    result = oncall("owners")
    assert result.exit_code == 2
    line, _, message = _located(result.stderr, "rotation.yaml")
    assert line == 2  # where the unclosed `[` opens, not the end of the file (issue 13)
    assert "invalid YAML" in message and "not closed" in message and "noticed at line 3" in message
    assert "Traceback" not in result.output + result.stderr


def test_tab_indentation(oncall: Run, config_dir: Path) -> None:
    path = config_dir / "owners.yaml"
    text = path.read_text().replace("  de2:\n    name:", "  de2:\n\tname:")
    path.write_text(text)
    result = oncall("owners")
    assert result.exit_code == 2
    line, _, message = _located(result.stderr, "owners.yaml")
    assert line == _line_of(path, "\tname:")
    assert "tab" in message


def test_duplicate_key(oncall: Run, edit_config: Edit, config_dir: Path) -> None:
    edit_config(
        "owners.yaml", "    name: Data Engineer 3\n", "    name: Data Engineer 3\n    name: Again\n"
    )
    result = oncall("owners")
    assert result.exit_code == 2
    line, col, message = _located(result.stderr, "owners.yaml")
    assert line == _line_of(config_dir / "owners.yaml", "name: Again")
    assert col == 5
    assert "duplicate key 'name'" in message


def test_unknown_key_with_did_you_mean(oncall: Run, edit_config: Edit, config_dir: Path) -> None:
    edit_config(
        "owners.yaml",
        "    secondary: de4\n    runbook: profit",
        "    secondry: de4\n    runbook: profit",
    )
    result = oncall("owners")
    assert result.exit_code == 2
    messages = result.stderr
    assert "unknown key 'secondry' (did you mean 'secondary'?)" in messages
    assert f"owners.yaml:{_line_of(config_dir / 'owners.yaml', 'secondry')}:5:" in messages


def test_wrong_type(oncall: Run, edit_config: Edit, config_dir: Path) -> None:
    edit_config("rotation.yaml", "shift_days: 7", "shift_days: weekly")
    result = oncall("owners")
    assert result.exit_code == 2
    line, _col, message = _located(result.stderr, "rotation.yaml")
    assert line == _line_of(config_dir / "rotation.yaml", "shift_days: weekly")
    assert "rotations.primary.shift_days: expected a whole number" in message


def test_bad_date(oncall: Run, edit_config: Edit, config_dir: Path) -> None:
    edit_config("rotation.yaml", "start: 2026-01-05", "start: 2026-13-05")
    result = oncall("owners")
    assert result.exit_code == 2
    line, _, message = _located(result.stderr, "rotation.yaml")
    assert line == _line_of(config_dir / "rotation.yaml", "2026-13-05")
    assert "bad date '2026-13-05'" in message


def test_bad_timezone(oncall: Run, edit_config: Edit, config_dir: Path) -> None:
    edit_config("owners.yaml", "timezone: Asia/Kolkata", "timezone: Asia/Kolkatta")
    result = oncall("owners")
    assert result.exit_code == 2
    line, _col, message = _located(result.stderr, "owners.yaml")
    assert line == _line_of(config_dir / "owners.yaml", "Asia/Kolkatta")
    assert "unknown IANA timezone 'Asia/Kolkatta'" in message
    assert "did you mean 'Asia/Kolkata'" in message


def test_unknown_country(oncall: Run, edit_config: Edit, config_dir: Path) -> None:
    edit_config(
        "owners.yaml", "holidays: {country: IN, subdiv: TN}", "holidays: {country: XX, subdiv: TN}"
    )
    result = oncall("validate")
    assert result.exit_code == 1
    line, _, message = _located(result.stdout, "owners.yaml")
    assert line == _line_of(config_dir / "owners.yaml", "country: XX")
    assert "XX" in message


def test_unknown_subdivision(oncall: Run, edit_config: Edit, config_dir: Path) -> None:
    edit_config("owners.yaml", "subdiv: TN", "subdiv: TX")
    result = oncall("validate")
    assert result.exit_code == 1
    line, _, message = _located(result.stdout, "owners.yaml")
    assert line == _line_of(config_dir / "owners.yaml", "subdiv: TX")
    assert "TX" in message


def test_missing_file(oncall: Run, config_dir: Path) -> None:
    (config_dir / "rotation.yaml").unlink()
    result = oncall("owners")
    assert result.exit_code == 2
    _, _, message = _located(result.stderr, "rotation.yaml")
    assert "file not found" in message


def test_empty_file(oncall: Run, config_dir: Path) -> None:
    (config_dir / "owners.yaml").write_text("\n# nothing\n")
    result = oncall("owners")
    assert result.exit_code == 2
    line, col, message = _located(result.stderr, "owners.yaml")
    assert (line, col) == (1, 1)
    assert "empty" in message or "no content" in message


def test_python_tag_is_refused(oncall: Run, edit_config: Edit, config_dir: Path) -> None:
    edit_config(
        "owners.yaml",
        "name: Data Engineering",
        "name: !!python/object/apply:os.system ['echo pwned']",
    )
    result = oncall("owners")
    assert result.exit_code == 2
    line, _, message = _located(result.stderr, "owners.yaml")
    assert line == _line_of(config_dir / "owners.yaml", "python/object")
    assert "unsupported YAML tag !!python/object/apply:os.system" in message
    assert "pwned" not in result.stdout


def test_unquoted_handoff_is_explained(oncall: Run, edit_config: Edit) -> None:
    edit_config("rotation.yaml", 'handoff: "09:00"', "handoff: 9:30")
    result = oncall("owners")
    assert result.exit_code == 2
    assert "handoff must be quoted" in result.stderr


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "secondary: de4\n    runbook: profit",
            "secondary: de9\n    runbook: profit",
            "pipelines.aggregate-profit.secondary: unknown person 'de9' (known: de1, de2, de3, de4, m1)",
        ),
        (
            "primary: de3\n    secondary: de1",
            "primary: de1\n    secondary: de1",
            "pipelines.aggregate-growth: primary and secondary are both 'de1'",
        ),
        (
            "{from: 2026-12-21, to: 2026-12-25",
            "{from: 2026-12-21, to: 2026-12-20",
            "leave ends (2026-12-20) before it starts (2026-12-21)",
        ),
        ("    runbook: growth", "    runbook: growht", "no runbook file growht.yaml"),
        (
            "    runbook: growth",
            "    runbook: growth\n    rotation: secondary",
            "unknown rotation 'secondary'",
        ),
    ],
)
def test_owners_rules(oncall: Run, edit_config: Edit, old: str, new: str, expected: str) -> None:
    edit_config("owners.yaml", old, new)
    result = oncall("owners")
    assert result.exit_code == 2
    assert expected in result.stderr
    assert re.search(r"owners\.yaml:\d+:\d+: error: ", result.stderr)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "members: [de1, de2, de3, de4]",
            "members: [de1, de2, de3, de1]",
            "'de1' is already a member",
        ),
        (
            "members: [de1, de2, de3, de4]",
            "members: [de1, de2, de3, dee4]",
            "unknown person 'dee4'",
        ),
        ("person: de3, reason", "person: de7, reason", "overrides[0].person: unknown person 'de7'"),
        (
            "{rotation: primary, start",
            "{rotation: backup, start",
            "overrides[0].rotation: unknown rotation 'backup'",
        ),
        (
            'start: "2026-11-30T09:00"',
            'start: "2026-12-03T09:00"',
            "overrides[0]: end (2026-12-02 09:00:00) must be after start",
        ),
    ],
)
def test_rotation_rules(oncall: Run, edit_config: Edit, old: str, new: str, expected: str) -> None:
    edit_config("rotation.yaml", old, new)
    result = oncall("owners")
    assert result.exit_code == 2
    assert expected in result.stderr
    assert re.search(r"rotation\.yaml:\d+:\d+: error: ", result.stderr)


def test_overlapping_overrides(oncall: Run, config_dir: Path) -> None:
    path = config_dir / "rotation.yaml"
    path.write_text(
        path.read_text()
        + '  - {rotation: primary, start: "2026-12-01T09:00", end: "2026-12-03T09:00", person: de1}\n'
    )
    result = oncall("owners")
    assert result.exit_code == 2
    line, _, message = _located(result.stderr, "rotation.yaml")
    assert line == _line_of(path, "2026-12-01T09:00")
    assert "overrides[1] overlaps overrides[0]" in message


def test_override_outside_rotation(oncall: Run, config_dir: Path) -> None:
    path = config_dir / "rotation.yaml"
    path.write_text(
        path.read_text()
        + '  - {rotation: primary, start: "2025-06-01T09:00", end: "2025-06-02T09:00", person: de1}\n'
    )
    result = oncall("owners")
    assert result.exit_code == 2
    assert "ends before rotation 'primary' starts" in result.stderr


def test_every_problem_is_listed(oncall: Run, edit_config: Edit) -> None:
    edit_config(
        "owners.yaml", "secondary: de4\n    runbook: profit", "secondary: de9\n    runbook: profit"
    )
    edit_config("owners.yaml", "primary: de4\n", "primary: de8\n")
    edit_config("rotation.yaml", "members: [de1, de2, de3, de4]", "members: [de1, de2, de3, de3]")
    result = oncall("validate")
    assert result.exit_code == 1
    assert "'de9'" in result.stdout and "'de8'" in result.stdout
    assert "already a member" in result.stdout
    assert "3 error(s)" in result.stdout


def test_debug_shows_traceback(
    oncall: Run, config_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (config_dir / "owners.yaml").write_text("")
    monkeypatch.setenv("ONCALL_DEBUG", "1")
    result = oncall("owners")
    assert result.exit_code == 2  # the error's own exit code, not 1
    assert "Traceback (most recent call last)" in result.stderr
    assert "oncall.errors.ConfigError" in result.stderr
    assert "file is empty" in result.stderr.splitlines()[-1]


def test_unknown_country_stops_other_commands(
    oncall: Run, edit_config: Edit, config_dir: Path
) -> None:
    edit_config(
        "owners.yaml", "holidays: {country: IN, subdiv: TN}", "holidays: {country: XX, subdiv: TN}"
    )
    result = oncall("who", "--at", "2026-03-01T10:00")
    assert result.exit_code == 2
    line, _, message = _located(result.stderr, "owners.yaml")
    assert line == _line_of(config_dir / "owners.yaml", "country: XX")
    assert "XX" in message


def test_every_problem_across_both_passes(oncall: Run, edit_config: Edit) -> None:
    # Model errors (bad number, leave backwards) must not hide reference and calendar errors.
    edit_config("rotation.yaml", "shift_days: 7", "shift_days: -1")
    edit_config("rotation.yaml", "members: [de1, de2, de3, de4]", "members: [de1, de2, de3, de9]")
    edit_config("owners.yaml", "to: 2026-12-25, reason", "to: 2026-12-20, reason")
    edit_config("owners.yaml", "subdiv: TN", "subdiv: ZZ")
    validate = oncall("validate")
    who = oncall("who")
    assert validate.exit_code == 1 and who.exit_code == 2
    expected = [
        "rotations.primary.shift_days: must be at least 1 (got -1)",
        "rotations.primary.members[3]: unknown person 'de9'",
        "leave ends (2026-12-20) before it starts (2026-12-21)",
        "people.de3.holidays: unknown subdivision 'ZZ'",
    ]
    for text in expected:
        assert text in validate.stdout, text
    # Every command prints the very same located messages.
    found = [line for line in validate.stdout.splitlines() if ": error: " in line]
    assert found == [line for line in who.stderr.splitlines() if ": error: " in line]


def test_unused_team_calendar_is_still_checked(oncall: Run, edit_config: Edit) -> None:
    edit_config("owners.yaml", "holidays: {country: IN}\n", "holidays: {country: XX}\n")
    for args in (("who",), ("owners",), ("schedule", "--weeks", "1")):
        result = oncall(*args)
        assert result.exit_code == 2, args
        assert re.search(r"owners\.yaml:\d+:\d+: error: team\.holidays: .*'XX'", result.stderr)


def test_no_config_found_says_how_to_point_at_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from oncall.cli import app

    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["who"], catch_exceptions=False)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"oncall: no config found in {tmp_path.resolve()}")
    assert "--config-dir DIR" in result.stderr and "ONCALL_CONFIG_DIR" in result.stderr
