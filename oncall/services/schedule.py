"""Schedule: shifts over a window with notes and stats, and the gaps nobody covers.

Time is an argument: the window and ``now`` come from the caller.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from oncall.config import Config, aware_in
from oncall.domain.people import Availability, DayOff, describe_days
from oncall.errors import Problem, Severity
from oncall.services.roster import (
    build_availability,
    calendar_key,
    day_offs,
    default_calendars,
    oncall_shift,
    resolve_person,
    resolve_rotation,
    rotation_shifts,
)

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from oncall.adapters.calendars import CalendarKey, HolidayCalendars
    from oncall.config.marks import Marks
    from oncall.config.models.owners import HolidaysSpec
    from oncall.domain.rotation import RotationSpec, Shift
    from oncall.reports.schedule import (
        RotationScheduleOut,
        ScheduleReport,
        ShiftOut,
        StatsOut,
    )

__all__ = [
    "calendar_range_problems",
    "compute_schedule",
    "consecutive_problems",
    "coverage_warnings",
    "current_shift_start",
    "gap_problem",
    "override_conflict_problems",
    "shift_notes",
    "upcoming_gap_problems",
]


def current_shift_start(
    cfg: Config, availability: Availability, rotation: str | None, now: datetime
) -> datetime:
    """Start of the shift holding ``now`` in ``rotation`` (default: the first), else ``now``."""
    rid = rotation or next(iter(cfg.rotation.rotations))
    if rid not in cfg.rotation_specs:
        resolve_rotation(cfg, rid)
    current = oncall_shift(cfg, availability, rid, now)
    return current.start if current else now


def coverage_warnings(
    cfg: Config, calendars: HolidayCalendars, start: datetime, end: datetime
) -> list[str]:
    """One warning per calendar whose holiday data may be incomplete in the window."""
    from oncall.adapters.calendar_cache import CachedHolidayCalendars

    if not isinstance(calendars, CachedHolidayCalendars):
        return []
    years = range(start.year, end.year + 1)
    out: list[str] = []
    seen: set[CalendarKey] = set()
    specs = [cfg.owners.team.holidays] + [cfg.holidays_for(pid) for pid in cfg.owners.people]
    for spec in specs:  # the team calendar too, even when everyone has their own
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


def shift_notes(shift: Shift, *, swaps_enabled: bool = True) -> list[str]:
    """Plain-language notes: swaps (with whom, which holiday), overrides, holidays worked.

    ``swaps_enabled`` False (``holiday_swap.enabled: false``): a holder's day off is noted as
    such, not as a conflict nobody could take."""
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
    if shift.locked is not None:
        notes.append(f"locked ({shift.locked})")
    if shift.reason == "override":
        notes.append(
            f"override: {shift.person} replaces {shift.overridden or '?'}"
            + (f" ({shift.override_reason})" if shift.override_reason else "")
        )
    if shift.conflicts:
        days = describe_days(shift.conflicts)
        if shift.unresolved and not swaps_enabled and shift.locked is None:
            notes.append(f"{shift.person} is off {days} (holiday swaps are off for this rotation)")
        elif shift.unresolved:
            notes.append(f"conflict nobody could take: {shift.person} is off {days}")
        else:
            notes.append(f"{shift.person} works a day off: {days}")
    return notes


def _rotation_out(
    cfg: Config, rid: str, spec: RotationSpec, shifts: list[Shift]
) -> RotationScheduleOut:
    """One rotation's shifts as report rows (``ShiftOut`` typed dicts), validated in one call
    with the rotation; names are looked up once."""
    from oncall.reports.schedule import RotationScheduleOut

    names: dict[str, str] = {}
    rows: list[ShiftOut] = []
    swaps_enabled = spec.swap_enabled
    for shift in shifts:
        name = names.get(shift.person)
        if name is None:
            name = names[shift.person] = cfg.person_name(shift.person)
        rows.append(
            {
                "start": shift.start,
                "end": shift.end,
                "person": shift.person,
                "reason": shift.reason,
                "conflicts": day_offs(shift.conflicts) if shift.conflicts else [],
                "index": shift.index,
                "name": name,
                "swapped_with": shift.swapped_with,
                "swap_cause_person": shift.swap_cause_person,
                "swap_cause": day_offs(shift.swap_cause) if shift.swap_cause else [],
                "override_reason": shift.override_reason,
                "overridden": shift.overridden,
                "unresolved": shift.unresolved,
                "notes": shift_notes(shift, swaps_enabled=swaps_enabled) if _noted(shift) else [],
            }
        )
    return RotationScheduleOut.model_validate(
        {"rotation": rid, "timezone": str(spec.tz), "shifts": rows}
    )


def _noted(shift: Shift) -> bool:
    """Whether ``shift_notes`` has anything to say (most shifts: nothing)."""
    return bool(
        shift.swapped_with is not None
        or shift.locked is not None
        or shift.reason == "override"
        or shift.conflicts
    )


def _stats_out(
    rid: str,
    shifts: list[Shift],
    availability: Availability,
    cfg: Config,
    window: tuple[datetime, datetime],
) -> StatsOut:
    from oncall.domain.stats import compute_stats
    from oncall.reports.schedule import PersonStatsOut, StatsOut

    spec = cfg.rotation_specs[rid]
    start, end = window
    st = compute_stats(
        shifts,
        availability=availability,
        members=spec.members,
        between=(start.astimezone(spec.tz).date(), end.astimezone(spec.tz).date()),
    )
    return StatsOut(
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
                longest_run_days=p.longest_run,
                back_to_back=p.back_to_back,
            )
            for p in st.people
        ],
        spread_days=st.spread,
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
) -> ScheduleReport:
    """Shifts overlapping [start, end) per rotation, with notes and optional fairness stats.

    A long window makes tens of thousands of small objects without cycles: the cycle
    collector is paused meanwhile (``collector_paused``)."""
    from oncall.adapters.collector import collector_paused

    with collector_paused():
        return _compute_schedule(
            cfg, availability, (start, end), rotation, person, stats, calendars
        )


def _compute_schedule(
    cfg: Config,
    availability: Availability,
    window: tuple[datetime, datetime],
    rotation: str | None,
    person: str | None,
    stats: bool,
    calendars: HolidayCalendars | None,
) -> ScheduleReport:
    from oncall.domain.rotation import compute_shifts
    from oncall.reports.schedule import ScheduleReport

    start, end = window
    if rotation is not None:
        rotation = resolve_rotation(cfg, rotation)
    if person is not None:
        person = resolve_person(cfg, person)
    rotations: list[RotationScheduleOut] = []
    stats_out: list[StatsOut] = []
    for rid, spec in cfg.rotation_specs.items():
        if rotation is not None and rid != rotation:
            continue
        shifts = compute_shifts(
            spec, start, end, availability=availability, overrides=cfg.overrides_for(rid)
        )
        if stats:
            stats_out.append(_stats_out(rid, shifts, availability, cfg, (start, end)))
        if person is not None:
            shifts = [s for s in shifts if s.person == person]
        rotations.append(_rotation_out(cfg, rid, spec, shifts))
    warnings = coverage_warnings(cfg, calendars, start, end) if calendars is not None else []
    if (
        person is not None
        and not any(person in spec.members for spec in cfg.rotation_specs.values())
        and not any(ov.person == person for ov in cfg.rotation.overrides)
    ):
        warnings.insert(0, f"{person} is in no rotation, so holds no shifts")
    return ScheduleReport(
        start=start,
        end=end,
        rotations=rotations,
        stats=stats_out if stats else None,
        warnings=warnings,
    )


# ---------------------------------------------------------------------------------------
# problems ``oncall validate`` reports about the coming weeks


def upcoming_gap_problems(
    cfg: Config, now: datetime, weeks: int = 12, *, availability: Availability | None = None
) -> list[Problem]:
    """Conflicts nobody could swap in the next ``weeks``.

    Warnings for holidays, errors for leave (a person on leave with no cover is a gap).
    """
    availability = availability or build_availability(cfg)
    problems: list[Problem] = []
    end = now + timedelta(weeks=weeks)
    for rid in cfg.rotation_specs:
        for shift in rotation_shifts(cfg, availability, rid, now, end):
            if shift.reason == "override" or not shift.conflicts or shift.locked is not None:
                continue  # locked shifts: lock_problems reports them over the whole lock
            problems.append(gap_problem(cfg, rid, shift, availability))
    problems.extend(override_conflict_problems(cfg, availability, now, end))
    return problems


def gap_problem(
    cfg: Config,
    rid: str,
    shift: Shift,
    availability: Availability,
    *,
    at: tuple[Marks, tuple[str | int, ...], str] | None = None,
) -> Problem:
    """A conflict nobody could swap (or a locked holder now off), with the override to fix it.

    Located at the rotation in rotation.yaml, or ``at`` (marks, location and its label: a
    locked shift's entry in schedule.lock.yaml, whose holder is the one off)."""
    from oncall.domain.rotation import members_for_shift
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
    members = members_for_shift(cfg.rotation_specs[rid], shift.index)
    swaps_on = cfg.rotation.rotations[rid].holiday_swap.enabled
    why = "no member could swap" if swaps_on else "holiday swaps are off for this rotation"
    if shift.locked is not None:
        why = "the shift is locked (schedule.lock.yaml), so no swap moves it"
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
            f"it{_backups(cfg, availability, rid, first, ptz)}. To give it to someone else, "
            "add an override, e.g. "
        )
    suggestion = (
        f'{{rotation: {rid}, start: "{start:%Y-%m-%dT%H:%M}", end: "{end:%Y-%m-%dT%H:%M}", '
        "person: <who covers>, reason: cover}"
    )
    marks, loc, label = at or (cfg.rotation_marks, ("rotations", rid), f"rotations.{rid}")
    return marks.problem(
        loc,
        f"{label}: shift {shift.start:%Y-%m-%d} to {shift.end:%Y-%m-%d}: {text}{suggestion}",
        severity=Severity.error if leave else Severity.warning,
    )


def consecutive_problems(
    cfg: Config, now: datetime, weeks: int = 12, *, availability: Availability | None = None
) -> list[Problem]:
    """Warnings where someone is on call longer in a row than ``max_consecutive_days``."""
    from oncall.domain.stats import duty_runs

    problems: list[Problem] = []
    end = now + timedelta(weeks=weeks)
    for rid in cfg.rotation_specs:
        limit = cfg.rotation.rotations[rid].max_consecutive_days
        if limit is None:
            continue
        availability = availability or build_availability(cfg)
        shifts = rotation_shifts(cfg, availability, rid, now, end)
        for run in duty_runs(shifts, longer_than=limit):
            held = [
                s
                for s in shifts
                if s.person == run.person and any(run.first <= d <= run.last for d in s.duty_dates)
            ]
            names = ", ".join(f"{s.start:%Y-%m-%d %H:%M} to {s.end:%Y-%m-%d %H:%M}" for s in held)
            problems.append(
                cfg.rotation_marks.problem(
                    ("rotations", rid, "max_consecutive_days"),
                    f"rotations.{rid}: {run.person} is on call {run.days} days in a row "
                    f"({run.first} to {run.last}), more than max_consecutive_days "
                    f"({limit}): shifts {names}. Add an override to break the run, or raise "
                    "the limit",
                    severity=Severity.warning,
                )
            )
    return problems


def _backups(cfg: Config, availability: Availability, rid: str, day: date, tz: ZoneInfo) -> str:
    """`` (pipeline backups that day: p1 -> de3, ...)``: who responds while the holder is off."""
    from oncall.services.roster import compute_responder

    noon = datetime.combine(day, time(12, 0), tzinfo=tz)
    found: list[str] = []
    for pid in cfg.rotation_pipelines.get(rid, ()):
        _, responder, _ = compute_responder(cfg, availability, pid, noon)
        if responder is not None and responder.reason != "oncall":
            found.append(f"{pid} -> {responder.person}")
    return f" (backups that day: {', '.join(found)})" if found else ""


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
                    severity=Severity.warning,
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
            problems.append(cfg.owners_marks.problem(loc, message, severity=Severity.warning))
    return problems
