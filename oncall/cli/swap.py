"""``oncall swap`` and ``oncall cover``: trade shifts or take one over (rotation.yaml edits)."""

from __future__ import annotations

import typer

from oncall.cli.common import (
    JSON_HELP,
    TO_HELP,
    WHEN_HELP,
    edit_clock,
    get_config,
    parse_span,
    parse_when,
)
from oncall.cli.override import DRY_RUN_HELP, NOW_HELP, render_change

ANYWAY_HELP = "Do it even though the taker is unavailable on a day of it."


def swap(
    ctx: typer.Context,
    first: str = typer.Argument(..., metavar="P1", help="Holds the --shift shift."),
    second: str = typer.Argument(..., metavar="P2", help="Holds the --with-shift shift."),
    shift: str = typer.Option(
        ..., "--shift", metavar="WHEN", help=f"An instant in P1's shift: {WHEN_HELP}"
    ),
    with_shift: str | None = typer.Option(
        None,
        "--with-shift",
        metavar="WHEN",
        help="An instant in P2's shift (default: P2's next shift after P1's).",
    ),
    rotation: str | None = typer.Option(
        None, "--rotation", help="The rotation (default: the only one)."
    ),
    anyway: bool = typer.Option(False, "--anyway", help=ANYWAY_HELP),
    dry_run: bool = typer.Option(False, "--dry-run", help=DRY_RUN_HELP),
    now: str | None = typer.Option(None, "--now", metavar="WHEN", help=NOW_HELP),
    json_: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """P1 and P2 trade shifts: one pair of overrides, both reasons naming the swap.

    Refused when either is unavailable on a day of the shift they take, unless --anyway.

    Examples:

      oncall swap de1 de2 --shift 2026-12-08

      oncall swap de3 de2 --shift 2027-01-19 --with-shift 2027-02-09 --dry-run
    """
    from oncall.services.override import apply_edit, plan_swap
    from oncall.services.roster import build_availability

    cfg = get_config(ctx)
    clock = edit_clock(now, cfg.team_tz)
    at = parse_when(shift, cfg.team_tz, option="--shift", now=clock)
    other = (
        parse_when(with_shift, cfg.team_tz, option="--with-shift", now=clock)
        if with_shift
        else None
    )
    text, added = plan_swap(
        cfg,
        build_availability(cfg),
        first=first,
        second=second,
        shift=at,
        with_shift=other,
        rotation=rotation,
        anyway=anyway,
    )
    render_change(apply_edit(cfg, text, action="swap", added=added, dry_run=dry_run), json_)


def cover(
    ctx: typer.Context,
    person: str = typer.Argument(..., metavar="P", help="Who takes over."),
    from_: str = typer.Option(..., "--from", metavar="WHEN", help=f"Start: {WHEN_HELP}"),
    to: str = typer.Option(..., "--to", metavar="WHEN", help=TO_HELP),
    rotation: str | None = typer.Option(
        None, "--rotation", help="The rotation (default: the only one)."
    ),
    anyway: bool = typer.Option(False, "--anyway", help=ANYWAY_HELP),
    dry_run: bool = typer.Option(False, "--dry-run", help=DRY_RUN_HELP),
    now: str | None = typer.Option(None, "--now", metavar="WHEN", help=NOW_HELP),
    json_: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """P takes over the rotation from --from to --to (one override).

    Refused when P is unavailable on a day of it, unless --anyway.

    Examples:

      oncall cover de3 --from 2026-12-09T09:00 --to 2026-12-10T09:00

      oncall cover de3 --from today --to tomorrow --dry-run --json
    """
    from oncall.services.override import apply_edit, plan_cover
    from oncall.services.roster import build_availability

    cfg = get_config(ctx)
    start, end = parse_span(from_, to, cfg.team_tz, now=edit_clock(now, cfg.team_tz))
    text, out = plan_cover(
        cfg,
        build_availability(cfg),
        person=person,
        start=start,
        end=end,
        rotation=rotation,
        anyway=anyway,
    )
    render_change(apply_edit(cfg, text, action="cover", added=[out], dry_run=dry_run), json_)


def register(app: typer.Typer) -> None:
    app.command("swap")(swap)
    app.command("cover")(cover)
