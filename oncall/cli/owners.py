"""``oncall owners``: who owns which pipeline."""

from __future__ import annotations

import typer

from oncall.cli.common import JSON_HELP, get_config
from oncall.cli.output import terminal
from oncall.errors import NotFoundError


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
    from oncall.reports import OwnerRow, OwnersReport

    cfg = get_config(ctx)
    pipelines = cfg.owners.pipelines
    if pipeline is not None and pipeline not in pipelines:
        import difflib

        guess = difflib.get_close_matches(pipeline, list(pipelines), n=1)
        hint = f" (did you mean '{guess[0]}'?)" if guess else ""
        raise NotFoundError(
            f"unknown pipeline '{pipeline}'{hint}; known: {', '.join(sorted(pipelines))}"
        )
    rows = [
        OwnerRow(
            id=pid,
            name=spec.name,
            family=spec.family,
            purpose=spec.purpose,
            primary=spec.primary,
            secondary=spec.secondary,
            rotation=cfg.pipeline_rotation(pid),
            runbook=spec.runbook,
        )
        for pid, spec in pipelines.items()
        if pipeline is None or pid == pipeline
    ]
    report = OwnersReport(pipelines=rows)
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
