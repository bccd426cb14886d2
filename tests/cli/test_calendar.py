"""``oncall calendar export``: one ICS file per person and per rotation, stable UIDs."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from icalendar import Calendar

from tests.conftest import Run

WINDOW = ("--from", "2026-01-01", "--weeks", "12")
PEOPLE = ["de1", "de2", "de3", "de4"]


def export(oncall: Run, out: Path, *args: str) -> dict[str, Any]:
    result = oncall("calendar", "export", str(out), *args, "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert isinstance(data, dict)
    return data


def events(path: Path) -> list[Any]:
    cal = Calendar.from_ical(path.read_bytes())
    assert str(cal["version"]) == "2.0" and cal["prodid"]
    return list(cal.walk("VEVENT"))


def uids(path: Path) -> list[str]:
    return [str(e["uid"]) for e in events(path)]


def scheduled_starts(oncall: Run, person: str | None = None) -> set[datetime]:
    args = ["schedule", *WINDOW, "--format", "json"]
    if person:
        args += ["--person", person]
    result = oncall(*args)
    assert result.exit_code == 0, result.stderr
    shifts = json.loads(result.stdout)["rotations"][0]["shifts"]
    return {datetime.fromisoformat(s["start"]).astimezone(UTC) for s in shifts}


def test_one_file_per_person_and_rotation(oncall: Run, tmp_path: Path) -> None:
    out = tmp_path / "public"
    data = export(oncall, out, *WINDOW, "--now", "2026-01-01T00:00")
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted([*(f"person-{p}.ics" for p in PEOPLE), "rotation-primary.ics"])
    listed = {Path(f["path"]).name: f for f in data["files"]}
    assert set(listed) == set(names)
    for name, entry in listed.items():
        assert entry["events"] == len(events(out / name)), name
        assert entry["kind"] == name.split("-", 1)[0]
    assert data["start"] == "2026-01-01T00:00:00+05:30"
    assert data["end"] == "2026-03-26T00:00:00+05:30"


def test_person_files_hold_only_their_shifts(oncall: Run, tmp_path: Path) -> None:
    out = tmp_path / "public"
    export(oncall, out, *WINDOW, "--now", "2026-01-01T00:00")
    rotation = set(uids(out / "rotation-primary.ics"))
    assert {e.decoded("dtstart") for e in events(out / "rotation-primary.ics")} == (
        scheduled_starts(oncall)
    )
    seen: list[str] = []
    for person in PEOPLE:
        evs = events(out / f"person-{person}.ics")
        assert evs, person
        assert all(f"): {person} " in str(e["summary"]) for e in evs), person
        assert {e.decoded("dtstart") for e in evs} == scheduled_starts(oncall, person)
        seen.extend(str(e["uid"]) for e in evs)
    # Every shift is in exactly one person's calendar, with the rotation calendar's UID.
    assert sorted(seen) == sorted(rotation)


def test_re_export_keeps_uids(oncall: Run, tmp_path: Path) -> None:
    out = tmp_path / "public"
    export(oncall, out, *WINDOW, "--now", "2026-01-01T00:00")
    before = {p.name: uids(p) for p in out.iterdir()}
    stamp = events(out / "person-de1.ics")[0].decoded("dtstamp")
    export(oncall, out, *WINDOW, "--now", "2026-02-01T00:00")
    after = {p.name: uids(p) for p in out.iterdir()}
    assert after == before
    assert events(out / "person-de1.ics")[0].decoded("dtstamp") > stamp  # really rewritten
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


def test_default_window_is_4_weeks_back_to_26_ahead(oncall: Run, tmp_path: Path) -> None:
    data = export(oncall, tmp_path / "public", "--now", "2026-03-01T10:00")
    assert data["start"] == "2026-02-01T00:00:00+05:30"
    assert data["end"] == "2026-08-30T00:00:00+05:30"
    starts = {e.decoded("dtstart") for e in events(tmp_path / "public" / "rotation-primary.ics")}
    assert min(starts) < datetime(2026, 2, 2, tzinfo=UTC)
    assert max(starts) > datetime(2026, 8, 20, tzinfo=UTC)


def test_stale_files_are_reported_and_others_left_alone(oncall: Run, tmp_path: Path) -> None:
    out = tmp_path / "public"
    out.mkdir()
    (out / "person-gone.ics").write_text("old")
    (out / "index.html").write_text("keep")
    result = oncall("calendar", "export", str(out), *WINDOW)
    assert result.exit_code == 0, result.stderr
    assert "person-gone.ics was not written by this export" in result.stderr
    assert (out / "index.html").read_text() == "keep"
    assert (out / "person-gone.ics").read_text() == "old"
    lines = result.stdout.splitlines()
    assert "rotation-primary.ics" in result.stdout and "\x1b[" not in result.stdout
    assert max(len(line) for line in lines) <= 80


def test_target_that_is_a_file(oncall: Run, tmp_path: Path) -> None:
    target = tmp_path / "public"
    target.write_text("x")
    result = oncall("calendar", "export", str(target))
    assert result.exit_code == 2
    assert "is not a directory" in result.stderr


def test_bad_from(oncall: Run, tmp_path: Path) -> None:
    out = tmp_path / "public"
    result = oncall("calendar", "export", str(out), "--from", "someday")
    assert result.exit_code == 2
    assert "--from" in result.stderr
    assert not out.exists()
