"""validate's file-only findings are cached (issue 14): a warm run skips the runbook, state,
paging and publish passes, and any change of a file or of a looked-up variable is a miss."""

from __future__ import annotations

from pathlib import Path

import pytest

from oncall.config.cache import cache_root
from oncall.services import validation
from tests.conftest import Run

NOW = "2026-11-18T11:00"
SECRET = "hooks-9f8e7d6c5b4a-SECRET"


def validate(oncall: Run) -> tuple[int, str]:
    result = oncall("validate", "--now", NOW)
    return result.exit_code, result.stdout


class Counted:
    """validation.runbook_problems, counting its runs."""

    def __init__(self) -> None:
        self.runs = 0
        self.real = validation.runbook_problems

    def __call__(self, cfg: object) -> list[object]:
        self.runs += 1
        return self.real(cfg)  # type: ignore[arg-type]


def test_a_warm_run_skips_the_passes_and_says_the_same(
    oncall: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    cold = validate(oncall)
    counted = Counted()
    monkeypatch.setattr(validation, "runbook_problems", counted)
    assert validate(oncall) == cold
    assert counted.runs == 0


def test_a_changed_runbook_is_a_miss(
    oncall: Run, config_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cold = validate(oncall)
    runbook = config_dir.parent / "runbooks" / "profit.yaml"
    text = runbook.read_text()
    runbook.write_text(text.replace("source: default", "source: nowhere", 1))
    code, out = validate(oncall)
    assert code == 1 and "unknown state source 'nowhere'" in out
    runbook.write_text(text)
    assert validate(oncall) == cold
    paging = config_dir / "paging.yaml"
    paging.write_text(paging.read_text() + "# a comment\n")
    counted = Counted()
    monkeypatch.setattr(validation, "runbook_problems", counted)
    assert validate(oncall) == cold  # any byte of any config file: the passes run again
    assert counted.runs == 1


def test_setting_a_looked_up_variable_is_a_miss_and_no_value_is_stored(
    oncall: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, before = validate(oncall)
    assert "ONCALL_WEBHOOK_URL is not set" in before
    monkeypatch.setenv("ONCALL_WEBHOOK_URL", SECRET)
    _, after = validate(oncall)
    assert "ONCALL_WEBHOOK_URL" not in after and "ONCALL_SLACK_WEBHOOK is not set" in after
    monkeypatch.setenv("ONCALL_WEBHOOK_URL", "  ")  # blank counts as not set, as before
    assert validate(oncall)[1] == before
    stored = b"".join(p.read_bytes() for p in (cache_root() / "validate").glob("*.json"))
    assert b"ONCALL_WEBHOOK_URL" in stored and SECRET.encode() not in stored


def test_problems_that_depend_on_now_are_always_judged_again(oncall: Run) -> None:
    first = oncall("validate", "--now", NOW)
    later = oncall("validate", "--now", "2030-01-07T11:00")
    assert first.stdout != later.stdout or first.exit_code != later.exit_code
    assert oncall("validate", "--now", NOW).stdout == first.stdout
