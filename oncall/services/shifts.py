"""A person's shifts: ``oncall shifts`` (upcoming shifts) and ``oncall who PERSON``.

Builds on the roster. Time is an argument (``now``); nothing here reads the clock.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from oncall.config import Config
from oncall.errors import NotFoundError
from oncall.reports.shifts import (
    CoveredOut,
    NextShiftOut,
    PersonDayOff,
    PersonShift,
    PersonWhoReport,
    ShiftsReport,
)
from oncall.services.roster import resolve_person

if TYPE_CHECKING:
    from oncall.domain.people import Availability
    from oncall.domain.rotation import Shift

__all__ = ["compute_person_who", "compute_shifts_of", "person_rotations", "resolve_me"]

DEFAULT_WEEKS = 12


def resolve_me(cfg: Config, me: str | None, git_email: str | None) -> str:
    """The person ``--me`` means: ``me`` (ONCALL_ME: an id or an email), else the git email."""
    people = cfg.owners.people
    for source, value in (("ONCALL_ME", me), ("git user.email", git_email)):
        if not value:
            continue
        if value in people:
            return value
        for pid, spec in people.items():
            if spec.email is not None and spec.email.lower() == value.strip().lower():
                return pid
        raise NotFoundError(
            f"--me: {source} is '{value}', which is no person's id or email in owners.yaml: "
            "set ONCALL_ME to your person id, or add your email to your person"
        )
    raise NotFoundError(
        "--me: set ONCALL_ME to your person id or email (no git user.email is set either)"
    )


def person_rotations(cfg: Config, person: str) -> list[str]:
    """The rotations ``person`` takes turns in or holds an override in."""
    out = [rid for rid, spec in cfg.rotation_specs.items() if person in spec.members]
    for ov in cfg.rotation.overrides:
        if ov.person == person and ov.rotation not in out and ov.rotation in cfg.rotation_specs:
            out.append(ov.rotation)
    return out


def _pieces(
    cfg: Config, availability: Availability, rotation: str, start: datetime, end: datetime
) -> list[Shift]:
    from oncall.domain.rotation import compute_shifts

    return compute_shifts(
        cfg.rotation_specs[rotation],
        start,
        end,
        availability=availability,
        overrides=cfg.overrides_for(rotation),
    )


def _detail(shift: Shift) -> str:
    if shift.reason == "override":
        replaced = f" (instead of {shift.overridden})" if shift.overridden else ""
        return f"override: {shift.override_reason or 'no reason given'}{replaced}"
    if shift.reason == "swap":
        from oncall.domain.people import describe_days

        who = shift.swap_cause_person or "?"
        cause = describe_days(shift.swap_cause)  # 2026-12-14..16 leave: family event
        return f"holiday swap with {shift.swapped_with or '?'} ({who} is off {cause})"
    return "regular rotation"


def _days_off(
    cfg: Config, availability: Availability, person: str, start: datetime, end: datetime
) -> list[PersonDayOff]:
    tz = cfg.person_tz(person)
    first, last = start.astimezone(tz).date(), (end - timedelta(microseconds=1)).astimezone(tz)
    out: list[PersonDayOff] = []
    day = first
    while day <= last.date():
        out.extend(
            PersonDayOff(date=d.date, name=d.label()) for d in availability.days_off(person, day)
        )
        day += timedelta(days=1)
    return out


def _held(cfg: Config, availability: Availability, person: str, shift: Shift) -> PersonShift:
    return PersonShift(
        rotation=shift.rotation,
        start=shift.start,
        end=shift.end,
        reason=shift.reason,
        detail=_detail(shift),
        days_off=_days_off(cfg, availability, person, shift.start, shift.end),
    )


def compute_shifts_of(
    cfg: Config,
    availability: Availability,
    person: str,
    now: datetime,
    *,
    weeks: int = DEFAULT_WEEKS,
) -> ShiftsReport:
    """``person``'s shifts that end after ``now`` and start within ``weeks`` weeks."""
    person = resolve_person(cfg, person)
    end = now + timedelta(weeks=weeks)
    rotations = person_rotations(cfg, person)
    held: list[PersonShift] = []
    covered: list[CoveredOut] = []
    for rid in rotations:
        for s in _pieces(cfg, availability, rid, now, end):
            if s.person == person:
                held.append(_held(cfg, availability, person, s))
            elif person in (s.base_person, s.overridden):
                covered.append(
                    CoveredOut(
                        rotation=rid, start=s.start, end=s.end, by=s.person, detail=_detail(s)
                    )
                )
    held.sort(key=lambda p: (p.start, p.rotation))
    covered.sort(key=lambda p: (p.start, p.rotation))
    upcoming = [p for p in held if p.start > now]
    nxt = NextShiftOut(start=upcoming[0].start, rotation=upcoming[0].rotation) if upcoming else None
    return ShiftsReport(
        person=person,
        name=cfg.person_name(person),
        start=now,
        end=end,
        rotations=rotations,
        shifts=held,
        covered=covered,
        next=nxt,
    )


def compute_person_who(
    cfg: Config, availability: Availability, person: str, at: datetime
) -> PersonWhoReport:
    """Whether ``person`` is on call at ``at``, their next shift, and their days off this week."""
    report = compute_shifts_of(cfg, availability, person, at, weeks=52)
    now_pieces = [p for p in report.shifts if p.start <= at < p.end]
    later = [p for p in report.shifts if p.start > at]
    tz = cfg.person_tz(report.person)
    today = at.astimezone(tz).date()
    monday = today - timedelta(days=today.weekday())
    week: list[PersonDayOff] = []
    for i in range(7):
        day: date = monday + timedelta(days=i)
        week.extend(
            PersonDayOff(date=d.date, name=d.label())
            for d in availability.days_off(report.person, day)
        )
    return PersonWhoReport(
        at=at.astimezone(cfg.team_tz),
        timezone=str(cfg.team_tz),
        person=report.person,
        name=report.name,
        oncall_now=now_pieces,
        next=later[0] if later else None,
        week_start=monday,
        days_off_this_week=week,
    )
