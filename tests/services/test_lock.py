"""The lock service directly: compute_lock appends, keeps or (forced) changes and shortens;
write_locks keeps the file's header; lock_problems names what no longer fits."""

from __future__ import annotations

import dataclasses
import itertools
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from oncall.config import Config, load_config
from oncall.errors import Severity
from oncall.services.lock import HEADER, compute_lock, lock_problems, render_lock_file, write_locks
from oncall.services.roster import build_availability

NOW = datetime.fromisoformat("2027-01-20T10:00:00+05:30")


def span(cfg: Config, start: str, weeks: int) -> tuple[datetime, datetime]:
    """[start 09:00, + weeks) on the team's wall clock (the shipped handoff)."""
    first = datetime.fromisoformat(f"{start}T09:00").replace(tzinfo=cfg.team_tz)
    return first, first + timedelta(weeks=weeks)


def lock(cfg: Config, start: str, weeks: int, *, force: bool = False) -> Config:
    """Lock the window, write the file and read the config back."""
    locks, _ = compute_lock(cfg, build_availability(cfg), *span(cfg, start, weeks), force=force)
    write_locks(cfg, locks)
    return load_config(cfg.dir)


@pytest.fixture
def cfg(config_dir: Path) -> Config:
    return load_config(config_dir)


def test_locking_appends_and_writes_nothing_itself(cfg: Config) -> None:
    locks, report = compute_lock(cfg, build_availability(cfg), *span(cfg, "2027-02-01", 2))
    assert not (cfg.dir / "schedule.lock.yaml").exists(), "compute_lock only plans"
    [out] = report.rotations
    assert (out.rotation, out.shifts, out.added, out.changes, out.differs) == (
        "primary",
        2,
        2,
        [],
        [],
    )
    assert report.written
    shifts = locks["primary"]
    assert [s.start.date().isoformat() for s in shifts] == ["2027-02-01", "2027-02-08"]
    assert all(s.end == nxt.start for s, nxt in itertools.pairwise(shifts))


def test_the_same_lock_again_adds_nothing_and_a_longer_one_appends(cfg: Config) -> None:
    cfg = lock(cfg, "2027-02-01", 2)
    _, again = compute_lock(cfg, build_availability(cfg), *span(cfg, "2027-02-01", 2))
    assert not again.written and again.rotations[0].added == 0
    locks, longer = compute_lock(cfg, build_availability(cfg), *span(cfg, "2027-02-01", 4))
    assert (longer.rotations[0].added, longer.rotations[0].shifts) == (2, 4)
    assert locks["primary"][:2] == cfg.locked_shifts("primary")


def test_a_locked_holder_the_config_no_longer_gives_differs_until_forced(cfg: Config) -> None:
    cfg = lock(cfg, "2027-02-01", 2)
    first, second = cfg.locked_shifts("primary")
    other = second.person if second.person != first.person else "de4"
    moved = dataclasses.replace(first, person=other)
    (cfg.dir / "schedule.lock.yaml").write_text(render_lock_file({"primary": (moved, second)}))
    cfg = load_config(cfg.dir)

    locks, kept = compute_lock(cfg, build_availability(cfg), *span(cfg, "2027-02-01", 2))
    [differs] = kept.rotations[0].differs
    assert (differs.before, differs.after) == (other, first.person)
    assert locks["primary"][0].person == other, "without --force a lock is kept"

    locks, forced = compute_lock(
        cfg, build_availability(cfg), *span(cfg, "2027-02-01", 2), force=True
    )
    [change] = forced.rotations[0].changes
    assert (change.before, change.after) == (other, first.person)
    assert locks["primary"][0].person == first.person and forced.written


def test_force_shortens_a_lock(cfg: Config) -> None:
    cfg = lock(cfg, "2027-02-01", 4)
    last = cfg.locked_shifts("primary")[-1]
    locks, report = compute_lock(
        cfg, build_availability(cfg), *span(cfg, "2027-02-01", 3), force=True
    )
    assert len(locks["primary"]) == 3
    dropped = [c for c in report.rotations[0].changes if c.after is None]
    assert [(c.start, c.before) for c in dropped] == [(last.start, last.person)]


def test_write_keeps_the_header_of_the_file(cfg: Config) -> None:
    path = cfg.dir / "schedule.lock.yaml"
    path.write_text("# our own words\n# second line\nlocks: {}\n")
    cfg = load_config(cfg.dir)
    locks, _ = compute_lock(cfg, build_availability(cfg), *span(cfg, "2027-02-01", 1))
    assert write_locks(cfg, locks) == path
    text = path.read_text()
    assert text.startswith("# our own words\n# second line\nlocks:\n  primary:\n")
    assert HEADER not in text
    assert load_config(cfg.dir).locked_shifts("primary") == locks["primary"]


def test_an_empty_lock_renders_as_an_empty_mapping() -> None:
    assert render_lock_file({"primary": ()}) == HEADER + "locks: {}\n"


def test_problems_name_an_unknown_rotation_and_a_shift_that_moved(cfg: Config) -> None:
    cfg = lock(cfg, "2027-02-01", 1)
    [shift] = cfg.locked_shifts("primary")
    late = dataclasses.replace(shift, start=shift.start.replace(hour=10))
    text = render_lock_file({"primary": (late,), "nightly": (shift,)})
    (cfg.dir / "schedule.lock.yaml").write_text(text)
    cfg = load_config(cfg.dir)
    problems = lock_problems(cfg, build_availability(cfg), NOW)
    messages = [p.render() for p in problems]
    assert all(p.severity is Severity.error for p in problems), messages
    assert any("locks.nightly: unknown rotation 'nightly'" in m for m in messages), messages
    assert any(
        "locks.primary.shifts[0]" in m and "is no longer one of rotation 'primary''s shifts" in m
        for m in messages
    ), messages
    assert all(m.startswith(str(cfg.dir / "schedule.lock.yaml") + ":") for m in messages)


def test_no_lock_file_no_problems(cfg: Config) -> None:
    assert lock_problems(cfg, build_availability(cfg), NOW) == []
