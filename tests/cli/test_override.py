"""``oncall override``, ``swap`` and ``cover`` on the shipped config: round-trip edits."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import Run

COMMENT = "# hand-written note: keep me\n"


def _with_comment(config_dir: Path) -> tuple[Path, str]:
    path = config_dir / "rotation.yaml"
    text = path.read_text().replace("overrides:\n", "overrides:  # team-agreed covers\n" + COMMENT)
    path.write_text(text)
    return path, text


def test_add_keeps_every_other_line_byte_for_byte(oncall: Run, config_dir: Path) -> None:
    path, before = _with_comment(config_dir)
    result = oncall(
        "override", "add", "--person", "de2", "--from", "2026-12-10T09:00",
        "--to", "2026-12-11T09:00", "--reason", "dentist: cover #1", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    after = path.read_text()
    assert after.startswith(before)  # nothing above changed, comments and style kept
    added = after[len(before) :]
    assert added.count("\n") == 1 and "person: de2" in added and "dentist: cover #1" in added
    data = json.loads(result.stdout)
    assert data["written"] is True
    [change] = data["diff"]["rotations"][0]["changes"]
    assert (change["before"], change["after"]) == ("de1", "de2")
    assert change["start"] == "2026-12-10T09:00:00+05:30"
    listed = json.loads(oncall("override", "list", "--json").stdout)["overrides"]
    assert [o["reason"] for o in listed] == ["conference cover", "dentist: cover #1"]
    assert listed[1]["id"] == data["added"][0]["id"]


def test_ids_are_stable(oncall: Run) -> None:
    first = json.loads(oncall("override", "list", "--json").stdout)["overrides"]
    oncall(
        "override", "add", "--person", "de2", "--from", "2026-12-10T09:00",
        "--to", "2026-12-11T09:00",
    )  # fmt: skip
    again = json.loads(oncall("override", "list", "--json").stdout)["overrides"]
    assert again[0]["id"] == first[0]["id"]
    assert len(first[0]["id"]) == 7


def test_invalid_edit_is_refused_and_the_file_untouched(oncall: Run, config_dir: Path) -> None:
    path, before = _with_comment(config_dir)
    result = oncall(
        "override", "add", "--person", "de1", "--from", "2026-12-01T09:00",
        "--to", "2026-12-01T12:00",
    )  # fmt: skip
    assert result.exit_code == 2
    assert "overlaps overrides[0]" in result.stderr
    assert "nothing was written" in result.stderr
    assert path.read_text() == before


def test_dry_run_writes_nothing(oncall: Run, config_dir: Path) -> None:
    path, before = _with_comment(config_dir)
    result = oncall(
        "override", "add", "--person", "de2", "--from", "2026-12-10T09:00",
        "--to", "2026-12-11T09:00", "--dry-run",
    )  # fmt: skip
    assert result.exit_code == 0
    assert "Schedule diff against before the change" in result.stdout
    rows = [line.split() for line in result.stdout.splitlines()]
    assert any(r[8:10] == ["de1", "de2"] for r in rows), result.stdout  # before, after
    assert "Dry run" in result.stdout
    assert path.read_text() == before


def test_remove_by_id(oncall: Run, config_dir: Path) -> None:
    path, before = _with_comment(config_dir)
    [ov] = json.loads(oncall("override", "list", "--json").stdout)["overrides"]
    result = oncall("override", "remove", ov["id"])
    assert result.exit_code == 0, result.stderr
    rows = [line.split() for line in result.stdout.splitlines()]
    assert any(r[8:10] == ["de3", "de4"] for r in rows), result.stdout  # back to the rotation
    after = path.read_text()
    assert "conference cover" not in after and COMMENT in after
    assert after.splitlines()[:10] == before.splitlines()[:10]
    missing = oncall("override", "remove", ov["id"])
    assert missing.exit_code != 0 and "no override with id" in missing.stderr


def test_add_with_relative_dates(oncall: Run) -> None:
    result = oncall(
        "override", "add", "--person", "de2", "--now", "2026-12-10T09:00", "--from", "now",
        "--to", "+1d", "--dry-run", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    [added] = json.loads(result.stdout)["added"]
    assert added["end"] == "2026-12-11T09:00:00+05:30"


def test_swap_trades_two_shifts(oncall: Run, config_dir: Path) -> None:
    # de3 holds Jan 18-25 2027 and de2 Feb 8-15 (regular rotation), both free on the other's.
    result = oncall(
        "swap", "de3", "de2", "--shift", "2027-01-19T10:00", "--with-shift", "2027-02-09",
        "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    people = [(a["person"], a["start"], a["reason"]) for a in data["added"]]
    assert people == [
        ("de2", "2027-01-18T09:00:00+05:30", "swap: de3 <-> de2"),
        ("de3", "2027-02-08T09:00:00+05:30", "swap: de3 <-> de2"),
    ]
    changes = data["diff"]["rotations"][0]["changes"]
    assert [(c["before"], c["after"]) for c in changes] == [("de3", "de2"), ("de2", "de3")]
    who = json.loads(oncall("who", "--at", "2027-01-19T10:00", "--json").stdout)
    assert who["oncall"][0]["person"] == "de2"


def test_swap_refused_when_taker_is_off_unless_anyway(oncall: Run, config_dir: Path) -> None:
    before = (config_dir / "rotation.yaml").read_text()
    who = json.loads(oncall("who", "--at", "2026-12-15T10:00", "--json").stdout)
    holder = who["oncall"][0]["person"]
    assert holder != "de2"
    # de2 is on leave Dec 14-16, inside the shift they would take.
    result = oncall("swap", holder, "de2", "--shift", "2026-12-15T10:00")
    assert result.exit_code == 2
    assert "de2 is unavailable" in result.stderr and "--anyway" in result.stderr
    assert (config_dir / "rotation.yaml").read_text() == before
    forced = oncall("swap", holder, "de2", "--shift", "2026-12-15T10:00", "--anyway")
    assert forced.exit_code == 0, forced.stderr
    assert (config_dir / "rotation.yaml").read_text() != before


def test_cover(oncall: Run, config_dir: Path) -> None:
    result = oncall(
        "cover", "de3", "--from", "2026-12-09T09:00", "--to", "2026-12-10T09:00", "--json"
    )
    assert result.exit_code == 0, result.stderr
    [added] = json.loads(result.stdout)["added"]
    assert added["person"] == "de3" and "cover" in added["reason"]
    refused = oncall("cover", "de2", "--from", "2026-12-14", "--to", "2026-12-15")
    assert refused.exit_code == 2
    assert "de2 is unavailable" in refused.stderr and "family event" in refused.stderr
