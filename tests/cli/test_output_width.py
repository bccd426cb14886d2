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


CHECKS = ["check", "kind", "status", "value", "bound", "detail"]
CHECK_ROWS = [
    ["ingest-fresh", "freshness", "pass", "2h 13m", "warn after 1d 1h, fail after 1d 3h",
     "newest point is 2h 13m old (at 2026-12-02 02:10 IST)"],
    ["ingest-hourly-complete", "completeness", "pass", "0", "at most 0 empty",
     "all 24 1h slots of the last 1d have data"],
    ["raw-rows-vs-last-week", "change", "pass", "0.0713", "fail unless |change| ≤ 40%",
     "sum of pipeline/rows_ingested{pipeline=aggregate-profit} in the last 1d is 1,550,168"],
]  # fmt: skip


@pytest.mark.parametrize(
    ("columns", "rows"),
    [
        (CHECKS, CHECK_ROWS),  # the stepper's check table
        (
            ["Pipeline", "Family", "Purpose", "Owners", "Runbook"],
            [["aggregate-engagement", "engagement", "investor-reporting", "de1/de4", "engagement"]],
        ),
    ],
    ids=["checks", "owners"],
)
def test_colour_tables_fit_80_columns_whole(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    columns: list[str],
    rows: list[list[str]],
) -> None:
    # On a colour terminal of 80 columns the boxed table used to come out wider and rich
    # cropped it: the detail column (or the owners' right border) was cut off.
    monkeypatch.setattr(output, "is_tty", lambda: True)
    monkeypatch.setattr(output, "color_enabled", lambda: True)
    monkeypatch.setattr(output, "terminal_width", lambda: 80)
    monkeypatch.setattr(output.sys.stdout, "isatty", lambda: True, raising=False)
    output.Terminal().table(columns, rows)
    text = capsys.readouterr().out
    import re

    plain = re.sub(r"\x1b\[[0-9;]*m", "", text)
    assert max(len(line) for line in plain.splitlines()) <= 80, plain
    assert all(c in plain for c in columns), plain
    for ident in (r[0] for r in rows):  # identifiers stay whole
        assert ident in plain, plain
    assert len([line for line in plain.splitlines() if rows[0][0] in line]) == 1
    for line in plain.splitlines():  # nothing cropped: a bordered line is closed
        if line[:1] in "┃│┏┡└":
            assert line.rstrip()[-1] in "┃│┓┩┘", line


def test_plain_table_narrows_prose_before_identifiers() -> None:
    # runbook show at 80 columns used to print "raw-rows-vs-last-we" / "ek": the last
    # resort narrowed the widest column, not the one with the most text.
    rows = [
        *CHECK_ROWS,
        [
            "x",
            "y",
            "pass",
            "1",
            "fail unless |change| ≤ 40%; warn unless |change| ≤ 20%",
            "d " * 60,
        ],
    ]
    text = render_plain_table(CHECKS, rows, width=80)
    assert all(len(line) <= 80 for line in text.splitlines())
    for ident in ("raw-rows-vs-last-week", "ingest-hourly-complete", "completeness"):
        assert ident in text, text
