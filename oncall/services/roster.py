"""Roster: who is available, who is on call, who responds for a pipeline, who owns what.

The lowest capability: every other service that needs a responder or availability
builds on these functions. Time is an argument (``at``); nothing here reads the clock.
"""

from __future__ import annotations

import bisect
import weakref
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from oncall.config import Config
from oncall.domain.people import DayOff, DaysOffTable, YearCalendar
from oncall.domain.text import suggest
from oncall.errors import ConfigError, NotFoundError

if TYPE_CHECKING:
    from oncall.adapters.calendar_cache import CachedHolidayCalendars
    from oncall.adapters.calendars import CalendarKey, HolidayCalendars
    from oncall.config.models.owners import HolidaysSpec
    from oncall.domain.ownership import Responder
    from oncall.domain.people import Availability
    from oncall.domain.rotation import Shift
    from oncall.reports.common import DayOffOut
    from oncall.reports.roster import (
        NotStartedOut,
        OnCallOut,
        OwnersReport,
        PipelineWhoOut,
        WhoReport,
    )

__all__ = [
    "build_availability",
    "calendar_key",
    "compute_owners",
    "compute_responder",
    "compute_who",
    "day_offs",
    "default_calendars",
    "oncall_shift",
    "resolve_person",
    "resolve_pipeline",
    "resolve_rotation",
    "rotation_shifts",
]


# ---------------------------------------------------------------------------------------
# availability


def calendar_key(spec: HolidaysSpec) -> CalendarKey:
    from oncall.adapters.calendars import CalendarKey

    return CalendarKey(spec.country, spec.subdiv, tuple(spec.categories))


def default_calendars() -> CachedHolidayCalendars:
    from oncall.adapters.calendar_cache import CachedHolidayCalendars

    return CachedHolidayCalendars()


def build_availability(cfg: Config, calendars: HolidayCalendars | None = None) -> DaysOffTable:
    """Availability of every person from their calendar, company holidays and leave."""
    from oncall.adapters.calendars import calendar_for

    cals = calendars or default_calendars()
    by_key: dict[CalendarKey, YearCalendar] = {}
    per_person: dict[str, YearCalendar] = {}
    for pid in cfg.owners.people:
        spec = cfg.holidays_for(pid)
        if spec is None:
            continue
        key = calendar_key(spec)
        if key not in by_key:
            by_key[key] = _located_calendar(cfg, pid, calendar_for(cals, key))
        per_person[pid] = by_key[key]
    return DaysOffTable(per_person, cfg.company_holidays(), cfg.leave())


def _located_calendar(cfg: Config, person: str, fn: YearCalendar) -> YearCalendar:
    """Turn a bad country or subdivision into a located config error."""
    from oncall.errors import CalendarError

    def year(y: int) -> dict[date, object]:
        try:
            return dict(fn(y))
        except CalendarError as exc:
            loc = (
                ("people", person, "holidays")
                if cfg.owners.people[person].holidays is not None
                else ("team", "holidays")
            )
            raise ConfigError(
                [cfg.owners_marks.problem(loc, f"holiday calendar: {exc}; run oncall validate")]
            ) from None

    return year  # type: ignore[return-value]


def day_offs(items: Iterable[DayOff]) -> list[DayOffOut]:
    from oncall.reports.common import DayOffOut

    return [DayOffOut(date=d.date, name=d.name, kind=d.kind, estimated=d.estimated) for d in items]


# ---------------------------------------------------------------------------------------
# names


def _unknown(what: str, name: str, known: Iterable[str]) -> NotFoundError:
    ids = list(known)
    return NotFoundError(
        f"unknown {what} '{name}'{suggest(name, ids)}; known: {', '.join(sorted(ids))}"
    )


def resolve_pipeline(cfg: Config, pipeline: str) -> str:
    """The pipeline id, or NotFoundError with a did-you-mean."""
    if pipeline in cfg.owners.pipelines:
        return pipeline
    raise _unknown("pipeline", pipeline, cfg.owners.pipelines)


def resolve_person(cfg: Config, person: str) -> str:
    """The person id, or NotFoundError with a did-you-mean."""
    if person in cfg.owners.people:
        return person
    raise _unknown("person", person, cfg.owners.people)


def resolve_rotation(cfg: Config, rotation: str) -> str:
    if rotation in cfg.rotation.rotations:
        return rotation
    raise _unknown("rotation", rotation, cfg.rotation.rotations)


# ---------------------------------------------------------------------------------------
# who


class _Window:
    """One rotation's shifts over [lo, hi) (UTC), computed once: the shifts of any instant
    or span inside are found by bisection. ``compute_shifts`` gives a slice of one schedule
    computed from shift 0, so a slice of the window is what it computes for the span."""

    def __init__(self, cfg: Config, lo: datetime, hi: datetime, shifts: list[Shift]) -> None:
        self.cfg, self.lo, self.hi, self.shifts = cfg, lo, hi, shifts
        self.starts = [s.start.astimezone(UTC) for s in shifts]

    def covers(self, cfg: Config, lo: datetime, hi: datetime) -> bool:
        return self.cfg is cfg and self.lo <= lo and hi <= self.hi

    def between(self, lo: datetime, hi: datetime) -> list[Shift]:
        """The shifts and pieces overlapping [lo, hi) (UTC, lo < hi, inside the window):
        from the one holding ``lo`` (they are contiguous) to the last starting before ``hi``."""
        first = max(bisect.bisect_right(self.starts, lo) - 1, 0)
        return self.shifts[first : bisect.bisect_left(self.starts, hi)]


_WINDOW = timedelta(weeks=14)
"""How far ahead of the first question a window reaches: validate looks 12 weeks ahead,
``who`` asks for now and for the next handoff."""
_BEFORE = timedelta(weeks=4)
"""How far back a window starts: validate asks about the days off of the shift under way,
which began up to a shift (at most 14 days in most configs) before."""
_REACH = timedelta(weeks=26)
"""A question this close to the window widens it; one further away replaces it."""

_SHIFTS: weakref.WeakKeyDictionary[Availability, dict[tuple[int, str], _Window]] = (
    weakref.WeakKeyDictionary()
)
"""The shift windows computed so far for each live availability (one command's): every
pipeline of a rotation asks for the same shifts (``who``, validate's gaps and backups)."""


def rotation_shifts(
    cfg: Config, availability: Availability, rotation: str, start: datetime, end: datetime
) -> list[Shift]:
    """``compute_shifts`` for the rotation over [start, end), from the rotation's window
    (computed once per config, availability and 14 weeks or more)."""
    from oncall.domain.rotation import compute_shifts

    def computed(a: datetime, b: datetime) -> list[Shift]:
        spec, overrides = cfg.rotation_specs[rotation], cfg.overrides_for(rotation)
        return compute_shifts(spec, a, b, availability=availability, overrides=overrides)

    aware = all(t.tzinfo is not None and t.utcoffset() is not None for t in (start, end))
    if not aware or end.astimezone(UTC) <= start.astimezone(UTC):  # [] or its ValueError
        return computed(start, end)
    lo, hi = start.astimezone(UTC), end.astimezone(UTC)
    try:
        memo = _SHIFTS.setdefault(availability, {})
    except TypeError:  # an availability that takes no weak reference: no memo
        memo = {}
    window = memo.get((id(cfg), rotation))
    if window is None or not window.covers(cfg, lo, hi):
        try:
            want = _widened(window if window is not None and window.cfg is cfg else None, lo, hi)
        except OverflowError:  # no window fits between datetime.min and datetime.max
            return computed(start, end)
        window = memo[(id(cfg), rotation)] = _Window(cfg, *want, computed(*want))
    return window.between(lo, hi)


def _widened(old: _Window | None, lo: datetime, hi: datetime) -> tuple[datetime, datetime]:
    """The window to compute for [lo, hi): from 4 weeks before to at least 14 weeks after
    ``lo``, and the old window with it when that is near."""
    want = (lo - _BEFORE, max(hi, lo + _WINDOW))
    if old is not None and want[0] - _REACH < old.hi and old.lo - _REACH < want[1]:
        want = (min(want[0], old.lo), max(want[1], old.hi))
    return want


def oncall_shift(
    cfg: Config, availability: Availability, rotation: str, at: datetime
) -> Shift | None:
    """The rotation's shift at ``at`` (``shift_at``), from the rotation's window."""
    from oncall.domain.rotation import shift_at
    from oncall.domain.rotation_spec import TICK

    if at.tzinfo is None or at.utcoffset() is None:
        spec, overrides = cfg.rotation_specs[rotation], cfg.overrides_for(rotation)
        return shift_at(spec, at, availability=availability, overrides=overrides)  # raises
    try:
        found = rotation_shifts(cfg, availability, rotation, at, at + TICK)
    except OverflowError:
        spec, overrides = cfg.rotation_specs[rotation], cfg.overrides_for(rotation)
        return shift_at(spec, at, availability=availability, overrides=overrides)
    return found[0] if found else None


def compute_responder(
    cfg: Config, availability: Availability, pipeline: str, at: datetime
) -> tuple[Shift | None, Responder | None, list[str]]:
    """The on-call shift, responder and escalation chain of a pipeline at ``at``."""
    from oncall.domain.ownership import resolve_escalation, resolve_responder

    spec = cfg.owners.pipelines[pipeline]
    rotation = cfg.pipeline_rotation(pipeline)
    shift = oncall_shift(cfg, availability, rotation, at)
    responder = resolve_responder(
        oncall=shift.person if shift else None,
        primary=spec.primary,
        secondary=spec.secondary,
        members=_members_at(cfg, rotation, shift),
        at=at,
        availability=availability,
        timezones=cfg.timezones,
    )
    chain = resolve_escalation(
        responder=responder.person if responder else None,
        primary=spec.primary,
        secondary=spec.secondary,
        manager=cfg.owners.team.manager,
        at=at,
        availability=availability,
        timezones=cfg.timezones,
    )
    return shift, responder, chain


def _members_at(cfg: Config, rotation: str, shift: Shift | None) -> tuple[str, ...]:
    """The members taking turns at ``shift`` (its roster phase's), or everyone."""
    from oncall.domain.rotation import members_for_shift

    spec = cfg.rotation_specs[rotation]
    return members_for_shift(spec, shift.index) if shift is not None else spec.members


def compute_who(
    cfg: Config,
    availability: Availability,
    at: datetime,
    *,
    pipeline: str | None = None,
    rotation: str | None = None,
) -> WhoReport:
    from oncall.domain.rotation import shift_start
    from oncall.reports.roster import NotStartedOut, WhoReport

    if pipeline is not None:
        pipeline = resolve_pipeline(cfg, pipeline)
    if rotation is not None:
        rotation = resolve_rotation(cfg, rotation)
    wanted = [rotation] if rotation else list(cfg.rotation.rotations)
    if pipeline is not None and rotation is None:
        wanted = [cfg.pipeline_rotation(pipeline)]
    oncall: list[OnCallOut] = []
    not_started: list[NotStartedOut] = []
    for rid in wanted:
        shift = oncall_shift(cfg, availability, rid, at)
        if shift is None:
            not_started.append(
                NotStartedOut(rotation=rid, starts=shift_start(cfg.rotation_specs[rid], 0))
            )
            continue
        oncall.append(_oncall_out(cfg, availability, rid, shift, at))
    return WhoReport(
        at=at.astimezone(cfg.team_tz),
        timezone=str(cfg.team_tz),
        oncall=oncall,
        not_started=not_started,
        pipeline=_pipeline_out(cfg, availability, pipeline, at) if pipeline else None,
    )


def _oncall_out(
    cfg: Config, availability: Availability, rid: str, shift: Shift, at: datetime
) -> OnCallOut:
    from oncall.reports.roster import OnCallOut

    ptz = cfg.person_tz(shift.person)
    off = availability.days_off(shift.person, at.astimezone(ptz).date())
    backups: dict[str, str] = {}
    if off:
        for pid in cfg.owners.pipelines:
            if cfg.pipeline_rotation(pid) != rid:
                continue
            _, responder, _ = compute_responder(cfg, availability, pid, at)
            if responder is not None:
                backups[pid] = responder.person
    return OnCallOut(
        rotation=rid,
        person=shift.person,
        name=cfg.person_name(shift.person),
        reason=shift.reason,
        shift_start=shift.start,
        shift_end=shift.end,
        available=not off,
        timezone=str(cfg.rotation_tz(rid)),
        person_timezone=str(ptz),
        shift_start_local=shift.start.astimezone(ptz),
        shift_end_local=shift.end.astimezone(ptz),
        swapped_with=shift.swapped_with,
        swap_cause_person=shift.swap_cause_person,
        swap_cause=day_offs(shift.swap_cause),
        override_reason=shift.override_reason,
        unavailable=day_offs(off),
        backups=backups,
        next_person=_next_holder(cfg, availability, rid, shift),
    )


def _next_holder(cfg: Config, availability: Availability, rid: str, shift: Shift) -> str | None:
    following = oncall_shift(cfg, availability, rid, shift.end)
    return following.person if following is not None else None


def _pipeline_out(
    cfg: Config, availability: Availability, pipeline: str, at: datetime
) -> PipelineWhoOut:
    from oncall.domain.ownership import resolve_escalation_skipped
    from oncall.reports.roster import PipelineWhoOut, SkippedOut

    spec = cfg.owners.pipelines[pipeline]
    shift, responder, chain = compute_responder(cfg, availability, pipeline, at)
    skipped = resolve_escalation_skipped(
        chain,
        primary=spec.primary,
        secondary=spec.secondary,
        at=at,
        availability=availability,
        timezones=cfg.timezones,
    )
    return PipelineWhoOut(
        id=pipeline,
        name=spec.name,
        primary=spec.primary,
        secondary=spec.secondary,
        rotation=cfg.pipeline_rotation(pipeline),
        oncall=shift.person if shift else None,
        responder=responder.person if responder else None,
        responder_reason=responder.reason if responder else None,
        responder_unavailable=day_offs(responder.unavailable) if responder else [],
        escalation=chain,
        skipped=[
            SkippedOut(person=p, reason=f"off: {'; '.join(d.label() for d in off)}")
            for p, off in skipped
        ],
    )


# ---------------------------------------------------------------------------------------
# owners


def compute_owners(cfg: Config, pipeline: str | None = None) -> OwnersReport:
    """The ownership table: every pipeline, or only ``pipeline``."""
    from oncall.reports.roster import OwnerRow, OwnersReport

    if pipeline is not None:
        pipeline = resolve_pipeline(cfg, pipeline)
    rows = [
        OwnerRow(
            id=pid,
            name=spec.name,
            family=spec.family,
            purpose=spec.purpose,
            primary=spec.primary,
            secondary=spec.secondary,
            rotation=cfg.pipeline_rotation(pid),
            runbook=spec.runbook,
        )
        for pid, spec in cfg.owners.pipelines.items()
        if pipeline is None or pid == pipeline
    ]
    return OwnersReport(pipelines=rows)
