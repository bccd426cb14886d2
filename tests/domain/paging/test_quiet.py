"""Quiet hours: boundaries, zones, DST (brute force and properties), holds."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oncall.domain.paging.quiet import in_quiet_hours, quiet_hours_end
from oncall.domain.paging.urgency import hold_until
from tests.support.paging import BERLIN, NEW_YORK, load

QUIET = "21:00-08:00"


@pytest.mark.parametrize(
    ("wall", "spec", "quiet"),
    [
        ("20:59:59", QUIET, False),
        ("21:00:00", QUIET, True),
        ("23:59:59", QUIET, True),
        ("00:00:00", QUIET, True),
        ("07:59:59", QUIET, True),
        ("08:00:00", QUIET, False),
        ("12:00:00", QUIET, False),
        ("12:59:59", "13:00-14:00", False),
        ("13:00:00", "13:00-14:00", True),
        ("14:00:00", "13:00-14:00", False),
        ("23:59:00", "23:59-00:01", True),
        ("00:00:30", "23:59-00:01", True),
        ("00:01:00", "23:59-00:01", False),
    ],
)
def test_quiet_hours_boundaries(wall: str, spec: str, quiet: bool) -> None:
    now = datetime.combine(date(2026, 6, 10), time.fromisoformat(wall), tzinfo=BERLIN)
    assert in_quiet_hours(now, BERLIN, spec) is quiet
    # The same instant seen from another zone gives the same answer.
    assert in_quiet_hours(now.astimezone(UTC), BERLIN, spec) is quiet


def test_quiet_hours_end_wraps_past_midnight() -> None:
    evening = datetime(2026, 6, 10, 22, 30, tzinfo=BERLIN)
    assert quiet_hours_end(evening, BERLIN, QUIET) == datetime(2026, 6, 11, 8, 0, tzinfo=BERLIN)
    early = datetime(2026, 6, 11, 3, 0, tzinfo=BERLIN)
    assert quiet_hours_end(early, BERLIN, QUIET) == datetime(2026, 6, 11, 8, 0, tzinfo=BERLIN)
    noon = datetime(2026, 6, 11, 12, 0, tzinfo=BERLIN)
    assert quiet_hours_end(noon, BERLIN, QUIET) == noon


def test_quiet_hours_use_the_responders_zone() -> None:
    now = datetime(2026, 6, 10, 20, 0, tzinfo=UTC)  # 22:00 Berlin, 16:00 New York
    assert in_quiet_hours(now, BERLIN, QUIET)
    assert not in_quiet_hours(now, NEW_YORK, QUIET)


def test_quiet_night_across_spring_forward_is_an_hour_shorter() -> None:
    # Berlin springs forward 2026-03-29 02:00 -> 03:00.
    now = datetime(2026, 3, 28, 22, 0, tzinfo=BERLIN)
    end = quiet_hours_end(now, BERLIN, QUIET)
    assert end.astimezone(BERLIN).replace(tzinfo=None) == datetime(2026, 3, 29, 8, 0)
    assert end.astimezone(UTC) - now.astimezone(UTC) == timedelta(hours=9)


def test_quiet_night_across_fall_back_is_an_hour_longer() -> None:
    # Berlin falls back 2026-10-25 03:00 -> 02:00.
    now = datetime(2026, 10, 24, 22, 0, tzinfo=BERLIN)
    end = quiet_hours_end(now, BERLIN, QUIET)
    assert end.astimezone(UTC) - now.astimezone(UTC) == timedelta(hours=11)


def test_quiet_start_in_a_dst_gap_moves_to_the_end_of_the_gap() -> None:
    # New York springs forward 2026-03-08 02:00 -> 03:00; 02:30 does not exist.
    spec = "02:30-06:00"
    before = datetime(2026, 3, 8, 6, 59, tzinfo=UTC)  # 01:59 EST
    at_gap_end = datetime(2026, 3, 8, 7, 0, tzinfo=UTC)  # 03:00 EDT
    assert not in_quiet_hours(before, NEW_YORK, spec)
    assert in_quiet_hours(at_gap_end, NEW_YORK, spec)
    assert quiet_hours_end(at_gap_end, NEW_YORK, spec) == datetime(
        2026, 3, 8, 6, 0, tzinfo=NEW_YORK
    )


def test_quiet_end_in_a_fall_back_overlap_is_the_first_occurrence() -> None:
    # New York falls back 2026-11-01 02:00 -> 01:00; 01:30 happens twice.
    spec = "22:00-01:30"
    first = datetime(2026, 11, 1, 1, 15, tzinfo=NEW_YORK)  # fold=0, EDT
    second = first.replace(fold=1)  # EST, an hour later
    assert second.astimezone(UTC) - first.astimezone(UTC) == timedelta(hours=1)
    assert in_quiet_hours(first, NEW_YORK, spec)
    assert not in_quiet_hours(second, NEW_YORK, spec)
    assert quiet_hours_end(first, NEW_YORK, spec).astimezone(UTC) == datetime(
        2026, 11, 1, 5, 30, tzinfo=UTC
    )


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/New_York", "Australia/Sydney"])
def test_brute_force_year_sweep_matches_wall_clock(zone: str) -> None:
    """Every 10 minutes for a year: quiet iff the local wall clock is in 21:00-08:00."""
    tz = ZoneInfo(zone)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    checked = 0
    for step in range(0, 365 * 24 * 6):
        now = start + timedelta(minutes=10 * step)
        wall = now.astimezone(tz).time()
        expected = wall >= time(21, 0) or wall < time(8, 0)
        assert in_quiet_hours(now, tz, QUIET) is expected, now
        if expected:
            end = quiet_hours_end(now, tz, QUIET)
            assert end > now
            assert end.astimezone(tz).time() == time(8, 0)
            assert end - now <= timedelta(hours=12)
        checked += 1
    assert checked == 52560


@settings(max_examples=300, deadline=None)
@given(
    now=st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2040, 1, 1), timezones=st.just(UTC)
    ),
    zone=st.sampled_from(["Europe/Berlin", "America/New_York", "Asia/Kolkata", "Pacific/Apia"]),
    spec=st.sampled_from(["21:00-08:00", "13:00-14:30", "23:30-00:30", "01:30-02:30"]),
)
def test_quiet_hours_end_leaves_quiet_hours(now: datetime, zone: str, spec: str) -> None:
    tz = ZoneInfo(zone)
    # Compare in UTC: PEP 495 makes == between zones False for ambiguous wall times.
    end = quiet_hours_end(now, tz, spec).astimezone(UTC)
    if in_quiet_hours(now, tz, spec):
        assert end > now
        assert end - now <= timedelta(hours=26)
        assert in_quiet_hours(end - timedelta(microseconds=1), tz, spec)
        assert not in_quiet_hours(end, tz, spec)
    else:
        assert end == now


def test_hold_until_only_in_quiet_hours() -> None:
    cfg = load()
    night = datetime(2026, 6, 10, 23, 0, tzinfo=BERLIN)
    assert hold_until(cfg.urgency.low, night, BERLIN) == datetime(2026, 6, 11, 8, 0, tzinfo=BERLIN)
    assert hold_until(cfg.urgency.high, night, BERLIN) is None
    assert hold_until(cfg.urgency.low, night.replace(hour=10), BERLIN) is None


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        in_quiet_hours(datetime(2026, 1, 1, 22, 0), BERLIN, QUIET)


# --------------------------------------------------------------------------- dedup
