"""``oncall store``: where the team's records are kept, migrating it, copying it elsewhere."""

from __future__ import annotations

import typer

from oncall.cli.common import JSON_HELP, SuggestingGroup, get_config
from oncall.cli.output import terminal

store_app = typer.Typer(
    cls=SuggestingGroup,
    name="store",
    no_args_is_help=True,
    rich_markup_mode=None,
    help="The team's store of runs, pages and the outbox: see it, migrate it, copy it.",
)


@store_app.command("info")
def info(ctx: typer.Context, json_: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    """Backend, where (password masked), team id, schema version and record counts.

    Examples:

      oncall store info

      ONCALL_STATE_URL=postgresql://oncall@10.1.2.3/oncall oncall store info --json
    """
    from oncall.services.store.commands import describe_team_store

    report = describe_team_store(get_config(ctx), say=terminal.warn)
    if json_:
        terminal.json(report)
        return
    counts = report.counts
    terminal.line(f"backend:  {report.backend} ({report.where}; named by {report.named_by})")
    terminal.line(f"team:     {report.team}")
    terminal.line(f"schema:   version {report.schema_version}")
    terminal.line(f"records:  {counts.runs} run(s), {counts.pages} page(s), {counts.queued} queued")


@store_app.command("migrate")
def migrate(ctx: typer.Context) -> None:
    """Apply the store's missing schema migrations (any command also does, on first use).

    Examples:

      oncall store migrate

      ONCALL_STATE_URL=postgresql://oncall@10.1.2.3/oncall oncall store migrate
    """
    from oncall.services.store.commands import describe_team_store

    report = describe_team_store(get_config(ctx), say=terminal.warn)
    terminal.line(f"{report.where}: schema version {report.schema_version}, up to date")


@store_app.command("copy")
def copy(
    ctx: typer.Context,
    to: str = typer.Option(
        ..., "--to", metavar="URL", help="Destination: postgresql://... or sqlite:///path."
    ),
    json_: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Copy the team's runs and pages to another store (idempotent; the source is kept).

    Examples:

      oncall store copy --to postgresql://oncall@10.1.2.3/oncall

      oncall store copy --to sqlite:///backup/oncall.db
    """
    from oncall.services.store.commands import copy_team_store

    report = copy_team_store(get_config(ctx), to, say=terminal.warn)
    if json_:
        terminal.json(report)
        return
    d = report.destination_counts
    terminal.line(
        f"copied {report.copied_runs} run(s) and {report.copied_pages} page(s) of team "
        f"{report.team} to {report.destination}; it now holds {d.runs} run(s), {d.pages} "
        f"page(s), {d.queued} queued (the source is unchanged)"
    )


def register(app: typer.Typer) -> None:
    app.add_typer(store_app)
