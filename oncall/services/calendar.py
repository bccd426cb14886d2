"""Calendar export: the schedule as RFC 5545 files, one per person and one per rotation."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from pathlib import Path

from oncall.config import Config
from oncall.errors import UsageError
from oncall.reports.calendar import CalendarExportReport, CalendarFileOut
from oncall.reports.schedule import RotationScheduleOut, ScheduleReport
from oncall.services.roster import build_availability, default_calendars
from oncall.services.schedule import compute_schedule

__all__ = [
    "AHEAD_WEEKS",
    "BACK_WEEKS",
    "default_export_start",
    "export_calendars",
    "render_schedule_ics",
]

BACK_WEEKS = 4
AHEAD_WEEKS = 26
_FILE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_OURS = re.compile(r"^(person|rotation)-.+\.ics$")


def render_schedule_ics(report: ScheduleReport, *, person: str | None, now: datetime) -> bytes:
    """The schedule as one calendar (``oncall schedule --format ics``)."""
    from oncall.adapters.ics import render_ics

    who = f" - {person}" if person else ""
    return render_ics(report.rotations, name=f"On call{who}", generated=now)


def default_export_start(cfg: Config, now: datetime) -> datetime:
    """Midnight (team timezone) ``BACK_WEEKS`` before ``now``."""
    from oncall.domain.timeutil import resolve_wall_time

    tz = cfg.team_tz
    first = now.astimezone(tz).date() - timedelta(weeks=BACK_WEEKS)
    return resolve_wall_time(first, time(0, 0), tz)


def export_calendars(
    cfg: Config, directory: Path, start: datetime, end: datetime, *, now: datetime
) -> tuple[CalendarExportReport, list[str]]:
    """Write ``directory/person-<id>.ics`` and ``directory/rotation-<id>.ics`` atomically.

    Returns the report and the warnings to show: the schedule's (holiday data that may be
    incomplete), then one per person-/rotation- file this export did not write.
    """
    from oncall.adapters.files import atomic_write
    from oncall.adapters.ics import render_ics

    if directory.exists() and not directory.is_dir():
        raise UsageError(f"{directory} exists and is not a directory")
    for rid in cfg.rotation.rotations:
        if not _FILE_ID.match(rid):
            raise UsageError(
                f"rotation id '{rid}' cannot be part of a file name: use letters, digits, "
                "'.', '-' and '_' in rotations of rotation.yaml"
            )
    calendars = default_calendars()
    availability = build_availability(cfg, calendars)
    schedule = compute_schedule(cfg, availability, start, end, calendars=calendars)
    out = CalendarExportReport(
        directory=str(directory), start=start, end=end, generated=now.astimezone(cfg.team_tz)
    )
    outputs: list[tuple[str, str, str, list[RotationScheduleOut]]] = []
    for pid in _people(cfg, schedule.rotations):
        mine = _only(schedule.rotations, pid)
        outputs.append(("person", pid, f"On call - {pid}", mine))
    for rot in schedule.rotations:
        outputs.append(("rotation", rot.rotation, f"On call - rotation {rot.rotation}", [rot]))
    for kind, ident, title, rotations in outputs:
        path = directory / f"{kind}-{ident}.ics"
        atomic_write(path, render_ics(rotations, name=title, generated=now))
        events = sum(len(r.shifts) for r in rotations)
        out.files.append(CalendarFileOut(path=str(path), kind=kind, id=ident, events=events))
    written = {Path(f.path).name for f in out.files}
    out.stale = sorted(
        str(p) for p in directory.iterdir() if _OURS.match(p.name) and p.name not in written
    )
    warnings = [
        *schedule.warnings,
        *(
            f"{stale} was not written by this export (delete it if it is stale)"
            for stale in out.stale
        ),
    ]
    return out, warnings


def _people(cfg: Config, rotations: list[RotationScheduleOut]) -> list[str]:
    """Rotation members and anyone holding a shift (overrides), in owners.yaml order."""
    wanted = {m for rid in cfg.rotation.rotations for m in cfg.rotation_members(rid)}
    wanted |= {s["person"] for r in rotations for s in r.shifts}
    return [pid for pid in cfg.owners.people if pid in wanted]


def _only(rotations: list[RotationScheduleOut], person: str) -> list[RotationScheduleOut]:
    return [
        RotationScheduleOut(
            rotation=r.rotation,
            timezone=r.timezone,
            shifts=[s for s in r.shifts if s["person"] == person],
        )
        for r in rotations
    ]
