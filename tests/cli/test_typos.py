"""Every unknown command or subcommand gets one did-you-mean line (issue 13, defect 5)."""

from __future__ import annotations

import pytest

from tests.conftest import Run


@pytest.mark.parametrize(
    ("args", "guess"),
    [
        (["woh"], "who"),
        (["runbook", "shwo", "profit"], "show"),
        (["runbook", "lst"], "list"),
        (["page", "sned", "aggregate-profit", "-s", "x"], "send"),
        (["calendar", "exprot"], "export"),
        (["override", "lsit"], "list"),
        (["store", "inf"], "info"),
        (["schedule", "lok"], "lock"),
        (["schedule", "dif"], "diff"),
    ],
)
def test_typo_gets_one_suggestion(oncall: Run, args: list[str], guess: str) -> None:
    result = oncall(*args)
    assert result.exit_code == 2
    output = result.stdout + result.stderr
    assert output.count("Did you mean") == 1, output
    assert f"Did you mean '{guess}'?" in output
    assert "Traceback" not in output and "Usage:" not in output  # one line, not click's


def test_unknown_runbook_suggests_the_closest(oncall: Run) -> None:
    result = oncall("runbook", "proft")
    assert result.exit_code != 0
    assert "did you mean 'profit'?" in result.stderr


def test_nothing_close_lists_the_commands(oncall: Run) -> None:
    result = oncall("zzzz")
    assert result.exit_code == 2
    assert "Did you mean" not in result.stderr and "Commands: ack," in result.stderr


def test_runbook_names_still_run(oncall: Run) -> None:
    # `oncall runbook NAME` is short for `oncall runbook run NAME`: not taken for a typo.
    result = oncall("runbook", "profit", "--help")
    assert result.exit_code == 0
    assert "Did you mean" not in result.stdout
