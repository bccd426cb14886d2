"""``wall_time``'s fast path (same UTC offset for both folds: no round trip through UTC) gives
exactly what the plain rule (``resolve_wall_time``, fraction dropped in a gap) gives, on every
day of several years in zones with gaps, folds, half-hour and 45-minute offsets."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oncall.domain.rotation import RotationSpec, shift_start
from oncall.domain.rotation_spec import plain_wall_time, start_utc, wall_time

ZONES = [
    "America/New_York",
    "Europe/London",
    "Australia/Sydney",
    "Asia/Kolkata",
    "Pacific/Chatham",  # +12:45 / +13:45, the change at 02:45 / 03:45
    "Australia/Lord_Howe",  # half-hour DST
    "America/Santiago",  # changes at midnight
    "America/Havana",  # changes at midnight / 01:00
    "Asia/Tehran",
    "UTC",
]
TIMES = [
    time(0, 0),
    time(0, 30),
    time(1, 0),
    time(1, 30),
    time(2, 0),
    time(2, 15),
    time(2, 30),
    time(2, 45),
    time(3, 0),
    time(3, 15),
    time(3, 45),
    time(9, 0),
    time(23, 59, 59),
]
YEARS = [1975, 1996, 2007, 2026, 2027, 2038]


def same(a: datetime, b: datetime) -> bool:
    """Equal as instants and as written: wall clock, zone, fold and offset."""
    return (
        a == b
        and a.replace(tzinfo=None) == b.replace(tzinfo=None)
        and a.tzinfo is b.tzinfo
        and a.fold == b.fold
        and a.utcoffset() == b.utcoffset()
    )


@pytest.mark.parametrize("zone", ZONES)
def test_the_fast_path_matches_the_plain_rule_on_every_day(zone: str) -> None:
    tz = ZoneInfo(zone)
    checked = 0
    for year in YEARS:
        day = date(year, 1, 1)
        while day.year == year:
            for at in TIMES:
                fast, plain = wall_time(day, at, tz), plain_wall_time(day, at, tz)
                assert same(fast, plain), (zone, day, at, fast, plain)
                checked += 1
            day += timedelta(days=1)
    assert checked == len(TIMES) * sum(366 if y % 4 == 0 else 365 for y in YEARS)


def test_the_gap_and_fold_cases_are_among_those_checked() -> None:
    tz = ZoneInfo("America/New_York")
    gap = wall_time(date(2026, 3, 8), time(2, 30), tz)
    assert gap.replace(tzinfo=None) == datetime(2026, 3, 8, 3, 0)
    fold = wall_time(date(2026, 11, 1), time(1, 30), tz)
    assert fold.fold == 0 and fold.utcoffset() == timedelta(hours=-4)


@given(
    day=st.dates(min_value=date(1970, 1, 2), max_value=date(2199, 12, 30)),
    at=st.times(),
    zone=st.sampled_from(ZONES),
)
@settings(max_examples=500, deadline=None)
def test_the_fast_path_matches_on_any_day_and_time(day: date, at: time, zone: str) -> None:
    tz = ZoneInfo(zone)
    assert same(wall_time(day, at, tz), plain_wall_time(day, at, tz))


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize("handoff", [time(0, 0), time(1, 30), time(2, 30), time(9, 0)])
def test_a_shift_start_is_its_utc_instant_seen_in_the_zone(zone: str, handoff: time) -> None:
    """compute_shifts uses ``shift_start`` as the shift's bound instead of converting its UTC
    instant back: the two are the same datetime."""
    tz = ZoneInfo(zone)
    spec = RotationSpec("r", ("a", "b"), date(2025, 12, 29), handoff, tz, shift_days=1)
    for k in range(3 * 366):
        local = shift_start(spec, k)
        assert same(local, start_utc(spec, k).astimezone(tz)), (zone, handoff, k)
        assert start_utc(spec, k).tzinfo is UTC


@pytest.mark.parametrize("shift_days", [1, 7, 14])
def test_shift_start_dates_count_days_as_timedelta_does(shift_days: int) -> None:
    """Shift start dates are counted on ordinals; at the ends of the calendar the date
    arithmetic still raises its OverflowError."""
    from oncall.domain.rotation_spec import _start_date

    start = date(2026, 1, 5)
    spec = RotationSpec("r", ("a",), start, time(9), ZoneInfo("UTC"), shift_days=shift_days)
    for k in [*range(-800, 800), 10**4, -(10**4)]:
        assert _start_date(spec, k) == start + timedelta(days=k * shift_days)
    for k in (10**7, -(10**7), 10**12):
        with pytest.raises(OverflowError):
            _start_date(spec, k)


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize("handoff", [time(0, 0), time(2, 30), time(3, 45)])
def test_shift_starts_are_the_shift_starts_one_by_one(zone: str, handoff: time) -> None:
    from oncall.domain.rotation_spec import shift_starts

    for shift_days in (1, 7):
        spec = RotationSpec("r", ("a",), date(2025, 3, 3), handoff, ZoneInfo(zone), shift_days)
        stop = 800 // shift_days
        starts = shift_starts(spec, -3, stop)
        assert len(starts) == stop + 3
        for k, local in zip(range(-3, stop), starts, strict=True):
            assert same(local, shift_start(spec, k)), (zone, handoff, k)
    far = RotationSpec("r", ("a",), date(9999, 12, 1), time(9), ZoneInfo("UTC"), 7)
    with pytest.raises(OverflowError):
        shift_starts(far, 0, 10)
