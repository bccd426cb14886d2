"""``oncall shifts``: a person's upcoming shifts, with swaps, overrides and days off."""

from __future__ import annotations

import os
from datetime import datetime
from typing import TYPE_CHECKING

import typer

from oncall.cli.common import JSON_HELP, WHEN_HELP, get_config, resolve_now
from oncall.cli.output import terminal
from oncall.errors import UsageError

if TYPE_CHECKING:
    from oncall.reports.shifts import ShiftsReport


def shifts(
    ctx: typer.Context,
    person: str | None = typer.Argument(None, metavar="[PERSON]", help="A person id."),
    me: bool = typer.Option(
        False,
        "--me",
        help="The person from $ONCALL_ME (an id or email), else your git user.email matched "
        "to a person's email.",
    ),
    weeks: int = typer.Option(12, "--weeks", metavar="N", min=1, max=520, help="Weeks ahead."),
    now: str | None = typer.Option(
        None, "--now", metavar="WHEN", help=f"Pretend it is this instant: {WHEN_HELP}"
    ),
    json_: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """A person's upcoming shifts (default 12 weeks) with swaps, overrides and days off.

    Examples:

      oncall shifts de2

      oncall shifts --me --weeks 4 --json
    """
    from oncall.services.roster import build_availability
    from oncall.services.shifts import compute_shifts_of, resolve_me

    if person is not None and me:
        raise UsageError("give a PERSON or --me, not both")
    if person is None and not me:
        raise UsageError(
            "give a PERSON or --me: oncall shifts de2, or oncall shifts --me (you: $ONCALL_ME "
            "or your git user.email)"
        )
    cfg = get_config(ctx)
    when = resolve_now(now, cfg.team_tz, option="--now")
    if person is None:
        git_email = None
        if not os.environ.get("ONCALL_ME"):
            from oncall.adapters.identity import GitIdentity

            git_email = GitIdentity().email()
        person = resolve_me(cfg, os.environ.get("ONCALL_ME"), git_email)
    report = compute_shifts_of(cfg, build_availability(cfg), person, when, weeks=weeks)
    if json_:
        terminal.json(report)
        return
    render_shifts(report)


def _fmt(t: datetime) -> str:
    from oncall.domain.timeutil import format_time

    return format_time(t, style="day")


def render_shifts(report: ShiftsReport) -> None:
    terminal.heading(
        f"Shifts of {report.person} ({report.name}), {report.start:%Y-%m-%d} to "
        f"{report.end:%Y-%m-%d}"
    )
    if not report.rotations:
        terminal.line(f"{report.person} is in no rotation.")
        return
    rows = [
        [
            s.rotation,
            _fmt(s.start),
            _fmt(s.end),
            s.detail,
            "; ".join(f"{d.date:%a %b %d} {d.name}" for d in s.days_off) or "-",
        ]
        for s in report.shifts
    ]
    if rows:
        terminal.table(["Rotation", "Start", "End", "Why", "Days off"], rows)
    else:
        terminal.line("No shifts in this window.")
    for c in report.covered:
        terminal.field(
            "  covered  ", f"{c.rotation} {_fmt(c.start)} -> {_fmt(c.end)}: {c.by} ({c.detail})"
        )
    if report.next is not None:
        terminal.line(f"Next shift: {report.next.rotation} from {_fmt(report.next.start)}")


def register(app: typer.Typer) -> None:
    app.command("shifts")(shifts)
