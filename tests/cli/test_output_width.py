"""Tables and fields follow the terminal's width and never break an identifier."""

from __future__ import annotations

import pytest

from oncall.cli import output
from oncall.cli.output import render_plain_table
from tests.conftest import Run

ROWS = [["unit-level-profit", "Unit-level profit", "experiments", "de1", "de3", "primary"]]
COLUMNS = ["Pipeline", "Name", "Purpose", "Primary", "Secondary", "Rotation"]


def test_narrow_table_keeps_identifiers_whole() -> None:
    # Too narrow for the row on one line: the name wraps, the identifier stays whole.
    text = render_plain_table(COLUMNS, ROWS, width=72)
    assert "unit-level-profit" in text
    assert len(text.splitlines()) == 4  # header, rule, the row on two lines
    assert all(len(line) <= 72 for line in text.splitlines())


def test_wide_table_uses_the_width() -> None:
    wide = render_plain_table(COLUMNS, ROWS * 1, width=200)
    assert len(wide.splitlines()) == 3  # header, rule, one line per row
    narrow = render_plain_table(COLUMNS, ROWS, width=50)
    assert len(narrow.splitlines()) > 3


def test_width_is_the_terminals(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(output, "is_tty", lambda: True)
    monkeypatch.setattr(output, "terminal_width", lambda: 132)
    assert output.Terminal().width == 132
    monkeypatch.setattr(output, "is_tty", lambda: False)
    assert output.Terminal().width == 80


def test_field_wraps_to_the_terminal(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(output, "is_tty", lambda: True)
    monkeypatch.setattr(output, "terminal_width", lambda: 40)
    output.Terminal().field("  why    ", "holiday swap: covers de2, who is off Wed Jan 14 Makar")
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and all(len(line) <= 40 for line in lines)


def test_owners_one_row_per_pipeline(oncall: Run) -> None:
    result = oncall("owners")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    for pid in ("unit-level-profit", "aggregate-profit", "aggregate-growth"):
        assert sum(line.startswith(pid + " ") for line in lines) == 1, pid
    assert "unit-level-profi\n" not in result.stdout


@pytest.mark.parametrize("width", [60, 140])
def test_who_and_schedule_follow_the_terminal(
    oncall: Run, monkeypatch: pytest.MonkeyPatch, width: int
) -> None:
    monkeypatch.setattr(output, "is_tty", lambda: True)
    monkeypatch.setattr(output, "terminal_width", lambda: width)
    who = oncall("who", "aggregate-growth", "--at", "2026-01-14T10:00").stdout
    schedule = oncall("schedule", "--from", "2026-12-14", "--weeks", "3").stdout
    for text in (who, schedule):
        assert max(len(line) for line in text.splitlines()) <= width
    longest = max(len(line) for line in schedule.splitlines())
    assert (longest > 80) == (width > 80)  # a wide terminal is used, not capped at 80
