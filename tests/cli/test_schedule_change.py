"""``oncall schedule lock`` and ``oncall schedule diff`` on the shipped team, end to end.

The shipped rotation: de1..de4 weekly from Monday 2026-01-05 09:00 (Asia/Kolkata). February
2027 as shipped: 1 Feb de2 (swap), 8 Feb de2, 15 Feb de3, 22 Feb de4, 1 Mar de1.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from tests.conftest import Run

NOW = "2027-01-20T10:00"
DE3_LEAVE = (
    "    email: de3@example.com\n",
    "    email: de3@example.com\n    leave:\n      - {from: 2027-02-16, to: 2027-02-17, reason: dentist}\n",
)
Edit = Callable[[str, str, str], None]


def holders(oncall: Run, start: str, weeks: int) -> list[tuple[str, str]]:
    result = oncall("schedule", "--from", start, "--weeks", str(weeks), "--json")
    assert result.exit_code == 0, result.stderr
    [rot] = json.loads(result.stdout)["rotations"]
    return [(s["start"][:10], s["person"]) for s in rot["shifts"]]


def lock(oncall: Run, *args: str) -> dict:
    result = oncall("schedule", "lock", "--now", NOW, "--json", *args)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_lock_then_new_leave_keeps_the_schedule_and_validate_reports_the_gap(
    oncall: Run, config_dir: Path, edit_config: Edit
) -> None:
    before = holders(oncall, "2027-02-01", 4)[1:]  # [0]: the shift from 25 January
    report = lock(oncall, "--from", "2027-02-01", "--weeks", "4")
    assert report["written"] and report["rotations"][0]["shifts"] == 4
    text = (config_dir / "schedule.lock.yaml").read_text()
    assert text.startswith("# yaml-language-server: $schema=../schemas/lock.schema.json\n")
    data = yaml.safe_load(text)["locks"]["primary"]
    assert [(s["start"][:10], s["person"]) for s in data["shifts"]] == before
    assert data["from"] == "2027-02-01T09:00:00+05:30" and data["until"].startswith("2027-03-01")

    edit_config("owners.yaml", *DE3_LEAVE)
    assert holders(oncall, "2027-02-01", 4)[1:] == before  # unlocked, de3 would swap with de4
    result = oncall("validate", "--now", NOW)
    assert result.exit_code == 1
    [gap] = [line for line in result.stdout.splitlines() if "dentist" in line]
    assert "error:" in gap and "de3 is on leave" in gap and "locked" in gap
    assert '{rotation: primary, start: "2027-02-16T00:00", end: "2027-02-18T00:00"' in gap
    # Located at the locked entry (the third: the shift from 15 February), not rotation.yaml.
    [where, message] = gap.split(": error: ", 1)
    path, line, _col = where.rsplit(":", 2)
    assert path.endswith("schedule.lock.yaml"), gap
    assert message.startswith("locks.primary.shifts[2]: shift 2027-02-15 to 2027-02-22: "), gap
    lines = text.splitlines()
    assert "de3" in lines[int(line) - 1] and "2027-02-15" in "".join(
        lines[int(line) - 3 : int(line)]
    )


def test_without_a_lock_the_same_leave_swaps(oncall: Run, edit_config: Edit) -> None:
    edit_config("owners.yaml", *DE3_LEAVE)
    assert holders(oncall, "2027-02-15", 2)[1:] == [("2027-02-15", "de4"), ("2027-02-22", "de3")]


def test_extending_a_lock_appends_and_force_changes_and_shortens(
    oncall: Run, config_dir: Path, edit_config: Edit
) -> None:
    lock(oncall, "--from", "2027-02-01", "--weeks", "2")
    extended = lock(oncall, "--from", "2027-02-01", "--weeks", "4")["rotations"][0]
    assert (extended["shifts"], extended["added"], extended["changes"]) == (4, 2, [])
    edit_config("owners.yaml", *DE3_LEAVE)
    again = lock(oncall, "--from", "2027-02-01", "--weeks", "4")
    kept = again["rotations"][0]
    assert not again["written"] and kept["added"] == 0
    assert [(d["before"], d["after"]) for d in kept["differs"]] == [("de3", "de4"), ("de4", "de3")]

    forced = lock(oncall, "--from", "2027-02-01", "--weeks", "3", "--force")["rotations"][0]
    assert [(c["start"][:10], c["before"], c["after"]) for c in forced["changes"]] == [
        ("2027-02-15", "de3", "de4"),
        ("2027-02-22", "de4", None),  # shortened: dropped from the lock
    ]
    shifts = yaml.safe_load((config_dir / "schedule.lock.yaml").read_text())["locks"]["primary"]
    assert [s["person"] for s in shifts["shifts"]] == ["de2", "de2", "de4"]
    text = oncall("schedule", "lock", "--now", NOW, "--from", "2027-02-01", "--weeks", "3",
                  "--force").stdout  # fmt: skip
    assert "unchanged:" in text  # nothing left to change


def test_a_lock_window_apart_from_the_lock_is_refused_naming_the_gap(
    oncall: Run, config_dir: Path
) -> None:
    lock(oncall, "--from", "2027-02-01", "--weeks", "2")
    path = config_dir / "schedule.lock.yaml"
    text = path.read_text()
    # (--force with an earlier window is a shortening: it drops the shifts after it)
    for args, gap, hint in (
        (["--from", "2027-03-01"], "2027-02-15 to 2027-03-01", "--from 2027-02-15"),
        (["--from", "2027-03-01", "--force"], "2027-02-15 to 2027-03-01", "--from 2027-02-15"),
        (["--from", "2027-01-04"], "2027-01-11 to 2027-02-01", "--until 2027-02-01"),
    ):
        result = oncall("schedule", "lock", "--now", NOW, "--weeks", "1", *args)
        assert result.exit_code == 2, result.stdout
        assert f"would leave {gap} unlocked" in result.stderr and hint in result.stderr
        assert "Traceback" not in result.stderr
    assert path.read_text() == text  # nothing written
    touching = lock(oncall, "--from", "2027-02-15", "--weeks", "1")["rotations"][0]
    assert (touching["shifts"], touching["added"]) == (3, 1)


def test_validate_reports_a_locked_person_who_left_the_rotation(
    oncall: Run, edit_config: Edit
) -> None:
    lock(oncall, "--from", "2027-02-01", "--weeks", "4")
    edit_config(
        "rotation.yaml",
        "    members: [de1, de2, de3, de4]\n",
        "    roster:\n      - {from: 2026-01-05, members: [de1, de2, de3, de4]}\n"
        "      - {from: 2027-02-08, members: [de1, de3, de4]}\n",
    )
    result = oncall("validate", "--now", NOW)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert any(
        "schedule.lock.yaml:" in line and "error:" in line and "de2 is locked on 2027-02-08" in line
        for line in lines
    ), result.stdout
    assert any("note: the lock spans roster phase 1" in line for line in lines)
    # The locked holder stays on call.
    assert holders(oncall, "2027-02-08", 1)[1:] == [("2027-02-08", "de2")]


@pytest.fixture
def repo(project: Path) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    env = ["-c", "user.email=t@example.com", "-c", "user.name=t"]
    for args in (["init", "-q"], ["add", "-A"], [*env, "commit", "-qm", "config"]):
        subprocess.run(["git", *args], cwd=project, check=True, capture_output=True)
    return project


def diff(oncall: Run, *args: str) -> dict:
    result = oncall("schedule", "diff", "--now", NOW, "--json", *args)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_diff_of_a_leave_shows_only_the_spans_it_moves(
    oncall: Run, repo: Path, edit_config: Edit
) -> None:
    assert diff(oncall, "--from", "2027-01-25", "--weeks", "9")["rotations"][0]["changes"] == []
    edit_config("owners.yaml", *DE3_LEAVE)
    report = diff(oncall, "--from", "2027-01-25", "--weeks", "9")
    assert report["against"] == "HEAD"
    assert report["window"] == {
        "from": "2027-01-25T00:00:00+05:30",
        "to": "2027-03-29T00:00:00+05:30",
    }
    changes = report["rotations"][0]["changes"]
    assert [(c["start"], c["end"], c["before"], c["after"]) for c in changes] == [
        ("2027-02-15T09:00:00+05:30", "2027-02-22T09:00:00+05:30", "de3", "de4"),
        ("2027-02-22T09:00:00+05:30", "2027-03-01T09:00:00+05:30", "de4", "de3"),
    ]
    assert all("swap" in c["why"] and "leave: dentist" in c["why"] for c in changes)
    # The why names the change itself first: the leave the edit added.
    assert changes[0]["why"].startswith("de3 is now off 2027-02-16..17 leave: dentist; swap:")
    load = {d["person"]: (d["days_before"], d["days_after"]) for d in report["load"]}
    assert load["de3"] == (14, 14) and load["de4"] == (21, 21)  # a swap moves no days
    text = oncall("schedule", "diff", "--now", NOW, "--from", "2027-01-25", "--weeks", "9")
    assert "Rotation primary" in text.stdout and "dentist" in text.stdout


def test_diff_names_a_new_leave_that_undoes_a_swap(
    oncall: Run, repo: Path, edit_config: Edit
) -> None:
    """de1 was to take de2's December week (de2 off 14-16 Dec); de1's new leave gives it to de3.

    The swap behind the new holder is unchanged (de2's family event): the why must name the
    new leave, which is what really moved the shift."""
    edit_config(
        "owners.yaml",
        "      - {from: 2026-12-21, to: 2026-12-25, reason: vacation}\n",
        "      - {from: 2026-12-21, to: 2026-12-25, reason: vacation}\n"
        "      - {from: 2026-12-14, to: 2026-12-18, reason: dentist}\n",
    )
    changes = diff(oncall, "--from", "2026-12-07", "--weeks", "4")["rotations"][0]["changes"]
    first = changes[0]
    assert (first["start"][:10], first["before"], first["after"]) == ("2026-12-14", "de1", "de3")
    assert first["why"].startswith("de1 is now off 2026-12-14..18 leave: dentist")


def test_diff_across_a_roster_change_against_a_directory(
    oncall: Run, project: Path, tmp_path: Path, edit_config: Edit
) -> None:
    old = tmp_path / "old"
    shutil.copytree(project, old)
    edit_config(
        "owners.yaml",
        "  m1:\n",
        "  de5:\n    name: Data Engineer 5\n    email: de5@example.com\n"
        "    holidays: {country: IN, subdiv: MH}\n  m1:\n",
    )
    edit_config(
        "rotation.yaml",
        "    members: [de1, de2, de3, de4]\n",
        "    roster:\n      - {from: 2026-01-05, members: [de1, de2, de3, de4]}\n"
        "      - {from: 2027-03-01, members: [de1, de2, de3, de4, de5]}\n",
    )
    report = diff(oncall, "--against", str(old), "--from", "2027-02-01", "--weeks", "10")
    changes = report["rotations"][0]["changes"]
    assert changes and all(c["start"] >= "2027-03-05" for c in changes), changes
    first = changes[0]
    assert (first["start"][:10], first["before"], first["after"]) == ("2027-03-29", "de1", "de5")
    assert "roster change" in first["why"]
    load = {d["person"]: (d["days_before"], d["days_after"]) for d in report["load"]}
    assert load["de5"][0] == 0 and load["de5"][1] > 0


def test_diff_against_an_unknown_revision_is_a_usage_error(oncall: Run, repo: Path) -> None:
    result = oncall("schedule", "diff", "--against", "no-such-rev", "--now", NOW)
    assert result.exit_code == 2
    assert "unknown git revision 'no-such-rev'" in result.stderr


def test_diff_against_a_missing_directory_or_a_file_says_so(
    oncall: Run, repo: Path, tmp_path: Path
) -> None:
    missing = tmp_path / "nowhere"
    result = oncall("schedule", "diff", "--against", str(missing), "--now", NOW)
    assert result.exit_code == 2
    assert f"--against: no directory {missing}: give an existing config directory" in (
        result.stderr
    )
    assert "git revision '" not in result.stderr
    afile = tmp_path / "owners.yaml"
    afile.write_text("people: {}\n")
    result = oncall("schedule", "diff", "--against", str(afile), "--now", NOW)
    assert result.exit_code == 2
    assert f"--against: {afile} is a file" in result.stderr


def test_validate_checks_roster_phases(oncall: Run, edit_config: Edit) -> None:
    edit_config(
        "rotation.yaml",
        "    members: [de1, de2, de3, de4]\n",
        "    roster:\n      - {from: 2026-01-05, members: [de1, de2, de3, de4]}\n"
        "      - {from: 2027-03-01, members: [de1, de9, de1]}\n",
    )
    result = oncall("validate", "--now", NOW)
    assert result.exit_code == 1
    out = result.stdout
    assert "rotations.primary.roster[1].members[1]: unknown person 'de9'" in out
    assert "rotations.primary.roster[1].members[2]: 'de1' is already a member" in out
    edit_config(
        "rotation.yaml",
        "[de1, de9, de1]}\n",
        "[de1]}\n      - {from: 2027-02-01, members: [de2]}\n",
    )
    out = oncall("validate", "--now", NOW).stdout
    assert "rotations.primary.roster[2].from: 2027-02-01 is not after the previous phase" in out


def test_validate_warns_about_a_phase_that_holds_no_shift(oncall: Run, edit_config: Edit) -> None:
    # Weekly from Monday 2026-01-05: 2027-03-02 and 2027-03-07 both fall before the shift of
    # Monday 2027-03-08, so the phase from 2027-03-02 would begin with it and hold nothing.
    edit_config(
        "rotation.yaml",
        "    members: [de1, de2, de3, de4]\n",
        "    roster:\n      - {from: 2026-01-05, members: [de1, de2, de3, de4]}\n"
        "      - {from: 2027-03-02, members: [de1, de2]}\n"
        "      - {from: 2027-03-07, members: [de3, de4]}\n",
    )
    result = oncall("validate", "--now", NOW)
    found = [x for x in result.stdout.splitlines() if "holds no shift" in x]
    assert len(found) == 1, result.stdout
    [line] = found
    assert "rotation.yaml:" in line and "warning:" in line
    assert "rotations.primary.roster[1].from: the phase from 2027-03-02 holds no shift" in line
    assert "the one starting 2027-03-08" in line
    schedule = oncall("schedule", "--from", "2027-03-09", "--weeks", "4", "--json", "--now", NOW)
    held = {s["person"] for r in json.loads(schedule.stdout)["rotations"] for s in r["shifts"]}
    assert held <= {"de3", "de4"}, held  # the warning is true: de1 and de2 take no turn
    edit_config("rotation.yaml", "{from: 2027-03-07,", "{from: 2027-03-09,")
    assert "holds no shift" not in oncall("validate", "--now", NOW).stdout


def test_max_consecutive_days_warns_naming_the_shifts(oncall: Run, edit_config: Edit) -> None:
    # 1 and 8 February 2027 are both de2's (a swap): 14 days in a row.
    edit_config(
        "rotation.yaml", "    shift_days: 7\n", "    shift_days: 7\n    max_consecutive_days: 10\n"
    )
    result = oncall("validate", "--now", NOW)
    found = [x for x in result.stdout.splitlines() if "more than max_consecutive_days" in x]
    assert len(found) == 1, result.stdout
    [line] = found
    assert "warning:" in line and "de2 is on call 14 days in a row" in line
    assert "2027-02-01 09:00 to 2027-02-08 09:00, 2027-02-08 09:00 to 2027-02-15 09:00" in line


def test_stats_show_the_longest_run_and_back_to_back_shifts(oncall: Run) -> None:
    result = oncall("schedule", "--from", "2027-02-01", "--weeks", "4", "--stats", "--json")
    [stats] = json.loads(result.stdout)["stats"]
    people = {p["person"]: (p["longest_run_days"], p["back_to_back"]) for p in stats["people"]}
    assert people["de2"] == (14, 1) and people["de3"] == (7, 0)
    table = oncall("schedule", "--from", "2027-02-01", "--weeks", "4", "--stats").stdout
    assert "B2B" in table and "back-to-back" in table
