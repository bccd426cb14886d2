"""Rotation cost: a 4-member weekly rotation with holidays and leave, over 1 to 20 years.

The schedule is always computed from shift 0, so the cost grows with the number of shifts
since the rotation started: it should be linear (the per-shift cost roughly constant).
Availability is a prebuilt dict, so the numbers measure the rotation code, not calendars.
Each figure is the best of ``SAMPLES`` runs: on a shared machine the median mostly measures
the neighbours.
"""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta
from datetime import time as wall
from zoneinfo import ZoneInfo

from oncall.domain.people import DayOff
from oncall.domain.rotation import RotationSpec, compute_shifts, shift_start

SAMPLES = 9
YEARS = (1, 2, 5, 10, 20)
MEMBERS = ("de1", "de2", "de3", "de4")
START = date(2026, 1, 5)
SPEC = RotationSpec(
    id="bench",
    members=MEMBERS,
    start=START,
    handoff=wall(9, 0),
    tz=ZoneInfo("America/New_York"),  # a zone with DST, so handoffs go through the gap logic
)


class _DictAvailability:
    """Days off from a prebuilt dict: each lookup is one dict hit."""

    def __init__(self, table: dict[tuple[str, date], tuple[DayOff, ...]]) -> None:
        self._table = table

    def days_off(self, person: str, day: date) -> tuple[DayOff, ...]:
        return self._table.get((person, day), ())


def _availability(years: int) -> _DictAvailability:
    """Ten holidays a year for everyone, plus a week of leave for one member each quarter."""
    table: dict[tuple[str, date], tuple[DayOff, ...]] = {}
    for year in range(START.year, START.year + years + 1):
        for month in range(1, 11):
            day = date(year, month, 3 + month)
            for person in MEMBERS:
                table[(person, day)] = (DayOff(day, f"holiday {month}", "holiday"),)
        for quarter in range(4):
            person = MEMBERS[(year + quarter) % len(MEMBERS)]
            first = date(year, 3 * quarter + 1, 15)
            for i in range(7):
                day = first + timedelta(days=i)
                table[(person, day)] = (DayOff(day, "trip", "leave"),)
    return _DictAvailability(table)


def _best_ms(years: int) -> tuple[float, int]:
    availability = _availability(years)
    begin = shift_start(SPEC, 0)
    end = begin + timedelta(days=365 * years)
    samples: list[float] = []
    count = 0
    for _ in range(SAMPLES):
        t0 = time.perf_counter()
        shifts = compute_shifts(SPEC, begin, end, availability=availability)
        samples.append((time.perf_counter() - t0) * 1e3)
        count = len(shifts)
    return min(samples), count


def _late_window_ms() -> float:
    """One week, ten years in: still processed from shift 0."""
    availability = _availability(10)
    at = datetime(2036, 1, 7, 12, tzinfo=SPEC.tz)
    samples: list[float] = []
    for _ in range(SAMPLES):
        t0 = time.perf_counter()
        compute_shifts(SPEC, at, at + timedelta(days=7), availability=availability)
        samples.append((time.perf_counter() - t0) * 1e3)
    return min(samples)


def run() -> dict[str, float]:
    """Best-of-samples ms per span, µs per shift, and the 20y/1y per-shift cost ratio."""
    out: dict[str, float] = {}
    per_shift: dict[int, float] = {}
    for years in YEARS:
        ms, count = _best_ms(years)
        out[f"years_{years}_ms"] = ms
        out[f"years_{years}_shifts"] = float(count)
        per_shift[years] = ms * 1e3 / count
        out[f"years_{years}_us_per_shift"] = per_shift[years]
    out["ten_years_ms"] = out["years_10_ms"]
    out["late_week_after_ten_years_ms"] = _late_window_ms()
    out["per_shift_ratio_20y_to_1y"] = per_shift[20] / per_shift[1]
    return out


if __name__ == "__main__":
    for name, value in run().items():
        print(f"{name:32} {value:10.3f}")
