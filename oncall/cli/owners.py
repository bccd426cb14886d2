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
    terminal.table(
        ["Pipeline", "Family / purpose", "Primary", "Secondary", "Rotation / runbook"],
        [
            [
                f"{r.id}\n{r.name}",
                f"{r.family or '-'}\n{r.purpose}",
                r.primary,
                r.secondary,
                f"{r.rotation}\n{r.runbook or '-'}",
            ]
            for r in rows
        ],
    )
    terminal.line("The secondary owner backs up the on-call engineer on their holidays.")


def register(app: typer.Typer) -> None:
    app.command("owners")(owners)
