"""``oncall override add|list|remove``: overrides without hand-editing rotation.yaml.

Edits keep the file's comments, order and style, are written atomically, and only when the
edited config validates. Each prints the schedule change it makes.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import typer

from oncall.cli.common import (
    JSON_HELP,
    TO_HELP,
    WHEN_HELP,
    SuggestingGroup,
    edit_clock,
    get_config,
    parse_span,
)
from oncall.cli.output import terminal

if TYPE_CHECKING:
    from oncall.reports.override import OverrideChangeReport, OverrideOut

override_app = typer.Typer(
    cls=SuggestingGroup,
    help="Overrides: someone holds a rotation for a span (edits rotation.yaml in place).",
    no_args_is_help=True,
    rich_markup_mode=None,
)
DRY_RUN_HELP = "Show the change without writing rotation.yaml."
NOW_HELP = "Pretend it is this instant (relative dates count from it; default now)."


def _fmt(t: datetime) -> str:
    from oncall.domain.timeutil import format_time

    return format_time(t, style="day")


def _one(o: OverrideOut) -> str:
    reason = f" ({o.reason})" if o.reason else ""
    return f"{o.id}  {o.rotation}: {o.person} {_fmt(o.start)} -> {_fmt(o.end)}{reason}"


def render_change(report: OverrideChangeReport, json_: bool) -> None:
    """The edit and the schedule change it makes (the spans whose holder changes)."""
    if json_:
        terminal.json(report)
        return
    for o in report.added:
        terminal.field("added    ", _one(o))
    for o in report.removed:
        terminal.field("removed  ", _one(o))
    from oncall.cli.schedule_change import render_diff

    terminal.line("")
    terminal.line(render_diff(report.diff))
    terminal.line("")
    if report.dry_run:
        terminal.line(f"Dry run: {report.path} was not changed.")
    else:
        terminal.line(f"Wrote {report.path}.")


@override_app.command("add")
def add(
    ctx: typer.Context,
    rotation: str | None = typer.Option(
        None, "--rotation", help="The rotation (default: the only one)."
    ),
    person: str = typer.Option(..., "--person", help="Who holds the rotation."),
    from_: str = typer.Option(..., "--from", metavar="WHEN", help=f"Start: {WHEN_HELP}"),
    to: str = typer.Option(..., "--to", metavar="WHEN", help=TO_HELP),
    reason: str = typer.Option("", "--reason", metavar="TEXT", help="Why (shown in who/schedule)."),
    dry_run: bool = typer.Option(False, "--dry-run", help=DRY_RUN_HELP),
    now: str | None = typer.Option(None, "--now", metavar="WHEN", help=NOW_HELP),
    json_: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Add an override: PERSON holds the rotation from --from to --to.

    Examples:

      oncall override add --person de2 --from 2026-12-10T09:00 --to 2026-12-11T09:00

      oncall override add --person de2 --from tomorrow --to +2d --dry-run
    """
    from oncall.services.override import apply_edit, new_override, only_rotation, plan_add

    cfg = get_config(ctx)
    start, end = parse_span(from_, to, cfg.team_tz, now=edit_clock(now, cfg.team_tz))
    out, values = new_override(
        cfg,
        rotation=rotation or only_rotation(cfg),
        person=person,
        start=start,
        end=end,
        reason=reason,
    )
    report = apply_edit(cfg, plan_add(cfg, [values]), action="add", added=[out], dry_run=dry_run)
    render_change(report, json_)


@override_app.command("list")
def list_(
    ctx: typer.Context,
    rotation: str | None = typer.Option(None, "--rotation", help="Only this rotation."),
    json_: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """The overrides in rotation.yaml, with their ids.

    Examples:

      oncall override list

      oncall override list --rotation primary --json
    """
    from oncall.services.override import compute_overrides

    report = compute_overrides(get_config(ctx), rotation)
    if json_:
        terminal.json(report)
        return
    if not report.overrides:
        terminal.line("No overrides.")
        return
    terminal.table(
        ["Id", "Rotation", "Person", "Start", "End", "Reason"],
        [
            [o.id, o.rotation, o.person, _fmt(o.start), _fmt(o.end), o.reason or "-"]
            for o in report.overrides
        ],
    )


@override_app.command("remove")
def remove(
    ctx: typer.Context,
    override: str = typer.Argument(..., metavar="ID", help="The override's id (override list)."),
    dry_run: bool = typer.Option(False, "--dry-run", help=DRY_RUN_HELP),
    json_: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Remove the override with this id.

    Examples:

      oncall override remove 3f9a2c1
    """
    from oncall.services.override import apply_edit, plan_remove

    cfg = get_config(ctx)
    text, out = plan_remove(cfg, override)
    report = apply_edit(cfg, text, action="remove", removed=[out], dry_run=dry_run)
    render_change(report, json_)


def register(app: typer.Typer) -> None:
    app.add_typer(override_app, name="override")
