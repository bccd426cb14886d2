"""Wiring: config and adapters in, domain calls out. The only place the two meet."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from oncall.config import Config, aware_in, load_config
from oncall.domain.people import Availability, DayOff, DaysOffTable, YearCalendar
from oncall.errors import ConfigError, NotFoundError, Problem
from oncall.reports import (
    DayOffOut,
    NotStartedOut,
    OnCallOut,
    PersonStatsOut,
    PipelineWhoOut,
    RotationScheduleOut,
    ScheduleReport,
    ShiftOut,
    StatsOut,
    WhoReport,
)

if TYPE_CHECKING:
    from oncall.adapters.calendars import CachedHolidayCalendars, CalendarKey, HolidayCalendars
    from oncall.config_models import HolidaysSpec
    from oncall.domain.ownership import Responder
    from oncall.domain.rotation import Shift


def calendar_key(spec: HolidaysSpec) -> CalendarKey:
    from oncall.adapters.calendars import CalendarKey

    return CalendarKey(spec.country, spec.subdiv, tuple(spec.categories))


def default_calendars() -> CachedHolidayCalendars:
    from oncall.adapters.calendars import CachedHolidayCalendars

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

    from oncall.adapters.calendars import CalendarError

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


def collect_problems(
    directory: Path | None,
    *,
    now_text: str | None,
    resolve_now: Callable[[str | None, ZoneInfo], datetime],
) -> list[Problem]:
    """Everything ``oncall validate`` reports: errors and warnings across all files."""
    try:
        cfg = load_config(directory)
    except ConfigError as exc:
        return exc.problems
    problems: list[Problem] = list(cfg.warnings)
    problems.extend(runbook_problems(cfg))
    problems.extend(_paging_problems(cfg))
    now = resolve_now(now_text, cfg.team_tz)
    problems.extend(calendar_range_problems(cfg, now))
    problems.extend(upcoming_gap_problems(cfg, now))
    return problems


def runbook_problems(cfg: Config) -> list[Problem]:
    """Every runbook file and config/state.yaml, strictly, with each runbook's source."""
    from oncall.runbooks import check_source, list_runbooks, load_state_sources

    problems: list[Problem] = []
    sources = None
    try:
        sources = load_state_sources(cfg)
    except ConfigError as exc:
        problems.extend(exc.problems)
    try:
        loaded = list_runbooks(cfg)
    except ConfigError as exc:
        problems.extend(exc.problems)
        loaded = []
    for runbook in loaded:
        if sources is None:
            continue
        try:
            check_source(runbook, sources)
        except ConfigError as exc:
            problems.extend(exc.problems)
    return problems


def _paging_problems(cfg: Config) -> list[Problem]:
    """``config/paging.yaml``: located errors, and warnings for secrets not set here."""
    from oncall.paging_service import paging_problems

    return paging_problems(cfg)


def upcoming_gap_problems(cfg: Config, now: datetime, weeks: int = 12) -> list[Problem]:
    """Conflicts nobody could swap in the next ``weeks``.

    Warnings for holidays, errors for leave (a person on leave with no cover is a gap).
    """
    from oncall.domain.rotation import compute_shifts

    availability = build_availability(cfg)
    problems: list[Problem] = []
    end = now + timedelta(weeks=weeks)
    for rid, spec in cfg.rotation_specs.items():
        shifts = compute_shifts(
            spec, now, end, availability=availability, overrides=cfg.overrides_for(rid)
        )
        for shift in shifts:
            if shift.reason == "override" or not shift.conflicts:
                continue
            problems.append(_gap_problem(cfg, rid, shift, availability))
    problems.extend(override_conflict_problems(cfg, availability, now, end))
    return problems


def _gap_problem(cfg: Config, rid: str, shift: Shift, availability: Availability) -> Problem:
    from oncall.domain.timeutil import resolve_wall_time

    leave = [c for c in shift.conflicts if c.kind == "leave"]
    days_off = leave or list(shift.conflicts)
    days = describe_days(days_off)
    # Days off are dates in the holder's own timezone: cover them from midnight to midnight
    # there, within the shift, shown in the rotation's timezone.
    ptz, rtz = cfg.person_tz(shift.person), cfg.rotation_tz(rid)
    first = min(d.date for d in days_off)
    last = max(d.date for d in days_off)
    start = max(shift.start, resolve_wall_time(first, time(0, 0), ptz)).astimezone(rtz)
    end = min(shift.end, resolve_wall_time(last + timedelta(days=1), time(0, 0), ptz))
    end = end.astimezone(rtz)
    members = cfg.rotation.rotations[rid].members
    swaps_on = cfg.rotation.rotations[rid].holiday_swap.enabled
    why = "no member could swap" if swaps_on else "holiday swaps are off for this rotation"
    team_wide = not leave and all(
        availability.days_off(m, d.date) for m in members for d in days_off
    )
    if leave:
        text = (
            f"{shift.person} is on leave during their shift ({days}) and {why}: they stay on "
            "call, and each pipeline's backup responds for them. To hand the days over, add "
            "an override in rotation.yaml, e.g. "
        )
    elif team_wide:
        text = (
            f"everyone in the rotation is off on {days} (a team-wide holiday): "
            f"{shift.person} stays on call. If someone else should cover, add an override, e.g. "
        )
    else:
        text = (
            f"{shift.person} has a holiday during their shift ({days}) and {why}, so they work "
            "it. To give it to someone else, add an override, e.g. "
        )
    suggestion = (
        f'{{rotation: {rid}, start: "{start:%Y-%m-%dT%H:%M}", end: "{end:%Y-%m-%dT%H:%M}", '
        "person: <who covers>, reason: cover}"
    )
    return cfg.rotation_marks.problem(
        ("rotations", rid),
        f"rotations.{rid}: shift {shift.start:%Y-%m-%d} to {shift.end:%Y-%m-%d}: {text}"
        f"{suggestion}",
        severity="error" if leave else "warning",
    )


def override_conflict_problems(
    cfg: Config, availability: Availability, now: datetime, end: datetime
) -> list[Problem]:
    """Warnings for upcoming overrides that give a shift to someone who is off then."""
    problems: list[Problem] = []
    for i, entry in enumerate(cfg.rotation.overrides):
        if entry.rotation not in cfg.rotation.rotations:
            continue
        tz = cfg.rotation_tz(entry.rotation)
        start, stop = aware_in(entry.start, tz), aware_in(entry.end, tz)
        if stop <= now or start >= end:
            continue
        ptz = cfg.person_tz(entry.person)
        day = start.astimezone(ptz).date()
        last = (stop.astimezone(ptz) - timedelta(microseconds=1)).date()
        off: list[DayOff] = []
        while day <= last:
            off.extend(availability.days_off(entry.person, day))
            day += timedelta(days=1)
        if off:
            problems.append(
                cfg.rotation_marks.problem(
                    ("overrides", i, "person"),
                    f"overrides[{i}]: {entry.person} covers {start:%Y-%m-%d %H:%M} to "
                    f"{stop:%Y-%m-%d %H:%M} but is off then ({describe_days(off)}): "
                    "pick someone who is available, or keep it if they agreed",
                    severity="warning",
                )
            )
    return problems


def calendar_range_problems(cfg: Config, now: datetime, weeks: int = 12) -> list[Problem]:
    """Warnings when the next ``weeks`` reach past the years a holiday calendar supports."""
    calendars = default_calendars()
    end = now + timedelta(weeks=weeks)
    problems: list[Problem] = []
    entries: list[tuple[tuple[str | int, ...], HolidaysSpec]] = []
    if cfg.owners.team.holidays is not None:
        entries.append((("team", "holidays"), cfg.owners.team.holidays))
    for pid, person in cfg.owners.people.items():
        if person.holidays is not None:
            entries.append((("people", pid, "holidays"), person.holidays))
    seen: set[CalendarKey] = set()
    for loc, spec in entries:
        key = calendar_key(spec)
        if key in seen:
            continue
        seen.add(key)
        message = calendars.coverage_warning(key, range(now.year, end.year + 1))
        if message:
            problems.append(cfg.owners_marks.problem(loc, message, severity="warning"))
    return problems


# ---------------------------------------------------------------------------------------
# who


def _dayoffs(items: Iterable[DayOff]) -> list[DayOffOut]:
    return [DayOffOut(date=d.date, name=d.name, kind=d.kind, estimated=d.estimated) for d in items]


def resolve_pipeline(cfg: Config, pipeline: str) -> str:
    """The pipeline id, or NotFoundError with a did-you-mean."""
    if pipeline in cfg.owners.pipelines:
        return pipeline
    guess = difflib.get_close_matches(pipeline, list(cfg.owners.pipelines), n=1)
    hint = f" (did you mean '{guess[0]}'?)" if guess else ""
    raise NotFoundError(
        f"unknown pipeline '{pipeline}'{hint}; known: {', '.join(sorted(cfg.owners.pipelines))}"
    )


def resolve_rotation(cfg: Config, rotation: str) -> str:
    if rotation in cfg.rotation.rotations:
        return rotation
    raise NotFoundError(
        f"unknown rotation '{rotation}'; known: {', '.join(sorted(cfg.rotation.rotations))}"
    )


def oncall_shift(
    cfg: Config, availability: Availability, rotation: str, at: datetime
) -> Shift | None:
    from oncall.domain.rotation import shift_at

    return shift_at(
        cfg.rotation_specs[rotation],
        at,
        availability=availability,
        overrides=cfg.overrides_for(rotation),
    )


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
        members=cfg.rotation.rotations[rotation].members,
        at=at,
        availability=availability,
        timezones=cfg.timezones,
    )
    first = responder.person if responder else None
    if first is None:
        chain = [
            p
            for p in dict.fromkeys((spec.primary, spec.secondary))
            if not availability.days_off(p, at.astimezone(cfg.person_tz(p)).date())
        ]
        if cfg.owners.team.manager and cfg.owners.team.manager not in chain:
            chain.append(cfg.owners.team.manager)
        return shift, None, chain
    chain = resolve_escalation(
        responder=first,
        primary=spec.primary,
        secondary=spec.secondary,
        manager=cfg.owners.team.manager,
        at=at,
        availability=availability,
        timezones=cfg.timezones,
    )
    return shift, responder, chain


def compute_who(
    cfg: Config,
    availability: Availability,
    at: datetime,
    *,
    pipeline: str | None = None,
    rotation: str | None = None,
) -> WhoReport:
    from oncall.domain.rotation import shift_start

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
        oncall.append(
            OnCallOut(
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
                swap_cause=_dayoffs(shift.swap_cause),
                override_reason=shift.override_reason,
                unavailable=_dayoffs(off),
                backups=backups,
            )
        )
    pipeline_out = None
    if pipeline is not None:
        spec = cfg.owners.pipelines[pipeline]
        shift, responder, chain = compute_responder(cfg, availability, pipeline, at)
        pipeline_out = PipelineWhoOut(
            id=pipeline,
            name=spec.name,
            primary=spec.primary,
            secondary=spec.secondary,
            rotation=cfg.pipeline_rotation(pipeline),
            oncall=shift.person if shift else None,
            responder=responder.person if responder else None,
            responder_reason=responder.reason if responder else None,
            responder_unavailable=_dayoffs(responder.unavailable) if responder else [],
            escalation=chain,
        )
    return WhoReport(
        at=at.astimezone(cfg.team_tz),
        timezone=str(cfg.team_tz),
        oncall=oncall,
        not_started=not_started,
        pipeline=pipeline_out,
    )


# ---------------------------------------------------------------------------------------
# schedule


def coverage_warnings(
    cfg: Config, calendars: HolidayCalendars, start: datetime, end: datetime
) -> list[str]:
    """One warning per calendar whose holiday data may be incomplete in the window."""
    from oncall.adapters.calendars import CachedHolidayCalendars

    if not isinstance(calendars, CachedHolidayCalendars):
        return []
    years = range(start.year, end.year + 1)
    out: list[str] = []
    seen: set[CalendarKey] = set()
    for pid in cfg.owners.people:
        spec = cfg.holidays_for(pid)
        if spec is None:
            continue
        key = calendar_key(spec)
        if key in seen:
            continue
        seen.add(key)
        message = calendars.coverage_warning(key, years)
        if message:
            out.append(message)
    return out


def describe_days(days: Iterable[DayOff]) -> str:
    """``2026-12-14..16 leave: family event, 2026-12-25 Christmas``: runs of dates collapsed."""
    groups: dict[str, list[date]] = {}
    for d in days:
        groups.setdefault(d.label(), []).append(d.date)
    parts: list[tuple[date, str]] = []
    for label, found in groups.items():
        ordered: list[date | None] = [*sorted(set(found)), None]
        first = ordered[0]
        assert first is not None
        run_start = prev = first
        for day in ordered[1:]:
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


def shift_notes(cfg: Config, shift: Shift) -> list[str]:
    """Plain-language notes: swaps (with whom, which holiday), overrides, holidays worked."""
    notes: list[str] = []
    if shift.swapped_with is not None:
        cause = describe_days(shift.swap_cause)
        holder = shift.overridden if shift.reason == "override" else shift.person
        if shift.swap_cause_person == holder:
            notes.append(
                f"swapped with {shift.swapped_with} ({holder} is off {cause} in the other shift)"
            )
        else:
            notes.append(f"swapped with {shift.swapped_with} ({shift.swapped_with} is off {cause})")
    if shift.reason == "override":
        notes.append(
            f"override: {shift.person} replaces {shift.overridden or '?'}"
            + (f" ({shift.override_reason})" if shift.override_reason else "")
        )
    if shift.conflicts:
        days = describe_days(shift.conflicts)
        if shift.unresolved:
            notes.append(f"conflict nobody could take: {shift.person} is off {days}")
        else:
            notes.append(f"{shift.person} works a day off: {days}")
    return notes


def _shift_out(cfg: Config, shift: Shift) -> ShiftOut:
    return ShiftOut(
        start=shift.start,
        end=shift.end,
        person=shift.person,
        reason=shift.reason,
        conflicts=_dayoffs(shift.conflicts),
        index=shift.index,
        name=cfg.person_name(shift.person),
        swapped_with=shift.swapped_with,
        swap_cause_person=shift.swap_cause_person,
        swap_cause=_dayoffs(shift.swap_cause),
        override_reason=shift.override_reason,
        overridden=shift.overridden,
        unresolved=shift.unresolved,
        notes=shift_notes(cfg, shift),
    )


def compute_schedule(
    cfg: Config,
    availability: Availability,
    start: datetime,
    end: datetime,
    *,
    rotation: str | None = None,
    person: str | None = None,
    stats: bool = False,
    calendars: HolidayCalendars | None = None,
) -> tuple[ScheduleReport, dict[str, list[Shift]]]:
    """Shifts overlapping [start, end) per rotation, with notes and optional fairness stats."""
    from oncall.domain.rotation import compute_shifts
    from oncall.domain.stats import compute_stats

    if rotation is not None:
        rotation = resolve_rotation(cfg, rotation)
    if person is not None and person not in cfg.owners.people:
        guess = difflib.get_close_matches(person, list(cfg.owners.people), n=1)
        hint = f" (did you mean '{guess[0]}'?)" if guess else ""
        raise NotFoundError(
            f"unknown person '{person}'{hint}; known: {', '.join(sorted(cfg.owners.people))}"
        )
    rotations: list[RotationScheduleOut] = []
    stats_out: list[StatsOut] = []
    raw: dict[str, list[Shift]] = {}
    for rid, spec in cfg.rotation_specs.items():
        if rotation is not None and rid != rotation:
            continue
        shifts = compute_shifts(
            spec, start, end, availability=availability, overrides=cfg.overrides_for(rid)
        )
        if stats:
            tz = spec.tz
            st = compute_stats(
                shifts,
                availability=availability,
                members=spec.members,
                between=(start.astimezone(tz).date(), end.astimezone(tz).date()),
            )
            stats_out.append(
                StatsOut(
                    rotation=rid,
                    people=[
                        PersonStatsOut(
                            person=p.person,
                            shifts=p.shifts,
                            oncall_days=p.oncall_days,
                            weekend_days=p.weekend_days,
                            holidays_worked=p.holiday_days_worked,
                            swaps_given=p.swaps_given,
                            swaps_taken=p.swaps_taken,
                        )
                        for p in st.people
                    ],
                    spread_days=st.spread,
                )
            )
        if person is not None:
            shifts = [s for s in shifts if s.person == person]
        raw[rid] = shifts
        rotations.append(
            RotationScheduleOut(
                rotation=rid,
                timezone=str(spec.tz),
                shifts=[_shift_out(cfg, s) for s in shifts],
            )
        )
    warnings = coverage_warnings(cfg, calendars, start, end) if calendars is not None else []
    report = ScheduleReport(
        start=start,
        end=end,
        rotations=rotations,
        stats=stats_out if stats else None,
        warnings=warnings,
    )
    return report, raw
