"""The one duration and time formatter, and the wall-clock rules it shares with rotations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from oncall.domain.timeutil import format_duration, format_time, parse_duration

KOLKATA = ZoneInfo("Asia/Kolkata")


@pytest.mark.parametrize(
    ("delta", "short", "exact", "unit"),
    [
        (timedelta(hours=1, minutes=20, seconds=5), "1h 20m", "1h20m5s", "4805s"),
        (timedelta(days=2), "2d", "2d", "2d"),
        (timedelta(days=1), "1d", "1d", "24h"),
        (timedelta(minutes=90), "1h 30m", "1h30m", "90m"),
        (timedelta(seconds=1.5), "1s", "1.5s", "1.5s"),
        (timedelta(0), "0s", "0s", "0h"),
    ],
)
def test_three_styles(delta: timedelta, short: str, exact: str, unit: str) -> None:
    assert format_duration(delta) == short
    assert format_duration(delta, style="exact") == exact
    assert format_duration(delta, style="unit") == unit
    assert parse_duration(format_duration(delta, style="exact")) == delta


def test_negative_short_duration_keeps_its_sign() -> None:
    assert format_duration(timedelta(minutes=-5)) == "-5m"


def test_time_styles_show_the_wall_clock_of_the_zone() -> None:
    t = datetime(2026, 11, 20, 5, 1, tzinfo=UTC)
    assert format_time(t, KOLKATA) == "2026-11-20 10:31 IST"
    assert format_time(t, KOLKATA, style="day") == "Fri 2026-11-20 10:31 IST"
    assert format_time(t, KOLKATA, style="short") == "Fri Nov 20 10:31"
    assert format_time(t) == "2026-11-20 05:01 UTC"
