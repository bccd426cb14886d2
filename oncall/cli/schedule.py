"""``oncall schedule``: the published schedule, with swaps, overrides, holidays and stats."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from oncall.reports import ScheduleReport

from oncall.cli.common import get_config, resolve_now
from oncall.cli.output import render_json, render_plain_table, terminal
from oncall.errors import UsageError


class Format(StrEnum):
    table = "table"
    markdown = "markdown"
    csv = "csv"
    json = "json"
    ics = "ics"


def schedule(
    ctx: typer.Context,
    from_: str | None = typer.Option(
        None,
        "--from",
        metavar="D",
        help="First date (midnight, team timezone). Default: the start of the current shift.",
    ),
    to: str | None = typer.Option(
        None, "--to", metavar="D", help="End date (exclusive, midnight)."
    ),
    weeks: int | None = typer.Option(
        None, "--weeks", min=1, max=520, help="Weeks to show (default 8)."
    ),
    rotation: str | None = typer.Option(None, "--rotation", help="Only this rotation."),
    person: str | None = typer.Option(None, "--person", help="Only this person's shifts."),
    format_: Format = typer.Option(Format.table, "--format", help="Output format."),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Write to FILE (atomically) instead of stdout."
    ),
    stats: bool = typer.Option(False, "--stats", help="Add per-person fairness statistics."),
    json_: bool = typer.Option(False, "--json", help="Same as --format json."),
    at: str | None = typer.Option(None, "--now", help="Pretend it is this instant (ISO 8601)."),
) -> None:
    """The on-call schedule: who holds each shift and why.

    Notes per shift name swaps (with whom, which holiday), overrides, holidays the holder
    works, and conflicts nobody could take.

    Examples:

      oncall schedule

      oncall schedule --from 2026-12-01 --weeks 12 --stats

      oncall schedule --person de2 --format ics -o de2.ics
    """
    from oncall.domain.rotation import shift_at
    from oncall.domain.timeutil import parse_instant
    from oncall.service import build_availability, compute_schedule, default_calendars

    cfg = get_config(ctx)
    tz = cfg.team_tz
    now = resolve_now(at, tz, option="--now")
    if to is not None and weeks is not None:
        raise UsageError("--to and --weeks: give one of them")
    calendars = default_calendars()
    availability = build_availability(cfg, calendars)
    if from_ is not None:
        start = _date_option(from_, "--from", tz, parse_instant)
    else:
        rid = rotation or next(iter(cfg.rotation.rotations))
        if rid not in cfg.rotation_specs:
            from oncall.service import resolve_rotation

            resolve_rotation(cfg, rid)
        current = shift_at(
            cfg.rotation_specs[rid],
            now,
            availability=availability,
            overrides=cfg.overrides_for(rid),
        )
        start = current.start if current else now
    if to is not None:
        end = _date_option(to, "--to", tz, parse_instant)
    else:
        end = start + timedelta(weeks=weeks or 8)
    if end <= start:
        raise UsageError(f"--to ({end:%Y-%m-%d}) must be after --from ({start:%Y-%m-%d})")
    report, _ = compute_schedule(
        cfg,
        availability,
        start,
        end,
        rotation=rotation,
        person=person,
        stats=stats,
        calendars=calendars,
    )
    for warning in report.warnings:
        terminal.warn(warning)
    fmt = Format.json if json_ else format_
    if fmt is Format.ics:
        from oncall.ics import render_ics

        who = f" - {person}" if person else ""
        data = render_ics(report.rotations, name=f"On call{who}", generated=now)
        _emit(data, output)
        return
    text = render_schedule(report, fmt, cfg.person_name)
    _emit(text.encode(), output)


def _date_option(value: str, option: str, tz: object, parse: object) -> datetime:
    from zoneinfo import ZoneInfo

    from oncall.domain.timeutil import parse_instant

    assert isinstance(tz, ZoneInfo)
    try:
        return parse_instant(value, tz)
    except ValueError as exc:
        raise UsageError(f"{option}: {exc}") from None


def _emit(data: bytes, output: Path | None) -> None:
    if output is None:
        import sys

        sys.stdout.buffer.write(data if data.endswith(b"\n") else data + b"\n")
        sys.stdout.flush()
        return
    from oncall.fileutil import atomic_write

    atomic_write(output, data)


def _fmt(t: datetime) -> str:
    return f"{t:%a %b %d %H:%M}"


def render_schedule(report: ScheduleReport, fmt: Format, name_of: object) -> str:
    if fmt is Format.json:
        return render_json(report)
    columns = ["Start", "End", "On call", "Why", "Notes"]
    out: list[str] = []
    if fmt is Format.csv:
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(["rotation", "start", "end", "person", "reason", "conflicts", "notes"])
        for rot in report.rotations:
            for s in rot.shifts:
                writer.writerow(
                    [
                        rot.rotation,
                        s.start.isoformat(),
                        s.end.isoformat(),
                        s.person,
                        s.reason,
                        "; ".join(
                            f"{c.date} {c.name}{' (estimated)' if c.estimated else ''}"
                            for c in s.conflicts
                        ),
                        "; ".join(s.notes),
                    ]
                )
        return buf.getvalue().rstrip("\n")
    for rot in report.rotations:
        rows = [
            [_fmt(s.start), _fmt(s.end), s.person, s.reason, "\n".join(s.notes) or "-"]
            for s in rot.shifts
        ]
        title = (
            f"Rotation {rot.rotation}, {report.start:%Y-%m-%d} to {report.end:%Y-%m-%d} "
            f"({rot.timezone})"
        )
        if fmt is Format.markdown:
            out.append(f"## {title}\n")
            out.append("| " + " | ".join(columns) + " |")
            out.append("|" + "---|" * len(columns))
            for r in rows:
                out.append(
                    "| " + " | ".join(c.replace("\n", "<br>").replace("|", "\\|") for c in r) + " |"
                )
            out.append("")
        else:
            out.append(render_plain_table(columns, rows, title=title))
            out.append("")
    for st in report.stats or []:
        columns_s = ["Person", "Shifts", "Days", "Weekend", "Holidays", "Given", "Taken"]
        rows_s = [
            [
                p.person,
                str(p.shifts),
                str(p.oncall_days),
                str(p.weekend_days),
                str(p.holidays_worked),
                str(p.swaps_given),
                str(p.swaps_taken),
            ]
            for p in st.people
        ]
        title = (
            f"Fairness, rotation {st.rotation}: spread {st.spread_days} day(s) "
            "between most and least loaded"
        )
        if fmt is Format.markdown:
            out.append(f"## {title}\n")
            out.append("| " + " | ".join(columns_s) + " |")
            out.append("|" + "---|" * len(columns_s))
            out.extend("| " + " | ".join(r) + " |" for r in rows_s)
            out.append("")
        else:
            out.append(render_plain_table(columns_s, rows_s, title=title))
            out.append("")
    return "\n".join(out).rstrip("\n")


def register(app: typer.Typer) -> None:
    app.command("schedule")(schedule)
