"""``oncall validate``: clean config, gaps nobody can cover, calendar range warnings."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from tests.conftest import Run

Edit = Callable[[str, str, str], None]


def test_shipped_config_is_valid(oncall: Run) -> None:
    result = oncall("validate", "--now", "2026-11-21T10:00", "--json")
    assert result.exit_code == 0, result.stdout
    report = json.loads(result.stdout)
    assert report["ok"] is True and report["errors"] == 0
    assert all(f["severity"] == "warning" for f in report["findings"])
    # Guru Nanak's Birthday (2026-11-24) is a national holiday: nobody can swap, a warning.
    assert any("2026-11-24 Guru Nanak's Birthday" in f["message"] for f in report["findings"])


def test_leave_nobody_can_cover_is_an_error(oncall: Run, edit_config: Edit) -> None:
    # Everyone is on leave in the same week: de1 holds shift 2026-12-07 and nobody can swap.
    for person, subdiv in (("de1", "MH"), ("de2", "KA"), ("de3", "TN"), ("de4", "WB")):
        if person in ("de1", "de2"):
            old = f"    holidays: {{country: IN, subdiv: {subdiv}}}\n    leave:\n"
            new = old + "      - {from: 2026-12-08, to: 2026-12-09, reason: offsite}\n"
        else:
            old = f"    holidays: {{country: IN, subdiv: {subdiv}}}\n"
            new = old + "    leave:\n      - {from: 2026-12-08, to: 2026-12-09, reason: offsite}\n"
        edit_config("owners.yaml", old, new)
    result = oncall("validate", "--now", "2026-11-21T10:00")
    assert result.exit_code == 1
    line = next(x for x in result.stdout.splitlines() if "offsite" in x)
    assert line.startswith("config/rotation.yaml:") or "rotation.yaml:" in line
    assert ": error: " in line
    assert "de1 is on leave during their shift (2026-12-08..09 leave: offsite)" in line
    assert 'start: "2026-12-08T00:00", end: "2026-12-10T00:00"' in line


def test_calendar_range_is_warned_once(oncall: Run) -> None:
    result = oncall("validate", "--now", "2035-12-01T10:00")
    assert result.exit_code == 0
    warnings = [x for x in result.stdout.splitlines() if "may be missing holidays in 2036" in x]
    # One per distinct calendar (IN-MH, IN-KA, IN-TN, IN-WB, and the team's IN), not per person.
    assert 1 <= len(warnings) <= 5
    assert len(set(warnings)) == len(warnings)
    assert "Warning" not in result.stderr


def test_runbook_typo_is_found_by_validate(oncall: Run, config_dir: Path) -> None:
    path = config_dir.parent / "runbooks" / "profit.yaml"
    text = path.read_text()
    assert "fail_after: 27h" in text
    path.write_text(text.replace("fail_after: 27h", "fail_aftr: 27h", 1))
    line = next(i for i, t in enumerate(path.read_text().splitlines(), 1) if "fail_aftr" in t)
    result = oncall("validate", "--now", "2026-11-21T10:00")
    assert result.exit_code == 1
    assert (
        f"profit.yaml:{line}:9: error: steps[0].checks[0]: unknown key 'fail_aftr' "
        "(did you mean 'fail_after'?)"
    ) in result.stdout
    # The misspelt key is reported once, not also as 'fail_after' missing.
    assert "required key is missing" not in result.stdout


def test_runbook_unknown_source_is_found_by_validate(oncall: Run, config_dir: Path) -> None:
    path = config_dir.parent / "runbooks" / "growth.yaml"
    text = path.read_text()
    path.write_text(
        text.replace("source: default", "source: gcp", 1)
        if "source: default" in text
        else "source: gcp\n" + text
    )
    result = oncall("validate", "--now", "2026-11-21T10:00")
    assert result.exit_code == 1
    assert "growth.yaml:" in result.stdout and "unknown state source 'gcp'" in result.stdout


def test_override_onto_someone_on_leave_is_warned(oncall: Run, config_dir: Path) -> None:
    path = config_dir / "rotation.yaml"
    path.write_text(
        path.read_text()
        + '  - {rotation: primary, start: "2026-12-15T09:00", end: "2026-12-16T09:00", '
        "person: de2, reason: swap back}\n"
    )
    result = oncall("validate", "--now", "2026-11-21T10:00")
    assert result.exit_code == 0
    line = next(x for x in result.stdout.splitlines() if "overrides[1]" in x)
    assert ": warning: overrides[1]: de2 covers 2026-12-15 09:00 to 2026-12-16 09:00" in line
    assert "2026-12-15..16 leave: family event" in line


def test_leave_gap_with_swaps_off_says_so(oncall: Run, edit_config: Edit) -> None:
    edit_config("rotation.yaml", "enabled: true", "enabled: false")
    result = oncall("validate", "--now", "2026-11-21T10:00")
    assert result.exit_code == 1
    line = next(x for x in result.stdout.splitlines() if "family event" in x)
    assert "holiday swaps are off for this rotation: they stay on call" in line
