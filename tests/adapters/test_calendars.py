"""Holiday calendars against the real ``holidays`` package, with a real on-disk cache."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import warnings
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from oncall.adapters.calendar_cache import CACHE_DIR_ENV, CachedHolidayCalendars
from oncall.adapters.calendars import CalendarKey, calendar_for, check_calendar, holidays_version
from oncall.domain.people import DaysOffTable, Holiday
from oncall.errors import CalendarError

INDIA = CalendarKey("IN")
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def no_warnings_escape() -> Iterator[None]:
    """Any Python warning leaking out of the adapter fails the test."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


@pytest.fixture
def cache_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv(CACHE_DIR_ENV, raising=False)
    return tmp_path / "cache"


def cache_files(calendars: CachedHolidayCalendars) -> list[Path]:
    return sorted(calendars.cache_dir.glob("*.json"))


def test_india_2026_national_holidays(cache_root: Path) -> None:
    days = CachedHolidayCalendars(cache_root).year(INDIA, 2026)
    assert days[date(2026, 1, 26)] == Holiday("Republic Day")
    assert days[date(2026, 8, 15)] == Holiday("Independence Day")
    assert date(2026, 1, 27) not in days
    assert all(d.year == 2026 for d in days)


def test_subdivision_adds_state_holidays(cache_root: Path) -> None:
    calendars = CachedHolidayCalendars(cache_root)
    maharashtra = calendars.year(CalendarKey("IN", "MH"), 2026)
    assert maharashtra[date(2026, 5, 1)].name == "Buddha Purnima; Maharashtra Day"
    assert date(2026, 2, 19) in maharashtra
    assert date(2026, 2, 19) not in calendars.year(INDIA, 2026)


def test_second_instance_reads_the_cache_file(cache_root: Path) -> None:
    first = CachedHolidayCalendars(cache_root)
    first.year(INDIA, 2026)
    [path] = cache_files(first)
    raw = json.loads(path.read_text())
    for row in raw["days"]:
        if row[0] == "2026-01-26":
            row[1] = "Republic Day (from the cache file)"
    path.write_text(json.dumps(raw))

    second = CachedHolidayCalendars(cache_root)
    assert second.year(INDIA, 2026)[date(2026, 1, 26)].name == "Republic Day (from the cache file)"


def test_memo_serves_repeated_lookups_without_the_file(cache_root: Path) -> None:
    calendars = CachedHolidayCalendars(cache_root)
    first = calendars.year(INDIA, 2026)
    for path in cache_files(calendars):
        path.unlink()
    assert calendars.year(INDIA, 2026) is first
    assert cache_files(calendars) == []


@pytest.mark.parametrize(
    "garbage",
    [b"", b"{not json", b"[]", b'{"format": 1}', b"\xff\xfe\x00", b'{"days": 5}'],
)
def test_corrupt_cache_file_is_recomputed_and_rewritten(cache_root: Path, garbage: bytes) -> None:
    CachedHolidayCalendars(cache_root).year(INDIA, 2026)
    [path] = cache_files(CachedHolidayCalendars(cache_root))
    path.write_bytes(garbage)

    days = CachedHolidayCalendars(cache_root).year(INDIA, 2026)

    assert days[date(2026, 1, 26)] == Holiday("Republic Day")
    rewritten = json.loads(path.read_text())
    assert ["2026-01-26", "Republic Day", False] in rewritten["days"]


def test_cache_file_for_another_key_is_not_trusted(cache_root: Path) -> None:
    calendars = CachedHolidayCalendars(cache_root)
    calendars.year(CalendarKey("IN", "WB"), 2026)
    [wb_path] = cache_files(calendars)
    mh_path = wb_path.with_name(wb_path.name.replace("_WB_", "_MH_"))
    assert mh_path != wb_path
    mh_path.write_bytes(wb_path.read_bytes())  # right shape, wrong key inside

    maharashtra = CachedHolidayCalendars(cache_root).year(CalendarKey("IN", "MH"), 2026)

    assert date(2026, 2, 19) in maharashtra  # Shivaji Jayanti: not in West Bengal's file
    assert json.loads(mh_path.read_text())["key"]["subdiv"] == "MH"


def test_cache_root_that_is_a_file_still_works(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    days = CachedHolidayCalendars(blocker).year(INDIA, 2026)
    assert days[date(2026, 8, 15)] == Holiday("Independence Day")
    assert blocker.read_text() == "x"


@pytest.mark.skipif(
    sys.platform == "win32" or os.geteuid() == 0, reason="permissions do not bind root"
)
def test_unreadable_cache_dir_still_works(cache_root: Path) -> None:
    calendars = CachedHolidayCalendars(cache_root)
    calendars.year(INDIA, 2026)
    calendars.cache_dir.chmod(0)
    try:
        days = CachedHolidayCalendars(cache_root).year(INDIA, 2026)
        assert days[date(2026, 1, 26)] == Holiday("Republic Day")
    finally:
        calendars.cache_dir.chmod(0o755)


def test_failed_replace_keeps_old_file_and_leaves_no_temp_file(
    cache_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    CachedHolidayCalendars(cache_root).year(INDIA, 2026)
    [path] = cache_files(CachedHolidayCalendars(cache_root))
    path.write_text("{corrupt")

    def refuse(src: str, dst: str) -> None:
        raise PermissionError(dst)

    monkeypatch.setattr(os, "replace", refuse)
    days = CachedHolidayCalendars(cache_root).year(INDIA, 2026)

    assert days[date(2026, 1, 26)] == Holiday("Republic Day")
    assert path.read_text() == "{corrupt"
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]


def test_package_version_is_part_of_the_cache_key(cache_root: Path) -> None:
    current = CachedHolidayCalendars(cache_root)
    other = CachedHolidayCalendars(cache_root, package_version="0.0-test")
    current.year(INDIA, 2026)
    [current_path] = cache_files(current)
    raw = json.loads(current_path.read_text())
    assert raw["holidays_version"] == holidays_version()
    raw["days"] = [["2026-01-01", "Stale Day", False]]
    current_path.write_text(json.dumps(raw))

    days = other.year(INDIA, 2026)

    assert date(2026, 1, 1) not in days
    assert days[date(2026, 1, 26)] == Holiday("Republic Day")
    paths = cache_files(current)
    assert len(paths) == 2
    assert any("0.0-test" in p.name for p in paths)


def test_holidays_version_matches_metadata() -> None:
    from importlib.metadata import version

    assert holidays_version() == version("holidays")


def test_cache_dir_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path / "env"))
    assert CachedHolidayCalendars().cache_dir == tmp_path / "env" / "holidays"
    assert CachedHolidayCalendars(tmp_path / "arg").cache_dir == tmp_path / "arg" / "holidays"
    monkeypatch.delenv(CACHE_DIR_ENV)
    import platformdirs

    expected = Path(platformdirs.user_cache_dir("oncall")) / "holidays"
    assert CachedHolidayCalendars().cache_dir == expected


def test_env_cache_dir_receives_the_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path / "env"))
    CachedHolidayCalendars().year(INDIA, 2026)
    assert len(list((tmp_path / "env" / "holidays").glob("IN_*_2026_*.json"))) == 1


def test_estimated_mark_becomes_a_flag(cache_root: Path) -> None:
    # The package returns "Eid al-Fitr (estimated)" on 2030-02-05 (its India Islamic dates
    # are confirmed only for recent years); Republic Day is never estimated.
    days = CachedHolidayCalendars(cache_root).year(INDIA, 2030)
    assert days[date(2030, 2, 5)] == Holiday("Eid al-Fitr", estimated=True)
    assert days[date(2030, 1, 26)] == Holiday("Republic Day", estimated=False)
    assert not [h.name for h in days.values() if "estimated" in h.name]


def test_shared_date_joins_names_estimated_last(cache_root: Path) -> None:
    # 2027-08-15: the package gives "Independence Day; Prophet's Birthday (estimated)".
    days = CachedHolidayCalendars(cache_root).year(INDIA, 2027)
    assert days[date(2027, 8, 15)] == Holiday(
        "Independence Day; Prophet's Birthday", estimated=True
    )
    mh = CachedHolidayCalendars(cache_root).year(CalendarKey("IN", "MH"), 2026)
    assert mh[date(2026, 8, 15)] == Holiday("Independence Day; Parsi New Year (Shahenshahi)")


def test_estimated_flag_survives_the_cache(cache_root: Path) -> None:
    CachedHolidayCalendars(cache_root).year(INDIA, 2030)
    days = CachedHolidayCalendars(cache_root).year(INDIA, 2030)
    assert days[date(2030, 2, 5)] == Holiday("Eid al-Fitr", estimated=True)


def test_india_is_supported_until_2035(cache_root: Path) -> None:
    calendars = CachedHolidayCalendars(cache_root)
    assert calendars.supported_until(INDIA) == 2035
    assert calendars.is_supported(INDIA, 2035)
    assert not calendars.is_supported(INDIA, 2036)
    assert calendars.supported_until(CalendarKey("IN", "TN")) == 2035


def test_unsupported_year_keeps_package_warning_as_a_note(cache_root: Path) -> None:
    calendars = CachedHolidayCalendars(cache_root)
    info = calendars.year_info(INDIA, 2036)
    assert not info.supported
    assert any("2035" in note for note in info.notes)
    assert not [h for h in info.holidays.values() if "Diwali" in h.name]  # silently absent
    assert info.holidays[date(2036, 8, 15)] == Holiday("Independence Day")
    assert calendars.year_info(INDIA, 2035).notes == ()


def test_years_past_the_package_range_are_unsupported(cache_root: Path) -> None:
    info = CachedHolidayCalendars(cache_root).year_info(INDIA, 2101)
    assert not info.supported
    assert dict(info.holidays) == {}


def test_supported_until_is_cached_on_disk(cache_root: Path) -> None:
    CachedHolidayCalendars(cache_root).supported_until(INDIA)
    [path] = [p for p in cache_files(CachedHolidayCalendars(cache_root)) if "_until_" in p.name]
    raw = json.loads(path.read_text())
    raw["supported_until"] = 1999
    path.write_text(json.dumps(raw))
    assert CachedHolidayCalendars(cache_root).supported_until(INDIA) == 1999


def test_coverage_warning_in_our_words(cache_root: Path) -> None:
    calendars = CachedHolidayCalendars(cache_root)
    assert calendars.coverage_warning(INDIA, range(2026, 2036)) is None
    message = calendars.coverage_warning(INDIA, [2034, 2036, 2037])
    assert message is not None
    assert "IN (public)" in message and "2036, 2037" in message and "2035" in message
    assert "2034" not in message
    assert "Requested Holidays" not in message


def test_calendar_for_feeds_days_off_table(cache_root: Path) -> None:
    calendars = CachedHolidayCalendars(cache_root)
    table = DaysOffTable({"de1": calendar_for(calendars, CalendarKey("IN", "KA"))})
    [day_off] = table.days_off("de1", date(2026, 11, 1))
    assert (day_off.name, day_off.kind) == ("Karnataka Rajyotsava", "holiday")
    assert table.is_available("de1", date(2026, 11, 2))


def test_unknown_key_raises_calendar_error(cache_root: Path) -> None:
    with pytest.raises(CalendarError, match="unknown subdivision 'ZZ'") as info:
        CachedHolidayCalendars(cache_root).year(CalendarKey("IN", "ZZ"), 2026)
    assert info.value.exit_code == 2


def test_check_calendar_accepts_valid_keys() -> None:
    assert check_calendar(INDIA) is None
    assert check_calendar(CalendarKey("IN", "MH", ("public", "optional"))) is None
    assert check_calendar(CalendarKey("US", "CA")) is None


def test_check_calendar_unknown_country() -> None:
    message = check_calendar(CalendarKey("XX"))
    assert message is not None
    assert "unknown holiday country 'XX'" in message
    assert "Did you mean" not in message


@pytest.mark.parametrize(("given", "suggested"), [("in", "'IN'"), ("India", "'IN'")])
def test_check_calendar_country_did_you_mean(given: str, suggested: str) -> None:
    message = check_calendar(CalendarKey(given))
    assert message is not None
    assert f"Did you mean {suggested}" in message


def test_check_calendar_unknown_subdivision_lists_valid_ones() -> None:
    message = check_calendar(CalendarKey("IN", "ZZ"))
    assert message is not None
    assert "unknown subdivision 'ZZ' for holiday country IN" in message
    assert "Valid subdivisions: AN, AP, " in message and "MH" in message and "WB." in message


@pytest.mark.parametrize(("given", "suggested"), [("mh", "MH"), ("Maharastra", "MH")])
def test_check_calendar_subdivision_did_you_mean(given: str, suggested: str) -> None:
    message = check_calendar(CalendarKey("IN", given))
    assert message is not None
    assert f"Did you mean '{suggested}'?" in message


def test_check_calendar_category() -> None:
    message = check_calendar(CalendarKey("IN", categories=("optinal",)))
    assert message is not None
    assert "unknown holiday category 'optinal'" in message
    assert "Did you mean 'optional'" in message
    assert "government, optional, optional_women, public" in message
    empty = check_calendar(CalendarKey("IN", categories=()))
    assert empty is not None and "no holiday category" in empty


def test_check_calendar_subdivision_of_country_without_any() -> None:
    message = check_calendar(CalendarKey("SG", "X"))
    assert message is not None and "has no subdivisions" in message


_PROBE = textwrap.dedent(
    """
    import json, sys, warnings
    warnings.simplefilter("error")
    from datetime import date
    from oncall.adapters.calendar_cache import CachedHolidayCalendars
    from oncall.adapters.calendars import CalendarKey
    calendars = CachedHolidayCalendars()
    key = CalendarKey("IN")
    name = calendars.year(key, 2026)[date(2026, 1, 26)].name
    supported = calendars.is_supported(key, 2036)
    print(json.dumps({"name": name, "supported_2036": supported,
                      "imported": "holidays" in sys.modules}))
    """
)


def _probe(cache_root: Path) -> dict[str, object]:
    env = {**os.environ, CACHE_DIR_ENV: str(cache_root), "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-c", _PROBE], env=env, capture_output=True, text=True, check=True
    )
    result: dict[str, object] = json.loads(done.stdout)
    return result


def test_warm_cache_does_not_import_holidays(cache_root: Path) -> None:
    cold = _probe(cache_root)
    warm = _probe(cache_root)
    assert cold == {"name": "Republic Day", "supported_2036": False, "imported": True}
    assert warm == {"name": "Republic Day", "supported_2036": False, "imported": False}
