"""``oncall schedule diff`` and ``oncall schedule lock``: see and control schedule changes."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import typer

from oncall.cli.common import get_config, parse_when, resolve_now
from oncall.cli.output import render_json, render_plain_table
from oncall.errors import UsageError

if TYPE_CHECKING:
    from oncall.config import Config
    from oncall.domain.people import Availability
    from oncall.reports.diff import ScheduleDiff
    from oncall.reports.lock import LockReport

__all__ = ["register_changes", "render_diff", "render_lock"]


def _window(
    cfg: Config,
    availability: Availability,
    rotation: str | None,
    from_: str | None,
    weeks: int | None,
    until: str | None,
    now: datetime,
) -> tuple[datetime, datetime]:
    from oncall.services.schedule import current_shift_start

    tz = cfg.team_tz
    if until is not None and weeks is not None:
        raise UsageError("--until and --weeks: give one of them")
    if from_ is not None:
        start = parse_when(from_, tz, option="--from", now=now)
    else:
        start = current_shift_start(cfg, availability, rotation, now)
    if until is not None:
        end = parse_when(until, tz, option="--until", now=now)
    else:
        end = start + timedelta(weeks=weeks or 12)
    if end <= start:
        raise UsageError(f"the window ends ({end:%Y-%m-%d}) before it starts ({start:%Y-%m-%d})")
    return start, end


def diff(
    ctx: typer.Context,
    against: str = typer.Option(
        "HEAD",
        "--against",
        metavar="REV|DIR",
        help="Compare with this git revision, or with a config directory (default HEAD).",
    ),
    from_: str | None = typer.Option(
        None, "--from", metavar="WHEN", help="Window start (default: the current shift's)."
    ),
    weeks: int | None = typer.Option(
        None, "--weeks", min=1, max=520, help="Weeks to compare (default 12)."
    ),
    rotation: str | None = typer.Option(None, "--rotation", help="Only this rotation."),
    json_: bool = typer.Option(False, "--json", help="Print JSON."),
    at: str | None = typer.Option(None, "--now", help="Pretend it is this instant (ISO 8601)."),
) -> None:
    """What a config change does to the schedule: the spans whose holder changes, and why.

    Compares the working config with the config at git HEAD (read with `git show`, no
    checkout), another revision, or another config directory. Exits 0 whether or not
    anything changed.

    Examples:

      oncall schedule diff

      oncall schedule diff --against origin/main --weeks 26 --json
    """
    import tempfile
    from pathlib import Path

    from oncall.services.diff import compute_schedule_diff, load_against
    from oncall.services.roster import build_availability, default_calendars

    cfg = get_config(ctx)
    now = resolve_now(at, cfg.team_tz, option="--now")
    calendars = default_calendars()
    availability = build_availability(cfg, calendars)
    start, end = _window(cfg, availability, rotation, from_, weeks, None, now)
    with tempfile.TemporaryDirectory(prefix="oncall-diff-") as tmp:
        before = load_against(cfg, against, Path(tmp))
        report = compute_schedule_diff(
            before, cfg, start, end, against=against, rotation=rotation, calendars=calendars
        )
    typer.echo(render_json(report) if json_ else render_diff(report))


def _fmt(t: datetime) -> str:
    from oncall.domain.timeutil import format_time

    return format_time(t, style="short")


def render_diff(report: ScheduleDiff) -> str:
    """The diff as plain text: one table of changed spans per rotation, then the load."""
    w = report.window
    out = [f"Schedule diff against {report.against}, {w.from_:%Y-%m-%d} to {w.to:%Y-%m-%d}"]
    if not report.changed:
        out.append("No shift changes holder.")
    for rot in report.rotations:
        if not rot.changes:
            continue
        rows = [
            [_fmt(c.start), _fmt(c.end), c.before or "-", c.after or "-", c.why]
            for c in rot.changes
        ]
        out.append("")
        out.append(
            render_plain_table(
                ["Start", "End", "Before", "After", "Why"], rows, title=f"Rotation {rot.rotation}"
            )
        )
    moved = [d for d in report.load if d.days_before != d.days_after]
    if moved:
        rows = [
            [d.person, str(d.days_before), str(d.days_after), f"{d.days_after - d.days_before:+d}"]
            for d in moved
        ]
        out.append("")
        out.append(
            render_plain_table(
                ["Person", "Days before", "Days after", "Change"], rows, title="Load"
            )
        )
    return "\n".join(out)


def lock(
    ctx: typer.Context,
    rotation: str | None = typer.Option(None, "--rotation", help="Only this rotation."),
    from_: str | None = typer.Option(
        None, "--from", metavar="WHEN", help="Window start (default: the current shift's)."
    ),
    weeks: int | None = typer.Option(
        None, "--weeks", min=1, max=520, help="Weeks to lock (default 12)."
    ),
    until: str | None = typer.Option(None, "--until", metavar="WHEN", help="Window end."),
    force: bool = typer.Option(
        False,
        "--force",
        help="Re-lock the window as the config gives it now, and drop "
        "locked shifts after it (changing or shortening a lock).",
    ),
    json_: bool = typer.Option(False, "--json", help="Print JSON."),
    at: str | None = typer.Option(None, "--now", help="Pretend it is this instant (ISO 8601)."),
) -> None:
    """Lock (announce) the shifts of a window in config/schedule.lock.yaml.

    Locked shifts keep their holder whatever later edits of leave, holidays, members or
    roster do (docs/rotations.md, rule 3b); overrides still apply on top. Extending a lock
    appends; changing or shortening locked shifts needs --force and prints what changes.
    Commit the file with the rest of the config.

    Examples:

      oncall schedule lock --weeks 8

      oncall schedule lock --rotation primary --until 2027-03-01 --force
    """
    from oncall.services.lock import compute_lock, write_locks
    from oncall.services.roster import build_availability

    cfg = get_config(ctx)
    now = resolve_now(at, cfg.team_tz, option="--now")
    availability = build_availability(cfg)
    start, end = _window(cfg, availability, rotation, from_, weeks, until, now)
    locks, report = compute_lock(cfg, availability, start, end, rotation=rotation, force=force)
    if report.written:
        write_locks(cfg, locks)
    typer.echo(render_json(report) if json_ else render_lock(report))


def render_lock(report: LockReport) -> str:
    out: list[str] = []
    for r in report.rotations:
        out.append(
            f"{r.rotation}: locked {r.shifts} shift(s), {_fmt(r.from_)} to {_fmt(r.until)} "
            f"({r.added} new)"
        )
        out.extend(
            f"  changed: {_fmt(c.start)} to {_fmt(c.end)}: {c.before} -> {c.after or '(unlocked)'}"
            for c in r.changes
        )
        if r.differs:
            out.append(
                f"  {len(r.differs)} locked shift(s) kept although the config now gives them "
                "to someone else (rerun with --force to re-lock):"
            )
            out.extend(
                f"    {_fmt(c.start)} to {_fmt(c.end)}: locked {c.before}, config {c.after}"
                for c in r.differs
            )
    out.append(f"{'wrote' if report.written else 'unchanged:'} {report.path}")
    return "\n".join(out)


def register_changes(group: typer.Typer) -> None:
    group.command("diff")(diff)
    group.command("lock")(lock)
