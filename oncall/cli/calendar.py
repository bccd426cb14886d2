"""``oncall calendar export``: ICS files per person and per rotation, ready to publish."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import typer

from oncall.cli.common import JSON_HELP, SuggestingGroup, get_config, parse_when, resolve_now
from oncall.cli.output import terminal
from oncall.services.calendar import AHEAD_WEEKS, BACK_WEEKS

calendar_app = typer.Typer(
    cls=SuggestingGroup,
    name="calendar",
    no_args_is_help=True,
    rich_markup_mode=None,
    help="Calendars of the on-call schedule (ICS) to publish for subscription.",
)


@calendar_app.command("export")
def export(
    ctx: typer.Context,
    directory: Path = typer.Argument(..., metavar="DIR", help="Directory to write to."),
    from_: str | None = typer.Option(
        None,
        "--from",
        metavar="D",
        help="First date ("
        "ISO 8601, or now, today, tomorrow, yesterday, monday, last monday, "
        "+3d, -2h, +1w; midnight, team timezone). "
        f"Default: {BACK_WEEKS} weeks ago.",
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
        None,
        "--now",
        metavar="WHEN",
        help="Pretend it is this instant ("
        "ISO 8601, or now, today, tomorrow, yesterday, monday, last monday, "
        "+3d, -2h, +1w).",
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
    from oncall.services.calendar import default_export_start, export_calendars

    cfg = get_config(ctx)
    clock = resolve_now(now, cfg.team_tz, option="--now")
    if from_ is not None:
        start = parse_when(from_, cfg.team_tz, option="--from", now=clock)
    else:
        start = default_export_start(cfg, clock)
    end = start + timedelta(weeks=weeks)
    out, warnings = export_calendars(cfg, directory, start, end, now=clock)
    for warning in warnings:
        terminal.warn(warning)
    if json_:
        terminal.json(out)
        return
    title = f"{len(out.files)} calendars, shifts from {start:%Y-%m-%d} to {end:%Y-%m-%d}"
    terminal.table(
        ["File", "Kind", "Events"],
        [[Path(f.path).name, f.kind, str(f.events)] for f in out.files],
        title=title,
    )


def register(app: typer.Typer) -> None:
    app.add_typer(calendar_app, name="calendar")
