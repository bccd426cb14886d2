"""People and their availability: holidays, company holidays and leave. Pure."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal, Protocol
from zoneinfo import ZoneInfo

DayOffKind = Literal["holiday", "company", "leave"]


@dataclass(frozen=True, slots=True)
class DayOff:
    """One reason a person is unavailable on a calendar date."""

    date: date
    name: str
    kind: DayOffKind
    estimated: bool = False

    def label(self) -> str:
        mark = " (estimated)" if self.estimated else ""
        if self.kind == "leave":
            return f"leave: {self.name}" if self.name else "leave"
        return f"{self.name}{mark}"


@dataclass(frozen=True, slots=True)
class Holiday:
    """A named public holiday of a calendar."""

    name: str
    estimated: bool = False


@dataclass(frozen=True, slots=True)
class LeaveRange:
    """Inclusive range of dates a person is on leave."""

    start: date
    end: date
    reason: str = ""

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True, slots=True)
class Person:
    id: str
    name: str
    email: str | None
    timezone: ZoneInfo
    contacts: Mapping[str, str] = field(default_factory=dict)


class Availability(Protocol):
    """Answers why a person is unavailable on a date (empty tuple: available)."""

    def days_off(self, person: str, day: date) -> tuple[DayOff, ...]: ...


YearCalendar = Callable[[int], Mapping[date, Holiday]]
"""Holidays of one calendar for one year (the adapter behind it may cache on disk)."""


class DaysOffTable:
    """Availability from each person's holiday calendar, company holidays and leave.

    ``calendars`` maps a person id to a function returning that person's holidays for
    a year; it is called at most once per (person calendar, year).
    """

    def __init__(
        self,
        calendars: Mapping[str, YearCalendar],
        company: Mapping[date, str] | None = None,
        leave: Mapping[str, Sequence[LeaveRange]] | None = None,
    ) -> None:
        self._calendars = calendars
        self._company = dict(company or {})
        self._leave = {p: tuple(r) for p, r in (leave or {}).items()}
        self._years: dict[tuple[int, int], Mapping[date, Holiday]] = {}
        self._days: dict[tuple[str, int], dict[date, tuple[DayOff, ...]]] = {}
        self._bases: dict[tuple[int, int], dict[date, tuple[DayOff, ...]]] = {}

    def _holidays(self, person: str, year: int) -> Mapping[date, Holiday]:
        fn = self._calendars.get(person)
        if fn is None:
            return {}
        key = (id(fn), year)
        cached = self._years.get(key)
        if cached is None:
            cached = fn(year)
            self._years[key] = cached
        return cached

    def _shared(self, person: str, year: int) -> dict[date, tuple[DayOff, ...]]:
        """Holidays of the person's calendar, then company holidays, in ``year``: one table
        per (calendar, year), shared by everyone on that calendar and never changed."""
        key = (id(self._calendars.get(person)), year)
        shared = self._bases.get(key)
        if shared is not None:
            return shared
        found: dict[date, tuple[DayOff, ...]] = {}
        # Only the calendar of the date's own year counts for it (a calendar may list an
        # observed day of the next year).
        for day, holiday in self._holidays(person, year).items():
            if day.year == year:
                found[day] = (DayOff(day, holiday.name, "holiday", holiday.estimated),)
        for day, name in self._company.items():
            if day.year == year:
                found[day] = (*found.get(day, ()), DayOff(day, name, "company"))
        self._bases[key] = found
        return found

    def _year(self, person: str, year: int) -> dict[date, tuple[DayOff, ...]]:
        """The person's days off in ``year``: only the dates with at least one, in the order
        holiday, company holiday, leave ranges (as given)."""
        out = self._shared(person, year)
        own = False
        first, last = date(year, 1, 1).toordinal(), date(year, 12, 31).toordinal()
        for rng in self._leave.get(person, ()):
            lo, hi = max(rng.start.toordinal(), first), min(rng.end.toordinal(), last)
            if lo > hi:
                continue
            if not own:
                out, own = dict(out), True  # a copy of the shared table: leave is theirs
            for n in range(lo, hi + 1):
                day = date.fromordinal(n)
                out[day] = (*out.get(day, ()), DayOff(day, rng.reason, "leave"))
        self._days[(person, year)] = out
        return out

    def days_off(self, person: str, day: date) -> tuple[DayOff, ...]:
        days = self._days.get((person, day.year))
        if days is None:
            days = self._year(person, day.year)
        return days.get(day, ())

    def days_off_on(self, person: str, days: Iterable[date]) -> tuple[DayOff, ...]:
        """``days_off`` of each of ``days`` in turn, joined: one call for a shift's dates."""
        out: tuple[DayOff, ...] = ()
        year: int | None = None
        table: dict[date, tuple[DayOff, ...]] = {}
        for day in days:
            if day.year != year:
                year = day.year
                known = self._days.get((person, year))
                table = self._year(person, year) if known is None else known
            found = table.get(day)
            if found:
                out += found
        return out

    def is_available(self, person: str, day: date) -> bool:
        return not self.days_off(person, day)


def describe_days(days: Iterable[DayOff]) -> str:
    """``2026-12-14..16 leave: family event, 2026-12-25 Christmas``: runs of dates collapsed."""
    groups: dict[str, list[date]] = {}
    for d in days:
        groups.setdefault(d.label(), []).append(d.date)
    parts: list[tuple[date, str]] = []
    for label, found in groups.items():
        ordered = sorted(set(found))
        run_start = prev = ordered[0]
        for day in [*ordered[1:], None]:
            if day is not None and (day - prev).days == 1:
                prev = day
                continue
            if run_start == prev:
                text = run_start.isoformat()
            elif run_start.month == prev.month:
                text = f"{run_start.isoformat()}..{prev.day:02d}"
            else:
                text = f"{run_start.isoformat()}..{prev.isoformat()}"
            parts.append((run_start, f"{text} {label}"))
            if day is not None:
                run_start = prev = day
    return ", ".join(text for _, text in sorted(parts))
