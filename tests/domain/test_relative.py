"""Relative dates: today, weekdays, offsets; pinned to a known present."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from oncall.domain.relative import resolve_relative

IST = ZoneInfo("Asia/Kolkata")
NOW = datetime(2026, 12, 2, 10, 30, tzinfo=IST)  # a Wednesday


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("now", datetime(2026, 12, 2, 10, 30, tzinfo=IST)),
        ("today", datetime(2026, 12, 2, tzinfo=IST)),
        ("Tomorrow", datetime(2026, 12, 3, tzinfo=IST)),
        ("yesterday", datetime(2026, 12, 1, tzinfo=IST)),
        ("monday", datetime(2026, 12, 7, tzinfo=IST)),
        ("next monday", datetime(2026, 12, 7, tzinfo=IST)),
        ("last monday", datetime(2026, 11, 30, tzinfo=IST)),
        ("wednesday", datetime(2026, 12, 9, tzinfo=IST)),  # today is Wednesday: the next one
        ("last  wednesday", datetime(2026, 11, 25, tzinfo=IST)),
        ("+3d", datetime(2026, 12, 5, 10, 30, tzinfo=IST)),
        ("-2h", datetime(2026, 12, 2, 8, 30, tzinfo=IST)),
        ("+1w", datetime(2026, 12, 9, 10, 30, tzinfo=IST)),
        ("+1h30m", datetime(2026, 12, 2, 12, 0, tzinfo=IST)),
    ],
)
def test_relative(text: str, expected: datetime) -> None:
    got = resolve_relative(text, NOW, IST)
    assert got == expected
    assert got is not None and got.utcoffset() == expected.utcoffset()


def test_now_in_another_zone_uses_the_team_date() -> None:
    # 20:00 UTC on Dec 2 is already Dec 3 in Kolkata.
    utc_now = datetime(2026, 12, 2, 20, 0, tzinfo=ZoneInfo("UTC"))
    assert resolve_relative("today", utc_now, IST) == datetime(2026, 12, 3, tzinfo=IST)


def test_not_relative_is_none() -> None:
    assert resolve_relative("2026-12-01", NOW, IST) is None
    assert resolve_relative("someday", NOW, IST) is None


def test_bad_offset_is_explained() -> None:
    with pytest.raises(ValueError, match="bad offset '\\+3x'"):
        resolve_relative("+3x", NOW, IST)


def test_offset_across_dst_is_elapsed_time() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    before = datetime(2026, 3, 28, 12, 0, tzinfo=berlin)
    got = resolve_relative("+1d", before, berlin)
    assert got is not None
    elapsed = got.astimezone(ZoneInfo("UTC")) - before.astimezone(ZoneInfo("UTC"))
    assert elapsed.total_seconds() == 86400
    assert got.hour == 13  # clocks sprang forward overnight
