"""Brute-force DST sweeps, GoAlert style.

Every expected handoff below was worked out by hand from the zone's rules (2026):
- America/New_York: 02:00 EST -> 03:00 EDT on 8 March; 02:00 EDT -> 01:00 EST on 1 November.
- Europe/London: 01:00 GMT -> 02:00 BST on 29 March; 02:00 BST -> 01:00 GMT on 25 October.
- Australia/Lord_Howe (30-minute DST): 02:00 -> 02:30 (+11:00) on 4 October;
  02:00 -> 01:30 (+10:30) on 5 April.
- Asia/Kolkata: no DST.

A handoff inside a gap happens at the end of the gap; one that occurs twice happens at its
first occurrence. The sweep steps every 30 minutes (plus one microsecond either side of each
handoff) and checks ``shift_index_at`` and ``shift_at`` against a linear scan of the expected
handoffs.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from oncall.domain.people import DaysOffTable
from oncall.domain.rotation import (
    RotationSpec,
    compute_shifts,
    shift_at,
    shift_index_at,
    shift_start,
)

NOBODY_OFF = DaysOffTable({})
TICK = timedelta(microseconds=1)


@dataclass(frozen=True)
class Case:
    name: str
    tz: str
    start: date
    handoff: time
    shift_days: int
    expected: tuple[str, ...]  # handoff of shift 0, 1, 2, ... as ISO 8601


CASES = [
    Case(
        "new-york-spring-daily-0230",
        "America/New_York",
        date(2026, 3, 6),
        time(2, 30),
        1,
        (
            "2026-03-06T02:30:00-05:00",
            "2026-03-07T02:30:00-05:00",
            "2026-03-08T03:00:00-04:00",  # 02:30 does not exist: end of the gap
            "2026-03-09T02:30:00-04:00",
            "2026-03-10T02:30:00-04:00",
        ),
    ),
    Case(
        "new-york-spring-daily-0207",
        "America/New_York",
        date(2026, 3, 7),
        time(2, 7),
        1,
        (
            "2026-03-07T02:07:00-05:00",
            "2026-03-08T03:00:00-04:00",  # exactly 03:00, no stray fraction of a second
            "2026-03-09T02:07:00-04:00",
        ),
    ),
    Case(
        "new-york-fall-daily-0130",
        "America/New_York",
        date(2026, 10, 30),
        time(1, 30),
        1,
        (
            "2026-10-30T01:30:00-04:00",
            "2026-10-31T01:30:00-04:00",
            "2026-11-01T01:30:00-04:00",  # first of the two 01:30s
            "2026-11-02T01:30:00-05:00",
            "2026-11-03T01:30:00-05:00",
        ),
    ),
    Case(
        "new-york-spring-weekly-0230",
        "America/New_York",
        date(2026, 3, 1),
        time(2, 30),
        7,
        (
            "2026-03-01T02:30:00-05:00",
            "2026-03-08T03:00:00-04:00",
            "2026-03-15T02:30:00-04:00",
        ),
    ),
    Case(
        "new-york-fall-weekly-0900",
        "America/New_York",
        date(2026, 10, 26),
        time(9, 0),
        7,
        (
            "2026-10-26T09:00:00-04:00",
            "2026-11-02T09:00:00-05:00",  # shift 0 is 169 hours long
            "2026-11-09T09:00:00-05:00",
        ),
    ),
    Case(
        "london-spring-daily-0130",
        "Europe/London",
        date(2026, 3, 27),
        time(1, 30),
        1,
        (
            "2026-03-27T01:30:00+00:00",
            "2026-03-28T01:30:00+00:00",
            "2026-03-29T02:00:00+01:00",
            "2026-03-30T01:30:00+01:00",
        ),
    ),
    Case(
        "london-spring-daily-0230",
        "Europe/London",
        date(2026, 3, 28),
        time(2, 30),
        1,
        (
            "2026-03-28T02:30:00+00:00",
            "2026-03-29T02:30:00+01:00",  # exists in London: not in the gap
            "2026-03-30T02:30:00+01:00",
        ),
    ),
    Case(
        "london-fall-daily-0130",
        "Europe/London",
        date(2026, 10, 24),
        time(1, 30),
        1,
        (
            "2026-10-24T01:30:00+01:00",
            "2026-10-25T01:30:00+01:00",
            "2026-10-26T01:30:00+00:00",
        ),
    ),
    Case(
        "lord-howe-spring-daily-0215",
        "Australia/Lord_Howe",
        date(2026, 10, 2),
        time(2, 15),
        1,
        (
            "2026-10-02T02:15:00+10:30",
            "2026-10-03T02:15:00+10:30",
            "2026-10-04T02:30:00+11:00",
            "2026-10-05T02:15:00+11:00",
        ),
    ),
    Case(
        "lord-howe-spring-daily-0210",
        "Australia/Lord_Howe",
        date(2026, 10, 3),
        time(2, 10),
        1,
        (
            "2026-10-03T02:10:00+10:30",
            "2026-10-04T02:30:00+11:00",
            "2026-10-05T02:10:00+11:00",
        ),
    ),
    Case(
        "lord-howe-fall-daily-0145",
        "Australia/Lord_Howe",
        date(2026, 4, 3),
        time(1, 45),
        1,
        (
            "2026-04-03T01:45:00+11:00",
            "2026-04-04T01:45:00+11:00",
            "2026-04-05T01:45:00+11:00",  # first of the two 01:45s
            "2026-04-06T01:45:00+10:30",
        ),
    ),
    Case(
        "lord-howe-fall-daily-0130",
        "Australia/Lord_Howe",
        date(2026, 4, 4),
        time(1, 30),
        1,
        (
            "2026-04-04T01:30:00+11:00",
            "2026-04-05T01:30:00+11:00",
            "2026-04-06T01:30:00+10:30",
        ),
    ),
    Case(
        "kolkata-daily-0230",
        "Asia/Kolkata",
        date(2026, 3, 7),
        time(2, 30),
        1,
        (
            "2026-03-07T02:30:00+05:30",
            "2026-03-08T02:30:00+05:30",
            "2026-03-09T02:30:00+05:30",
            "2026-03-10T02:30:00+05:30",
        ),
    ),
]


def make_spec(case: Case) -> RotationSpec:
    return RotationSpec(
        id=case.name,
        members=("a", "b", "c"),
        start=case.start,
        handoff=case.handoff,
        tz=ZoneInfo(case.tz),
        shift_days=case.shift_days,
    )


def expected_instants(case: Case) -> list[datetime]:
    return [datetime.fromisoformat(s).astimezone(UTC) for s in case.expected]


def utc(value: datetime) -> datetime:
    """Compare instants in UTC: a wall time in a repeated hour never equals a datetime in
    another zone (PEP 495), and same-zone comparisons ignore the offset."""
    return value.astimezone(UTC)


def linear_index(handoffs: list[datetime], t: datetime) -> int | None:
    """Reference: scan every handoff."""
    found = None
    for k, h in enumerate(handoffs):
        if h <= t:
            found = k
    return found


def sweep(handoffs: list[datetime]) -> Iterator[datetime]:
    """Every 30 minutes from a day before shift 0 to the last expected handoff, plus each
    handoff and one microsecond either side of it."""
    first = handoffs[0].astimezone(UTC).replace(minute=0, second=0) - timedelta(days=1)
    last = handoffs[-1].astimezone(UTC)
    t = first
    while t < last:
        yield t
        t += timedelta(minutes=30)
    for h in handoffs[:-1]:
        yield from (h - TICK, h, h + TICK)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_every_handoff_instant(case: Case) -> None:
    spec = make_spec(case)
    actual = [shift_start(spec, k).isoformat() for k in range(len(case.expected))]
    assert actual == list(case.expected)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_sweep_agrees_with_linear_scan(case: Case) -> None:
    spec = make_spec(case)
    handoffs = expected_instants(case)
    checked = 0
    for t in sweep(handoffs):
        want = linear_index(handoffs, t)
        assert shift_index_at(spec, t) == want, t.isoformat()
        held = shift_at(spec, t, availability=NOBODY_OFF)
        if want is None:
            assert held is None, t.isoformat()
        else:
            assert held is not None, t.isoformat()
            assert (held.index, utc(held.start), utc(held.end)) == (
                want,
                handoffs[want],
                handoffs[want + 1],
            ), t.isoformat()
            assert held.contains(t)
        # The same instant as a wall time in the rotation's zone (fold set by astimezone).
        assert shift_index_at(spec, t.astimezone(spec.tz)) == want, t.isoformat()
        checked += 1
    assert checked > 48 * case.shift_days


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_compute_shifts_bounds_across_the_transition(case: Case) -> None:
    spec = make_spec(case)
    handoffs = expected_instants(case)
    shifts = compute_shifts(
        spec, handoffs[0] - timedelta(days=2), handoffs[-1], availability=NOBODY_OFF
    )
    assert [utc(s.start) for s in shifts] == handoffs[:-1]
    assert [utc(s.end) for s in shifts] == handoffs[1:]
    assert [s.duration for s in shifts] == [b - a for a, b in itertools.pairwise(handoffs)]
    assert all(s.start.tzinfo is spec.tz for s in shifts)


def test_short_and_long_days_in_new_york() -> None:
    spring = make_spec(CASES[0])
    fall = make_spec(CASES[2])
    window = (datetime(2026, 3, 7, 12, tzinfo=UTC), datetime(2026, 3, 8, 12, tzinfo=UTC))
    assert [s.duration for s in compute_shifts(spring, *window, availability=NOBODY_OFF)] == [
        timedelta(hours=23, minutes=30),
        timedelta(hours=23, minutes=30),
    ]
    autumn = compute_shifts(
        fall,
        datetime(2026, 11, 1, 12, tzinfo=UTC),
        datetime(2026, 11, 1, 13, tzinfo=UTC),
        availability=NOBODY_OFF,
    )
    assert [s.duration for s in autumn] == [timedelta(hours=25)]


def test_lord_howe_half_hour_shift() -> None:
    spec = make_spec(CASES[8])
    shifts = compute_shifts(
        spec,
        datetime(2026, 10, 3, 16, tzinfo=UTC),
        datetime(2026, 10, 3, 17, tzinfo=UTC),
        availability=NOBODY_OFF,
    )
    # 02:15 (+10:30) on the 3rd to 02:30 (+11:00) on the 4th: 23h45m.
    assert [s.duration for s in shifts] == [timedelta(hours=23, minutes=45)]
