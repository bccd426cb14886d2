"""Fairness statistics of a computed schedule. Pure.

Days are counted through each shift's ``duty_dates``: a calendar date (in the rotation's time
zone) belongs to whoever is on call at that date's handoff time, so every date of a schedule is
counted once, and a weekly shift counts seven days whatever DST does to its length.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from oncall.domain.people import Availability, DayOff
from oncall.domain.rotation import Shift

__all__ = ["DutyRun", "PersonStats", "ScheduleStats", "compute_stats", "duty_runs"]

_SATURDAY = 5


@dataclass(frozen=True, slots=True)
class PersonStats:
    """One person's share of a schedule.

    - ``shifts``: underlying shifts in which the person holds at least one duty date.
    - ``oncall_days``: duty dates held.
    - ``weekend_days``: of those, Saturdays and Sundays.
    - ``holidays_worked``: the person's days off (holidays, company holidays, leave) on duty
      dates they hold, weekends included.
    - ``swaps_given``: shifts where they were the base holder and a swap gave it to someone else.
    - ``swaps_taken``: shifts they took from someone else's turn through a swap (before
      overrides).
    - ``overrides_taken``: override pieces they hold (starting in the window, with ``between``).
    - ``longest_run``: their longest run of consecutive on-call dates.
    - ``back_to_back``: shifts they hold right after another shift of theirs (same rotation).
    """

    person: str
    shifts: int
    oncall_days: int
    weekend_days: int
    holidays_worked: tuple[DayOff, ...]
    swaps_given: int
    swaps_taken: int
    overrides_taken: int
    longest_run: int = 0
    back_to_back: int = 0

    @property
    def holiday_days_worked(self) -> int:
        """Distinct dates among ``holidays_worked``."""
        return len({off.date for off in self.holidays_worked})


@dataclass(frozen=True, slots=True)
class ScheduleStats:
    """Per-person statistics, and ``spread``: max minus min ``oncall_days`` across members.

    ``people`` lists the members in the order given, then anyone else holding a shift (by id).
    """

    people: tuple[PersonStats, ...]
    spread: int

    def get(self, person: str) -> PersonStats | None:
        """Statistics of one person, None if they are not in the schedule or the members."""
        return next((p for p in self.people if p.person == person), None)


@dataclass(slots=True)
class _Tally:
    shifts: set[tuple[str, int]] = field(default_factory=set)
    days: int = 0
    dates: set[date] = field(default_factory=set)
    weekend: int = 0
    holidays: list[DayOff] = field(default_factory=list)
    given: int = 0
    taken: int = 0
    overrides: int = 0


def compute_stats(
    shifts: Sequence[Shift],
    *,
    availability: Availability,
    members: Sequence[str] = (),
    between: tuple[date, date] | None = None,
) -> ScheduleStats:
    """Statistics of ``shifts`` (as returned by ``compute_shifts``).

    ``members`` are always listed (with zeros if they hold nothing) and are the people
    ``spread`` is measured over; without them, spread is over everyone in ``shifts``.
    ``between`` = (first, stop) counts only duty dates in [first, stop), for a window whose
    first and last shifts stick out of it. A swap counts when its shift has a counted duty date.
    """
    tallies: dict[str, _Tally] = {m: _Tally() for m in members}

    def tally(person: str) -> _Tally:
        found = tallies.get(person)
        if found is None:
            found = tallies[person] = _Tally()
        return found

    swapped: dict[tuple[str, int], tuple[str, str]] = {}
    for shift in shifts:
        days = [d for d in shift.duty_dates if between is None or between[0] <= d < between[1]]
        holder = tally(shift.person)
        if shift.reason == "override" and (
            between is None or between[0] <= shift.start.date() < between[1]
        ):
            holder.overrides += 1
        if not days:
            continue
        key = (shift.rotation, shift.index)
        holder.shifts.add(key)
        holder.days += len(days)
        holder.dates.update(days)
        holder.weekend += sum(1 for d in days if d.weekday() >= _SATURDAY)
        holder.holidays.extend(off for d in days for off in availability.days_off(shift.person, d))
        if shift.swap_index is not None:
            scheduled = shift.overridden if shift.reason == "override" else shift.person
            swapped[key] = (shift.base_person, scheduled or shift.person)

    for giver, taker in swapped.values():
        tally(giver).given += 1
        tally(taker).taken += 1

    order = [*dict.fromkeys(members), *sorted(p for p in tallies if p not in set(members))]
    people = tuple(
        PersonStats(
            person=p,
            shifts=len(tallies[p].shifts),
            oncall_days=tallies[p].days,
            weekend_days=tallies[p].weekend,
            holidays_worked=tuple(tallies[p].holidays),
            swaps_given=tallies[p].given,
            swaps_taken=tallies[p].taken,
            overrides_taken=tallies[p].overrides,
            longest_run=max(((b - a).days + 1 for a, b in _runs(tallies[p].dates)), default=0),
            back_to_back=sum(
                1 for rot, k in tallies[p].shifts if (rot, k - 1) in tallies[p].shifts
            ),
        )
        for p in order
    )
    measured = [s.oncall_days for s in people if not members or s.person in members]
    spread = max(measured) - min(measured) if measured else 0
    return ScheduleStats(people, spread)


@dataclass(frozen=True, slots=True)
class DutyRun:
    """``person`` is on call every date from ``first`` to ``last`` (inclusive)."""

    person: str
    first: date
    last: date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


def _runs(dates: set[date]) -> list[tuple[date, date]]:
    out: list[tuple[date, date]] = []
    for d in sorted(dates):
        if out and (d - out[-1][1]).days == 1:
            out[-1] = (out[-1][0], d)
        else:
            out.append((d, d))
    return out


def duty_runs(shifts: Sequence[Shift], *, longer_than: int = 0) -> list[DutyRun]:
    """Each holder's runs of consecutive duty dates longer than ``longer_than`` days."""
    dates: dict[str, set[date]] = {}
    for shift in shifts:
        dates.setdefault(shift.person, set()).update(shift.duty_dates)
    found = [DutyRun(p, a, b) for p, ds in dates.items() for a, b in _runs(ds)]
    return sorted((r for r in found if r.days > longer_than), key=lambda r: (r.first, r.person))
