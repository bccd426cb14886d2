"""``oncall_shift`` answers from one computed window per rotation: always what ``shift_at``
computes on its own, at shift and override boundaries, before shift 0 and out of order."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from bench.org import write_org
from oncall.config import Config, load_config
from oncall.domain.rotation import TICK, compute_shifts, shift_at
from oncall.services.roster import build_availability, oncall_shift, rotation_shifts


@pytest.fixture(scope="module")
def org(tmp_path_factory: pytest.TempPathFactory) -> Config:
    root = tmp_path_factory.mktemp("org")
    write_org(root, 0.1, hours=1)
    return load_config(root / "config", use_cache=False)


def _instants(cfg: Config, rid: str, rng: random.Random) -> list[datetime]:
    spec = cfg.rotation_specs[rid]
    first = datetime.combine(spec.start, spec.handoff, tzinfo=spec.tz)
    out = [first - timedelta(days=3), first - TICK, first, first + TICK]
    for ov in cfg.overrides_for(rid):
        out += [ov.start - TICK, ov.start, ov.end - TICK, ov.end]
    day = first
    for _ in range(120):  # handoffs, each side of them, and somewhere in between
        day += timedelta(days=rng.choice((1, 3, 7, 14)))
        handoff = datetime.combine(day.date(), spec.handoff, tzinfo=spec.tz)
        out += [handoff - TICK, handoff, handoff + timedelta(hours=rng.randrange(1, 200))]
    rng.shuffle(out)  # out of order: windows are replaced and reused
    return out


def test_the_shift_from_a_window_is_the_shift_at_that_instant(org: Config) -> None:
    rng = random.Random(14)
    availability = build_availability(org)
    reference = build_availability(org)
    checked = 0
    for rid, spec in org.rotation_specs.items():
        overrides = org.overrides_for(rid)
        for t in _instants(org, rid, rng):
            for at in (t, t.astimezone(UTC)):
                want = shift_at(spec, at, availability=reference, overrides=overrides)
                assert oncall_shift(org, availability, rid, at) == want, (rid, at)
                checked += 1
    assert checked > 1000


def test_a_naive_instant_is_refused_as_before(org: Config) -> None:
    rid = next(iter(org.rotation_specs))
    with pytest.raises(ValueError, match="timezone-aware"):
        oncall_shift(org, build_availability(org), rid, datetime(2026, 1, 1))


def test_an_instant_near_the_end_of_time_needs_no_window(org: Config) -> None:
    rid = next(iter(org.rotation_specs))
    spec = org.rotation_specs[rid]
    late = datetime(9999, 12, 25, tzinfo=UTC)
    availability = build_availability(org)
    try:
        want = shift_at(spec, late, availability=availability, overrides=())
    except (OverflowError, ValueError) as exc:
        with pytest.raises(type(exc)):
            oncall_shift(org, availability, rid, late)
        return
    assert oncall_shift(org, availability, rid, late) == want


def test_a_span_from_a_window_is_what_compute_shifts_gives_for_it(org: Config) -> None:
    rng = random.Random(9)
    availability = build_availability(org)
    reference = build_availability(org)
    spans = 0
    for rid, spec in org.rotation_specs.items():
        overrides = org.overrides_for(rid)
        instants = _instants(org, rid, rng)
        for a, b in zip(instants, instants[1:] + instants[:1], strict=True):
            for end in (b, a, a + TICK, a + timedelta(weeks=rng.choice((1, 12, 40)))):
                if end < a:
                    with pytest.raises(ValueError, match="ends before"):
                        rotation_shifts(org, availability, rid, a, end)
                    continue
                want = compute_shifts(spec, a, end, availability=reference, overrides=overrides)
                assert rotation_shifts(org, availability, rid, a, end) == want, (rid, a, end)
                spans += 1
    assert spans > 1000
