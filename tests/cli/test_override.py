"""``oncall override``, ``swap`` and ``cover`` on the shipped config: round-trip edits."""

from __future__ import annotations

import json
import re
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
        "override", "add", "--person", "de1", "--from", "2025-01-01T09:00",
        "--to", "2025-01-01T12:00",
    )  # fmt: skip
    assert result.exit_code == 2
    assert "ends before rotation 'primary' starts" in result.stderr
    assert "nothing was written" in result.stderr
    assert path.read_text() == before


def test_overlap_names_the_override_it_overlaps(oncall: Run, config_dir: Path) -> None:
    path, before = _with_comment(config_dir)
    [ov] = json.loads(oncall("override", "list", "--json").stdout)["overrides"]
    result = oncall(
        "override", "add", "--person", "de1", "--from", "2026-12-01T09:00",
        "--to", "2026-12-01T12:00",
    )  # fmt: skip
    assert result.exit_code == 2
    assert f"overlaps override {ov['id']} (de3 " in result.stderr
    assert f"oncall override remove {ov['id']}" in result.stderr
    assert "Traceback" not in result.stderr and path.read_text() == before


ODD = """---
# yaml-language-server: $schema=../schemas/rotation.schema.json
rotations:
    primary:          # four-space indent here
        members:   [ de1,  de2, de3,de4 ]   # odd spacing
        start:     2026-01-05
        handoff:   '09:00'
        timezone: "Asia/Kolkata"
        shift_days: 7

# the overrides
overrides:
- rotation: primary     # block style, no indent
  start: "2026-11-30T09:00"
  end:   '2026-12-02T09:00'
  person: de3
  reason: >-
    conference
    cover
# trailing comment
"""


def test_odd_formatting_is_kept_byte_for_byte(oncall: Run, config_dir: Path) -> None:
    path = config_dir / "rotation.yaml"
    path.write_text(ODD)
    result = oncall(
        "override", "add", "--person", "de2", "--from", "2026-12-10T09:00",
        "--to", "2026-12-11T09:00", "--reason", "dentist: cover #1", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    entry = (
        '- {rotation: primary, start: "2026-12-10T09:00", end: "2026-12-11T09:00", '
        'person: de2, reason: "dentist: cover #1"}\n'
    )
    # The one new line goes after the last entry (before the comment closing the file),
    # indented like it; every other byte is as it was.
    assert path.read_text() == ODD.replace("# trailing comment\n", entry + "# trailing comment\n")
    new_id = json.loads(result.stdout)["added"][0]["id"]
    assert oncall("override", "remove", new_id).exit_code == 0
    assert path.read_text() == ODD
    [old] = json.loads(oncall("override", "list", "--json").stdout)["overrides"]
    assert old["reason"] == "conference cover"
    assert oncall("override", "remove", old["id"]).exit_code == 0
    lines = path.read_text().splitlines(keepends=True)
    assert (
        "".join(lines)
        == ODD[: ODD.index("- rotation")].replace("overrides:\n", "overrides: []\n")
        + "# trailing comment\n"
    )


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


def test_to_offset_counts_from_from(oncall: Run, config_dir: Path) -> None:
    # The README's example: --from tomorrow --to +1d is tomorrow, all day (not until
    # a day after now).
    result = oncall(
        "override", "add", "--person", "de2", "--now", "2026-12-09T22:51:07", "--from",
        "tomorrow", "--to", "+1d", "--reason", "dentist cover", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    [added] = json.loads(result.stdout)["added"]
    assert (added["start"], added["end"]) == (
        "2026-12-10T00:00:00+05:30",
        "2026-12-11T00:00:00+05:30",
    )
    assert (
        'start: "2026-12-10T00:00", end: "2026-12-11T00:00"'
        in (config_dir / "rotation.yaml").read_text()
    )


def test_times_from_the_clock_are_written_to_the_minute(oncall: Run, config_dir: Path) -> None:
    result = oncall(
        "override", "add", "--person", "de2", "--from", "+400d", "--to", "+2h", "--json"
    )
    assert result.exit_code == 0, result.stderr
    last = (config_dir / "rotation.yaml").read_text().splitlines()[-1]
    assert re.search(r'start: "\d{4}-\d\d-\d\dT\d\d:\d\d", end: "[^"]{16}"', last), last


def test_leave_from_the_next_handoff_day_does_not_block_a_swap(oncall: Run) -> None:
    # de1 holds Dec 7-14 (dates Dec 7..13); de2's leave starts Dec 14, a date of the next
    # shift (docs/rotations.md rule 2), so the README's swap goes through.
    result = oncall("swap", "de1", "de2", "--shift", "2026-12-08", "--dry-run", "--json")
    assert result.exit_code == 0, result.stderr
    added = json.loads(result.stdout)["added"]
    assert [(a["person"], a["start"]) for a in added] == [
        ("de2", "2026-12-07T09:00:00+05:30"),
        ("de1", "2027-01-04T09:00:00+05:30"),
    ]


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
