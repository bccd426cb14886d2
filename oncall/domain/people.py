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
        self._memo: dict[tuple[str, date], tuple[DayOff, ...]] = {}

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

    def days_off(self, person: str, day: date) -> tuple[DayOff, ...]:
        memo_key = (person, day)
        hit = self._memo.get(memo_key)
        if hit is not None:
            return hit
        out: list[DayOff] = []
        holiday = self._holidays(person, day.year).get(day)
        if holiday is not None:
            out.append(DayOff(day, holiday.name, "holiday", holiday.estimated))
        company = self._company.get(day)
        if company is not None:
            out.append(DayOff(day, company, "company"))
        for rng in self._leave.get(person, ()):
            if rng.covers(day):
                out.append(DayOff(day, rng.reason, "leave"))
        result = tuple(out)
        self._memo[memo_key] = result
        return result

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
