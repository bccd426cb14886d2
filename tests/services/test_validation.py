"""The validation service gathers every capability's problems into one report."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from oncall.errors import Severity
from oncall.services.validation import collect_problems, compute_validation


def _at(text: str | None, tz: ZoneInfo) -> datetime:
    assert text == "2026-11-21T10:00"
    return datetime(2026, 11, 21, 10, tzinfo=tz)


def test_shipped_config_has_only_warnings(config_dir: Path) -> None:
    report = compute_validation(config_dir, now_text="2026-11-21T10:00", resolve_now=_at)
    assert report.ok and report.errors == 0
    assert report.warnings == len(report.findings) > 0
    assert all(f.severity is Severity.warning for f in report.findings)
    assert report.model_dump(mode="json")["findings"][0]["severity"] == "warning"


def test_problems_of_every_file_are_gathered(config_dir: Path) -> None:
    owners = config_dir / "owners.yaml"
    owners.write_text(owners.read_text().replace("secondary: de4", "secondary: de9", 1))
    problems = collect_problems(config_dir, now_text="2026-11-21T10:00", resolve_now=_at)
    assert any("unknown person 'de9'" in p.message for p in problems)
    report = compute_validation(config_dir, now_text="2026-11-21T10:00", resolve_now=_at)
    assert not report.ok and report.errors >= 1


def test_a_runbook_problem_reaches_validation(config_dir: Path) -> None:
    runbook = config_dir.parent / "runbooks" / "profit.yaml"
    runbook.write_text(runbook.read_text().replace("fail_after", "fail_aftr", 1))
    report = compute_validation(config_dir, now_text="2026-11-21T10:00", resolve_now=_at)
    assert not report.ok
    assert any(
        f.file.endswith("profit.yaml") and "unknown key 'fail_aftr'" in f.message
        for f in report.findings
    )
