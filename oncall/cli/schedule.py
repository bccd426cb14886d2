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
    from oncall.reports.schedule import ScheduleReport

from oncall.cli.common import SuggestingGroup, get_config, parse_when, resolve_now
from oncall.cli.output import (
    WIDTH,
    render_json,
    render_json_bytes,
    render_plain_table,
    terminal,
)
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
        help="First date ("
        "ISO 8601, or now, today, tomorrow, yesterday, monday, last monday, "
        "+3d, -2h, +1w; midnight, team timezone). Default: the start of the current shift.",
    ),
    to: str | None = typer.Option(
        None,
        "--to",
        metavar="D",
        help="End (exclusive; "
        "ISO 8601, or now, today, tomorrow, yesterday, monday, last monday, "
        "+3d, -2h, +1w).",
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
    at: str | None = typer.Option(
        None,
        "--now",
        help="Pretend it is this instant ("
        "ISO 8601, or now, today, tomorrow, yesterday, monday, last monday, "
        "+3d, -2h, +1w).",
    ),
) -> None:
    """The on-call schedule: who holds each shift and why.

    Notes per shift name swaps (with whom, which holiday), overrides, holidays the holder
    works, and conflicts nobody could take.

    Examples:

      oncall schedule

      oncall schedule --from 2026-12-01 --weeks 12 --stats

      oncall schedule --person de2 --format ics -o de2.ics

      oncall schedule diff

      oncall schedule lock --weeks 8
    """
    if ctx.invoked_subcommand is not None:
        return
    from oncall.services.roster import build_availability, default_calendars
    from oncall.services.schedule import compute_schedule, current_shift_start

    cfg = get_config(ctx)
    tz = cfg.team_tz
    now = resolve_now(at, tz, option="--now")
    if to is not None and weeks is not None:
        raise UsageError("--to and --weeks: give one of them")
    calendars = default_calendars()
    availability = build_availability(cfg, calendars)
    if from_ is not None:
        start = parse_when(from_, tz, option="--from", now=now)
    else:
        start = current_shift_start(cfg, availability, rotation, now)
    if to is not None:
        end = parse_when(to, tz, option="--to", now=now)
    else:
        end = start + timedelta(weeks=weeks or 8)
    if end <= start:
        raise UsageError(f"--to ({end:%Y-%m-%d}) must be after --from ({start:%Y-%m-%d})")
    report = compute_schedule(
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
        from oncall.services.calendar import render_schedule_ics

        _emit(render_schedule_ics(report, person=person, now=now), output)
        return
    if fmt is Format.json:  # bytes as encoded: a long window's document is not copied
        _emit(render_json_bytes(report), output)
        return
    text = render_schedule(report, fmt, width=terminal.width if output is None else WIDTH)
    _emit(text.encode(), output)


def _emit(data: bytes, output: Path | None) -> None:
    if output is None:
        import sys

        sys.stdout.buffer.write(data)
        if not data.endswith(b"\n"):
            sys.stdout.buffer.write(b"\n")
        sys.stdout.flush()
        return
    from oncall.adapters.files import atomic_write

    atomic_write(output, data)


def _fmt(t: datetime) -> str:
    from oncall.domain.timeutil import format_time

    return format_time(t, style="short")


def render_schedule(report: ScheduleReport, fmt: Format, *, width: int = WIDTH) -> str:
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
                        s["start"].isoformat(),
                        s["end"].isoformat(),
                        s["person"],
                        s["reason"],
                        "; ".join(
                            f"{c.date} {c.name}{' (estimated)' if c.estimated else ''}"
                            for c in s["conflicts"]
                        ),
                        "; ".join(s["notes"]),
                    ]
                )
        return buf.getvalue().rstrip("\n")
    for rot in report.rotations:
        rows = [
            [
                _fmt(s["start"]),
                _fmt(s["end"]),
                s["person"],
                s["reason"],
                "\n".join(s["notes"]) or "-",
            ]
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
        elif not rows:
            out.append(f"{title}\nno shifts in this window\n")
        else:
            out.append(render_plain_table(columns, rows, title=title, width=width))
            out.append("")
    for st in report.stats or []:
        columns_s = [
            "Person",
            "Shifts",
            "Days",
            "Weekend",
            "Holidays",
            "Given",
            "Taken",
            "Run",
            "B2B",
        ]
        rows_s = [
            [
                p.person,
                str(p.shifts),
                str(p.oncall_days),
                str(p.weekend_days),
                str(p.holidays_worked),
                str(p.swaps_given),
                str(p.swaps_taken),
                str(p.longest_run_days),
                str(p.back_to_back),
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
            out.append(render_plain_table(columns_s, rows_s, title=title, width=width))
            out.append("")
        out.append("Run: longest run of on-call days in a row. B2B: back-to-back shifts.\n")
    return "\n".join(out).rstrip("\n")


def register(app: typer.Typer) -> None:
    from oncall.cli.schedule_change import register_changes

    group = typer.Typer(name="schedule", cls=SuggestingGroup, rich_markup_mode=None)
    group.callback(invoke_without_command=True)(schedule)
    register_changes(group)
    app.add_typer(group, name="schedule")
