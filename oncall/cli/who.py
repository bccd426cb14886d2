"""``oncall who``: who is on call now (or at any instant), and who responds for a pipeline."""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from oncall.reports.common import DayOffOut
    from oncall.reports.roster import OnCallOut, WhoReport
    from oncall.reports.shifts import PersonShift, PersonWhoReport

from oncall.cli.common import JSON_HELP, WHEN_HELP, get_config, resolve_now
from oncall.cli.output import terminal


def who(
    ctx: typer.Context,
    pipeline: str | None = typer.Argument(
        None,
        metavar="[PIPELINE|PERSON]",
        help="A pipeline id: also show its owners, responder and escalation chain. A person "
        "id: whether they are on call now, their next shift and their days off this week.",
    ),
    at: str | None = typer.Option(
        None,
        "--at",
        metavar="WHEN",
        help=f"The instant to look at (default now): {WHEN_HELP}",
    ),
    rotation: str | None = typer.Option(None, "--rotation", help="Only this rotation."),
    json_: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Who is on call, why, and who backs them up on their holidays.

    Examples:

      oncall who

      oncall who aggregate-profit

      oncall who de2 --at monday

      oncall who --at 2026-12-24T10:00 --json
    """
    from oncall.services.roster import build_availability, compute_who

    cfg = get_config(ctx)
    when = resolve_now(at, cfg.team_tz)
    if pipeline is not None and pipeline in cfg.owners.people:
        from oncall.services.shifts import compute_person_who, person_rotations

        person_report = compute_person_who(cfg, build_availability(cfg), pipeline, when)
        if json_:
            terminal.json(person_report)
        else:
            render_person_who(person_report, in_rotation=bool(person_rotations(cfg, pipeline)))
        return
    if pipeline is not None and pipeline not in cfg.owners.pipelines:
        from oncall.domain.text import suggest
        from oncall.errors import NotFoundError

        names = [*cfg.owners.pipelines, *cfg.owners.people]
        raise NotFoundError(
            f"unknown pipeline or person '{pipeline}'{suggest(pipeline, names)}; pipelines: "
            f"{', '.join(sorted(cfg.owners.pipelines))}; people: "
            f"{', '.join(sorted(cfg.owners.people))}"
        )
    report = compute_who(cfg, build_availability(cfg), when, pipeline=pipeline, rotation=rotation)
    if json_:
        terminal.json(report)
        return
    render_who(report)


def _fmt(t: datetime) -> str:
    from oncall.domain.timeutil import format_time

    return format_time(t, style="day")


def _days(items: list[DayOffOut]) -> str:
    return "; ".join(
        f"{d.name or d.kind}{' (estimated)' if d.estimated else ''}"
        + (" leave" if d.kind == "leave" and d.name else "")
        for d in items
    )


def _why(o: OnCallOut) -> str:
    if o.reason == "override":
        return f"override: {o.override_reason or 'no reason given'}"
    if o.reason == "swap":
        cause = ", ".join(f"{d.date:%a %b %d} {_days([d])}" for d in o.swap_cause)
        partner = o.swapped_with or "?"
        if o.swap_cause_person == o.person:
            return f"holiday swap with {partner}, who covers {o.person}'s day off ({cause})"
        return f"holiday swap: covers {partner}, who is off {cause}"
    return "regular rotation"


def _field(label: str, text: str) -> None:
    terminal.field(label, text)


def _line(text: str) -> None:
    """``text`` wrapped to the terminal, continuation lines under its value (after the
    leading label, e.g. ``  shift  ``)."""
    match = re.match(r"^(\s*\S+\s+)", text)
    label = match.group(1) if match and text.startswith(" ") else ""
    if not text:
        terminal.line("")
        return
    terminal.field(label, text[len(label) :])


def render_who(report: WhoReport) -> None:
    terminal.heading(f"On call at {_fmt(report.at)} ({report.timezone})")
    for ns in report.not_started:
        _line(f"{ns.rotation}: nobody yet, the rotation starts {_fmt(ns.starts)}")
    for o in report.oncall:
        _line("")
        _line(f"{o.rotation}: {o.person} ({o.name})")
        _field("  why    ", _why(o))
        _line(f"  shift  {_fmt(o.shift_start)} -> {_fmt(o.shift_end)}")
        _line(f"  next   {o.next_person or 'nobody'} from {_fmt(o.shift_end)}")
        if o.person_timezone != o.timezone or o.shift_start_local.utcoffset() != (
            o.shift_start.utcoffset()
        ):
            _line(
                f"         {_fmt(o.shift_start_local)} -> {_fmt(o.shift_end_local)} "
                f"({o.person}'s time, {o.person_timezone})"
            )
        if o.available:
            _line("  today  available")
        else:
            _field("  today  ", f"unavailable: {_days(o.unavailable)}")
            covered = {pid: p for pid, p in o.backups.items() if p != o.person}
            for pid, person in covered.items():
                _line(f"         backup for {pid}: {person}")
            if not covered:
                _line("         nobody else is available: the on-call stays responsible")
    p = report.pipeline
    if p is not None:
        _line("")
        _line(f"pipeline {p.id} ({p.name})")
        _line(f"  owners     primary {p.primary}, secondary {p.secondary}")
        _line(f"  rotation   {p.rotation}: on call {p.oncall or 'nobody yet'}")
        if p.responder is None:
            _line("  responder  nobody: the rotation has not started")
        else:
            reason: str = p.responder_reason or ""
            if p.responder_reason == "holiday-backup":
                reason += f" ({p.oncall} is off: {_days(p.responder_unavailable)})"
            elif p.responder_reason == "nobody-available":
                reason += " (everyone is off today; the on-call stays responsible)"
            _field("  responder  ", f"{p.responder} - {reason}")
        _line(f"  escalation {' -> '.join(p.escalation) or '-'}")
        for sk in p.skipped:
            _field("             ", f"skipped {sk.person}: {sk.reason}")


def _piece(p: PersonShift) -> str:
    return f"{p.rotation} {_fmt(p.start)} -> {_fmt(p.end)} ({p.detail})"


def render_person_who(report: PersonWhoReport, *, in_rotation: bool = True) -> None:
    terminal.heading(f"{report.person} ({report.name}) at {_fmt(report.at)} ({report.timezone})")
    if report.oncall_now:
        for p in report.oncall_now:
            _field("  on call now  ", _piece(p))
    else:
        _line("  on call now  no")
    if report.next is not None:
        _field("  next shift   ", _piece(report.next))
    else:
        none = (
            "none in the next 52 weeks"
            if in_rotation
            else f"none: {report.person} is in no rotation"
        )
        _field("  next shift   ", none)
    days = "; ".join(f"{d.date:%a %b %d} {d.name}" for d in report.days_off_this_week)
    _field(f"  days off (week of {report.week_start:%b %d})  ", days or "none")


def register(app: typer.Typer) -> None:
    app.command("who")(who)
