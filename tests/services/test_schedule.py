"""The schedule service: shifts with notes, stats, the current shift and coming gaps."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from oncall.config import Config, load_config
from oncall.errors import NotFoundError, Severity
from oncall.services.roster import build_availability
from oncall.services.schedule import (
    compute_schedule,
    current_shift_start,
    upcoming_gap_problems,
)


@pytest.fixture
def cfg(config_dir: Path) -> Config:
    return load_config(config_dir)


def test_december_notes_name_overrides_swaps_and_conflicts(cfg: Config) -> None:
    tz = cfg.team_tz
    report = compute_schedule(
        cfg,
        build_availability(cfg),
        datetime(2026, 12, 1, tzinfo=tz),
        datetime(2027, 1, 5, tzinfo=tz),
        stats=True,
    )
    [rotation] = report.rotations
    notes = {(s["start"].date().isoformat(), s["person"]): s["notes"] for s in rotation.shifts}
    assert notes[("2026-11-30", "de3")] == ["override: de3 replaces de4 (conference cover)"]
    assert notes[("2026-12-14", "de1")] == [
        "swapped with de2 (de2 is off 2026-12-14..16 leave: family event)"
    ]
    assert notes[("2026-12-21", "de3")] == [
        "conflict nobody could take: de3 is off 2026-12-25 Christmas"
    ]
    assert report.stats is not None
    [stats] = report.stats
    assert stats.spread_days == 13
    assert {p.person: p.holidays_worked for p in stats.people} == {
        "de1": 0,
        "de2": 0,
        "de3": 1,
        "de4": 1,
    }


def test_one_person_and_unknown_person(cfg: Config) -> None:
    tz = cfg.team_tz
    start, end = datetime(2026, 12, 1, tzinfo=tz), datetime(2027, 1, 5, tzinfo=tz)
    report = compute_schedule(cfg, build_availability(cfg), start, end, person="de1")
    assert {s["person"] for s in report.rotations[0].shifts} == {"de1"}
    assert report.stats is None
    with pytest.raises(NotFoundError, match="unknown person 'de7'"):
        compute_schedule(cfg, build_availability(cfg), start, end, person="de7")


def test_current_shift_start_is_the_handoff_before_now(cfg: Config) -> None:
    now = datetime(2026, 11, 20, 10, tzinfo=cfg.team_tz)
    start = current_shift_start(cfg, build_availability(cfg), None, now)
    assert start == datetime(2026, 11, 16, 9, tzinfo=cfg.team_tz)
    before = datetime(2020, 1, 1, tzinfo=cfg.team_tz)
    assert current_shift_start(cfg, build_availability(cfg), "primary", before) == before
    with pytest.raises(NotFoundError, match="unknown rotation 'nope'"):
        current_shift_start(cfg, build_availability(cfg), "nope", now)


def test_team_wide_holidays_are_warnings_not_errors(cfg: Config) -> None:
    problems = upcoming_gap_problems(cfg, datetime(2026, 11, 21, 10, tzinfo=cfg.team_tz))
    christmas = [p for p in problems if "2026-12-25 Christmas" in p.message]
    assert christmas and all(p.severity is Severity.warning for p in christmas)
    assert "a team-wide holiday" in christmas[0].message
    assert christmas[0].render().startswith(f"{cfg.rotation_path}:")


def test_the_collector_is_back_as_it_was_after_a_schedule(cfg: Config) -> None:
    """compute_schedule pauses the cycle collector while it builds (issue 14): afterwards it
    is enabled again, nothing is left frozen, and cycles made meanwhile are still found."""
    import gc
    import weakref

    from oncall.adapters.collector import collector_paused

    class Node:
        pass

    tz = cfg.team_tz
    window = (datetime(2026, 12, 1, tzinfo=tz), datetime(2027, 1, 5, tzinfo=tz))
    gc.enable()  # whatever an earlier test left
    plain = compute_schedule(cfg, build_availability(cfg), *window)
    assert gc.isenabled() and gc.get_freeze_count() == 0
    with collector_paused():
        assert not gc.isenabled()
        cycle = Node()
        cycle.self = cycle  # type: ignore[attr-defined]
        gone = weakref.ref(cycle)
        del cycle
    assert gc.isenabled() and gc.get_freeze_count() == 0
    gc.collect()
    assert gone() is None
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()  # left off when it was off
        assert compute_schedule(cfg, build_availability(cfg), *window) == plain
    finally:
        gc.enable()


def test_shifts_passed_over_for_notes_have_none(cfg: Config) -> None:
    """compute_schedule skips shift_notes where it could say nothing (issue 14)."""
    from oncall.domain.rotation import compute_shifts
    from oncall.services.schedule import _noted, shift_notes

    tz = cfg.team_tz
    availability = build_availability(cfg)
    seen = {True: 0, False: 0}
    for rid, spec in cfg.rotation_specs.items():
        shifts = compute_shifts(
            spec,
            datetime(2026, 1, 1, tzinfo=tz),
            datetime(2028, 1, 1, tzinfo=tz),
            availability=availability,
            overrides=cfg.overrides_for(rid),
        )
        for shift in shifts:
            seen[_noted(shift)] += 1
            for swaps in (True, False):
                if not _noted(shift):
                    assert shift_notes(shift, swaps_enabled=swaps) == []
    assert seen[True] and seen[False]
