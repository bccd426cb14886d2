"""``oncall schedule``: formats, windows, stats, ICS, on the shipped team."""

from __future__ import annotations

import csv
import io
import itertools
import json
from pathlib import Path

from tests.conftest import Run

SHIFT_KEYS = {"start", "end", "person", "reason", "conflicts"}


def schedule_json(oncall: Run, *args: str) -> dict[str, object]:
    result = oncall("schedule", *args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert isinstance(data, dict)
    return data


def test_january_2026_by_hand(oncall: Run) -> None:
    data = schedule_json(oncall, "--from", "2026-01-01", "--to", "2026-02-16")
    [rot] = data["rotations"]  # type: ignore[misc]
    assert rot["rotation"] == "primary" and rot["timezone"] == "Asia/Kolkata"
    got = [(s["start"][:10], s["person"], s["reason"]) for s in rot["shifts"]]
    assert got == [
        ("2026-01-05", "de1", "rotation"),
        ("2026-01-12", "de1", "swap"),  # de2 off on Makar Sankranti (KA)
        ("2026-01-19", "de3", "rotation"),
        ("2026-01-26", "de4", "rotation"),  # Republic Day: everyone off, nobody can swap
        ("2026-02-02", "de2", "swap"),
        ("2026-02-09", "de2", "rotation"),
    ]
    republic = rot["shifts"][3]
    assert SHIFT_KEYS <= set(republic)
    assert republic["conflicts"] == [
        {"date": "2026-01-26", "name": "Republic Day", "kind": "holiday", "estimated": False}
    ]


def test_shifts_are_contiguous_and_window_is_a_slice(oncall: Run) -> None:
    long = schedule_json(oncall, "--from", "2026-03-01", "--weeks", "30")
    short = schedule_json(oncall, "--from", "2026-06-01", "--weeks", "4")
    long_shifts = long["rotations"][0]["shifts"]  # type: ignore[index]
    for a, b in itertools.pairwise(long_shifts):
        assert a["end"] == b["start"]
    short_shifts = short["rotations"][0]["shifts"]  # type: ignore[index]
    assert all(s in long_shifts for s in short_shifts)


def test_leave_swap_and_override_notes(oncall: Run) -> None:
    result = oncall("schedule", "--from", "2026-11-30", "--weeks", "3", "--format", "markdown")
    assert result.exit_code == 0, result.stderr
    assert "override: de3 replaces de4 (conference cover)" in result.stdout
    assert "swapped with de2 (de2 is off 2026-12-14..16 leave: family event)" in result.stdout


def test_csv_and_person_filter(oncall: Run) -> None:
    result = oncall(
        "schedule", "--from", "2026-01-01", "--weeks", "10", "--person", "de2", "--format", "csv"
    )
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows and {r["person"] for r in rows} == {"de2"}


def test_stats(oncall: Run) -> None:
    data = schedule_json(oncall, "--from", "2026-01-05", "--weeks", "8", "--stats")
    [stats] = data["stats"]  # type: ignore[misc]
    people = {p["person"]: p for p in stats["people"]}
    assert sum(p["oncall_days"] for p in people.values()) == 56
    assert people["de1"]["swaps_taken"] >= 1 and people["de2"]["swaps_given"] >= 1
    assert stats["spread_days"] == max(p["oncall_days"] for p in people.values()) - min(
        p["oncall_days"] for p in people.values()
    )


def test_ics_parses_with_stable_uids(oncall: Run, tmp_path: Path) -> None:
    from icalendar import Calendar

    out = tmp_path / "de1.ics"
    args = (
        "schedule",
        "--from",
        "2026-01-01",
        "--weeks",
        "8",
        "--person",
        "de1",
        "--format",
        "ics",
    )
    first = oncall(*args, "--output", str(out), "--now", "2026-01-01T00:00")
    assert first.exit_code == 0, first.stderr
    cal = Calendar.from_ical(out.read_bytes())
    events = cal.walk("VEVENT")
    assert events and all("de1" in str(e["summary"]) for e in events)
    uids = [str(e["uid"]) for e in events]
    assert len(set(uids)) == len(uids)
    second = oncall(*args, "--now", "2026-02-01T00:00")
    again = Calendar.from_ical(second.stdout_bytes)
    assert [str(e["uid"]) for e in again.walk("VEVENT")] == uids
    starts = sorted(e.decoded("dtstart") for e in events)
    assert starts[0].isoformat() == "2026-01-05T03:30:00+00:00"


def test_estimated_and_calendar_range_warning(oncall: Run) -> None:
    result = oncall("schedule", "--from", "2036-01-01", "--weeks", "2", "--format", "json")
    assert result.exit_code == 0
    assert "may be missing holidays in 2036" in result.stderr
    assert "Warning" not in result.stderr  # no raw Python warning


def test_bad_window(oncall: Run) -> None:
    result = oncall("schedule", "--from", "2026-02-01", "--to", "2026-01-01")
    assert result.exit_code == 2
    assert "must be after" in result.stderr
    result = oncall("schedule", "--to", "2026-02-01", "--weeks", "3")
    assert result.exit_code == 2


def test_january_2027_by_hand(oncall: Run) -> None:
    # Shift 53 (2027-01-11) is de2's; 2027-01-15 is Makar Sankranti in Karnataka. de3 has
    # Pongal that week (TN), de4's shift holds Republic Day for de2, so de1's shift 56
    # (2027-02-01) is the first that qualifies: de1 and de2 swap.
    data = schedule_json(oncall, "--from", "2027-01-11", "--to", "2027-02-08")
    shifts = data["rotations"][0]["shifts"]  # type: ignore[index]
    got = [(s["start"][:10], s["person"], s["reason"]) for s in shifts]
    # --from is midnight, inside the shift that started 2027-01-04 09:00: it overlaps.
    assert got == [
        ("2027-01-04", "de2", "swap"),
        ("2027-01-11", "de1", "swap"),
        ("2027-01-18", "de3", "rotation"),
        ("2027-01-25", "de4", "rotation"),
        ("2027-02-01", "de2", "swap"),
    ]
    assert [d["name"] for d in shifts[1]["swap_cause"]] == ["Makar Sankranti"]
    assert shifts[3]["conflicts"][0]["name"] == "Republic Day"
