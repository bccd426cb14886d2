"""The one range of instants and durations (domain/timeutil.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from oncall.domain.timeutil import (
    MAX_DURATION,
    MAX_INSTANT,
    MIN_INSTANT,
    check_instant,
    duration_from_seconds,
    parse_duration,
    parse_instant,
)

NY = ZoneInfo("America/New_York")


@pytest.mark.parametrize(
    "text",
    [
        "9999-12-31T00:00",
        "0001-01-01T00:00",
        "9999-12-31",
        "0001-01-01",
        "2200-01-01T00:00Z",
        "1969-12-31T23:59:59+00:00",
        "2199-12-31T23:00",
    ],  # the last is 2200-01-01T04:00Z
)
def test_instants_outside_the_range_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="outside the supported range 1970-01-01 to 2199-12-31"):
        parse_instant(text, NY)


@pytest.mark.parametrize("text", ["1970-01-01T00:00Z", "2199-12-31T18:59", "2026-11-30"])
def test_instants_inside_the_range_parse(text: str) -> None:
    value = parse_instant(text, NY)
    assert MIN_INSTANT <= value < MAX_INSTANT


def test_check_instant_takes_dates_and_naive_times_without_overflow() -> None:
    check_instant(date(2026, 1, 1))
    check_instant(datetime(2199, 12, 31, 23, 0))
    for bad in (date(9999, 12, 31), datetime(1, 1, 1), datetime(9999, 12, 31, tzinfo=UTC)):
        with pytest.raises(ValueError):
            check_instant(bad)


def test_a_long_text_is_refused_before_parsing() -> None:
    with pytest.raises(ValueError, match=r"bad date or time '2026-01-01xxxxxxxxxx\.\.\.'"):
        parse_instant("2026-01-01" + "x" * 5000, NY)


@pytest.mark.parametrize(
    "text", ["99999999d", "999999999999999999999999d", "9" * 150 + "w", "3651d", "3650d1s"]
)
def test_durations_past_the_longest_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="longer than the longest supported, 3650d"):
        parse_duration(text)


def test_the_longest_duration_parses_and_long_text_is_refused() -> None:
    assert parse_duration("3650d") == MAX_DURATION
    with pytest.raises(ValueError, match="5001 characters long"):
        parse_duration("9" * 5000 + "d")


@pytest.mark.parametrize("seconds", [1e400, float("nan"), 10.0**30])
def test_durations_from_numbers_never_overflow(seconds: float) -> None:
    with pytest.raises(ValueError, match="longer than the longest supported"):
        duration_from_seconds(seconds)
    assert duration_from_seconds(90) == timedelta(seconds=90)
