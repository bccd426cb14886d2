"""The schedule diff service directly: two configs in, the spans whose holder moved, why, and
each person's on-call days before and after."""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from oncall.config import Config, load_config
from oncall.errors import NotFoundError
from oncall.services.diff import compute_schedule_diff, load_against
from oncall.services.roster import build_availability
from oncall.services.schedule import compute_schedule


def span(cfg: Config, start: str, weeks: int) -> tuple[datetime, datetime]:
    first = datetime.fromisoformat(f"{start}T09:00").replace(tzinfo=cfg.team_tz)
    return first, first + timedelta(weeks=weeks)


@pytest.fixture
def before(config_dir: Path) -> Config:
    return load_config(config_dir, use_cache=False)


def with_override(before: Config, tmp_path: Path, person: str) -> Config:
    """A copy of ``before``'s config where ``person`` covers 2027-02-01 09:00 for two days."""
    folder = tmp_path / "after" / "config"
    shutil.copytree(before.dir, folder)
    shutil.copytree(before.dir.parent / "runbooks", folder.parent / "runbooks")
    rotation = folder / "rotation.yaml"
    rotation.write_text(
        rotation.read_text()
        + '  - {rotation: primary, start: "2027-02-01T09:00", end: "2027-02-03T09:00", '
        f"person: {person}, reason: test cover}}\n"
    )
    return load_config(folder, use_cache=False)


def test_the_same_config_changes_nothing(before: Config) -> None:
    diff = compute_schedule_diff(before, before, *span(before, "2027-01-25", 4))
    assert not diff.changed
    assert [r.rotation for r in diff.rotations] == ["primary"]
    assert all(d.days_before == d.days_after for d in diff.load)


def test_an_override_is_one_change_with_its_reason_and_moves_two_days(
    before: Config, tmp_path: Path
) -> None:
    start, end = span(before, "2027-01-25", 4)
    plain = compute_schedule_diff(before, before, start, end)
    shifts = compute_schedule(before, build_availability(before), start, end).rotations[0].shifts
    holder = next(s["person"] for s in shifts if s["start"].date().isoformat() == "2027-02-01")
    cover = "de2" if holder != "de2" else "de1"
    after = with_override(before, tmp_path, cover)

    diff = compute_schedule_diff(before, after, start, end, against="HEAD~1")
    assert diff.against == "HEAD~1" and diff.changed
    [change] = diff.rotations[0].changes
    assert (change.before, change.after) == (holder, cover)
    assert (change.start, change.end) == (
        datetime.fromisoformat("2027-02-01T09:00+05:30"),
        datetime.fromisoformat("2027-02-03T09:00+05:30"),
    )
    assert change.why == "override: " + cover + " covers (test cover)"
    days = {d.person: (d.days_before, d.days_after) for d in diff.load}
    assert days[cover][1] == days[cover][0] + 2
    assert days[holder][1] == days[holder][0] - 2
    assert all(before or after for before, after in days.values()), "idle people not listed"
    assert {d.person for d in plain.load} <= set(days)

    reverse = compute_schedule_diff(after, before, start, end)
    [undone] = reverse.rotations[0].changes
    assert (undone.before, undone.after) == (cover, holder)
    assert undone.why.startswith(f"override removed: {cover} no longer covers (test cover)")


def test_one_rotation_by_name_and_an_unknown_one(before: Config) -> None:
    start, end = span(before, "2027-01-25", 1)
    diff = compute_schedule_diff(before, before, start, end, rotation="primary")
    assert [r.rotation for r in diff.rotations] == ["primary"]
    with pytest.raises(NotFoundError, match="nightly"):
        compute_schedule_diff(before, before, start, end, rotation="nightly")


def test_against_a_project_directory_or_its_config(before: Config, tmp_path: Path) -> None:
    after = with_override(before, tmp_path, "de2")
    project = after.dir.parent
    for given in (project, after.dir):
        other = load_against(before, str(given), tmp_path / "work")
        assert other.dir == after.dir
        assert len(other.rotation.overrides) == len(before.rotation.overrides) + 1
