"""``oncall calendar export``: ICS files per person and per rotation, ready to publish."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from oncall.cli.common import JSON_HELP, get_config, resolve_now
from oncall.cli.output import terminal
from oncall.errors import UsageError

if TYPE_CHECKING:
    from oncall.config import Config
    from oncall.reports import RotationScheduleOut

BACK_WEEKS = 4
AHEAD_WEEKS = 26
_FILE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_OURS = re.compile(r"^(person|rotation)-.+\.ics$")

calendar_app = typer.Typer(
    name="calendar",
    no_args_is_help=True,
    rich_markup_mode=None,
    help="Calendars of the on-call schedule (ICS) to publish for subscription.",
)


@dataclass
class CalendarFileOut:
    path: str
    kind: str
    id: str
    events: int


@dataclass
class CalendarExportReport:
    directory: str
    start: datetime
    end: datetime
    generated: datetime
    files: list[CalendarFileOut] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)


@calendar_app.command("export")
def export(
    ctx: typer.Context,
    directory: Path = typer.Argument(..., metavar="DIR", help="Directory to write to."),
    from_: str | None = typer.Option(
        None,
        "--from",
        metavar="D",
        help=f"First date (midnight, team timezone). Default: {BACK_WEEKS} weeks ago.",
    ),
    weeks: int = typer.Option(
        BACK_WEEKS + AHEAD_WEEKS,
        "--weeks",
        metavar="N",
        min=1,
        max=520,
        help=f"Weeks covered from --from (default {BACK_WEEKS + AHEAD_WEEKS}: "
        f"{BACK_WEEKS} back, {AHEAD_WEEKS} ahead).",
    ),
    now: str | None = typer.Option(
        None, "--now", metavar="WHEN", help="Pretend it is this instant (ISO 8601)."
    ),
    json_: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Write DIR/person-<id>.ics and DIR/rotation-<id>.ics (RFC 5545).

    One calendar per rotation member and one per rotation, each written atomically, so a
    web server can publish DIR while it is refreshed. Event UIDs are stable across
    exports (rotation, shift number and start), so subscribed calendars update events in
    place instead of duplicating them; when a new override splits a shift, the pieces
    are new events. By default the window runs from 4 weeks ago to 26
    weeks ahead. Other files in DIR are left alone; person-/rotation- calendars this
    export did not write (a person who left) are reported as stale.

    Examples:

      oncall calendar export public/

      oncall calendar export public/ --from 2026-01-01 --weeks 52 --json
    """
    from oncall.domain.timeutil import parse_instant, resolve_wall_time
    from oncall.fileutil import atomic_write
    from oncall.ics import render_ics
    from oncall.service import build_availability, compute_schedule, default_calendars

    cfg = get_config(ctx)
    tz = cfg.team_tz
    clock = resolve_now(now, tz, option="--now")
    if from_ is not None:
        try:
            start = parse_instant(from_, tz)
        except ValueError as exc:
            raise UsageError(f"--from: {exc}") from None
    else:
        first = clock.astimezone(tz).date() - timedelta(weeks=BACK_WEEKS)
        start = resolve_wall_time(first, time(0, 0), tz)
    end = start + timedelta(weeks=weeks)
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
    report, _ = compute_schedule(cfg, availability, start, end, calendars=calendars)
    for warning in report.warnings:
        terminal.warn(warning)

    out = CalendarExportReport(
        directory=str(directory), start=start, end=end, generated=clock.astimezone(tz)
    )
    outputs: list[tuple[str, str, str, list[RotationScheduleOut]]] = []
    for pid in _people(cfg, report.rotations):
        mine = _only(report.rotations, pid)
        outputs.append(("person", pid, f"On call - {pid}", mine))
    for rot in report.rotations:
        outputs.append(("rotation", rot.rotation, f"On call - rotation {rot.rotation}", [rot]))
    for kind, ident, title, rotations in outputs:
        path = directory / f"{kind}-{ident}.ics"
        atomic_write(path, render_ics(rotations, name=title, generated=clock))
        events = sum(len(r.shifts) for r in rotations)
        out.files.append(CalendarFileOut(path=str(path), kind=kind, id=ident, events=events))
    written = {Path(f.path).name for f in out.files}
    out.stale = sorted(
        str(p) for p in directory.iterdir() if _OURS.match(p.name) and p.name not in written
    )
    for stale in out.stale:
        terminal.warn(f"{stale} was not written by this export (delete it if it is stale)")
    if json_:
        terminal.json(out)
        return
    title = f"{len(out.files)} calendars, shifts from {start:%Y-%m-%d} to {end:%Y-%m-%d}"
    terminal.table(
        ["File", "Kind", "Events"],
        [[Path(f.path).name, f.kind, str(f.events)] for f in out.files],
        title=title,
    )


def _people(cfg: Config, rotations: list[RotationScheduleOut]) -> list[str]:
    """Rotation members and anyone holding a shift (overrides), in owners.yaml order."""
    wanted = {m for r in cfg.rotation.rotations.values() for m in r.members}
    wanted |= {s.person for r in rotations for s in r.shifts}
    return [pid for pid in cfg.owners.people if pid in wanted]


def _only(rotations: list[RotationScheduleOut], person: str) -> list[RotationScheduleOut]:
    from oncall.reports import RotationScheduleOut

    return [
        RotationScheduleOut(
            rotation=r.rotation,
            timezone=r.timezone,
            shifts=[s for s in r.shifts if s.person == person],
        )
        for r in rotations
    ]


def register(app: typer.Typer) -> None:
    app.add_typer(calendar_app, name="calendar")
