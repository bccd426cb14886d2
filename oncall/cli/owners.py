"""``oncall owners``: who owns which pipeline."""

from __future__ import annotations

import typer

from oncall.cli.common import JSON_HELP, get_config
from oncall.cli.output import terminal


def owners(
    ctx: typer.Context,
    pipeline: str | None = typer.Argument(None, help="Show only this pipeline."),
    json_: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """The ownership table: each pipeline's name, family, purpose, owners, rotation, runbook.

    Examples:

      oncall owners

      oncall owners aggregate-profit --json
    """
    from oncall.services.roster import compute_owners

    report = compute_owners(get_config(ctx), pipeline)
    rows = report.pipelines
    if json_:
        terminal.json(report)
        return
    # One line per pipeline within 80 columns: names are in --json; the rotation gets a
    # column only when pipelines are on different rotations.
    rotations = sorted({r.rotation for r in rows})
    columns = ["Pipeline", "Family", "Purpose", "Owners", "Runbook"]
    if len(rotations) > 1:
        columns.append("Rotation")
    terminal.table(
        columns,
        [
            [
                r.id,
                r.family or "-",
                r.purpose,
                f"{r.primary}/{r.secondary}",
                r.runbook or "-",
                *([r.rotation] if len(rotations) > 1 else []),
            ]
            for r in rows
        ],
    )
    if len(rotations) == 1:
        terminal.line(f"Every pipeline is on rotation {rotations[0]}.")
    terminal.line("Owners: primary/secondary. Names: oncall owners --json.")
    terminal.line("The secondary owner backs up the on-call engineer on their holidays.")


def register(app: typer.Typer) -> None:
    app.command("owners")(owners)
