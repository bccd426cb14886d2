"""``oncall state``: the state sources runbooks read, and demo state for trying it out."""

from __future__ import annotations

from pathlib import Path

import typer

from oncall.cli.common import JSON_HELP, SuggestingGroup, get_config, resolve_now
from oncall.cli.output import terminal
from oncall.errors import UsageError

state_app = typer.Typer(
    cls=SuggestingGroup,
    name="state",
    help="Pipeline state sources (config/state.yaml) and demo state.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


@state_app.command("demo")
def demo(
    ctx: typer.Context,
    now: str | None = typer.Option(
        None,
        "--now",
        metavar="WHEN",
        help="The demo's present ("
        "ISO 8601, or now, today, tomorrow, yesterday, monday, last monday, "
        "+3d, -2h, +1w; default now, team timezone).",
    ),
    output: Path | None = typer.Option(
        None,
        "--output",
        metavar="DIR",
        help="Where to write (default: the path of the local 'default' state source).",
    ),
    json_: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Write six weeks of realistic demo state for the three investor pipelines.

    The files are JSON Lines, as a local state source reads them, plus a small SQLite
    warehouse (warehouse.db) for the runbooks' SQL checks. Every shipped runbook check
    passes or warns on them except one planted failure.

    Examples:

      oncall state demo

      oncall state demo --now 2026-11-20T09:00 --output /tmp/state
    """
    from oncall.adapters.state.demo import (
        DEMO_DAYS,
        DEMO_VALID_FOR,
        PLANTED_FAILURE,
        write_demo_state,
    )
    from oncall.adapters.state.demo_warehouse import write_demo_warehouse
    from oncall.config.state import DEFAULT_WAREHOUSE, DEFAULT_WAREHOUSE_FILE
    from oncall.services.runbook.sources import load_state_sources

    cfg = get_config(ctx)
    when = resolve_now(now, cfg.team_tz, option="--now")
    target = output
    warehouse = output / DEFAULT_WAREHOUSE_FILE if output is not None else None
    if target is None:
        sources = load_state_sources(cfg)
        target = sources.local_path("default")
        warehouse = sources.config.sqlite_path(DEFAULT_WAREHOUSE)
        if target is None:
            where = sources.path or "config/state.yaml"
            raise UsageError(
                f"the 'default' state source in {where} is not a local one: "
                "pass --output DIR to choose where to write"
            )
    written = write_demo_state(target, when, cfg.team_tz)
    files = [{"path": str(p), "points": _count_lines(p)} for p in written]
    warehouse = warehouse or target / DEFAULT_WAREHOUSE_FILE
    tables = write_demo_warehouse(warehouse, when, cfg.team_tz)
    summary = {
        "directory": str(target),
        "warehouse": {"path": str(warehouse), "tables": tables},
        "now": when.isoformat(),
        "valid_until": (when + DEMO_VALID_FOR).astimezone(cfg.team_tz).isoformat(),
        "days": DEMO_DAYS,
        "files": files,
        "planted_failure": PLANTED_FAILURE,
    }
    if json_:
        terminal.json(summary)
        return
    local = when.astimezone(cfg.team_tz)  # --now may carry any offset: show the team's zone
    terminal.line(
        f"Wrote {DEMO_DAYS} days of demo state up to {local:%Y-%m-%d %H:%M %Z} to {target}:"
    )
    for f in files:
        terminal.line(f"  {f['path']}  {f['points']:,} points")
    terminal.line(f"  {warehouse}  {sum(tables.values()):,} rows (SQLite warehouse)")
    terminal.line(f"Every runbook check passes or warns on it except {PLANTED_FAILURE},")
    until = (when + DEMO_VALID_FOR).astimezone(cfg.team_tz)
    terminal.line(
        f"planted to show a failure, until {until:%Y-%m-%d %H:%M %Z} (then run this again)."
    )
    terminal.line("Try: oncall check --all")


def _count_lines(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(1 for _ in handle)


@state_app.command("sources")
def sources_(
    ctx: typer.Context, json_: bool = typer.Option(False, "--json", help=JSON_HELP)
) -> None:
    """The state sources runbooks can read (config/state.yaml, or the local default).

    Examples:

      oncall state sources
    """
    from oncall.services.runbook.sources import load_state_sources

    cfg = get_config(ctx)
    loaded = load_state_sources(cfg)
    rows = [
        {"name": name, "kind": loaded.kind(name), "where": loaded.describe(name)}
        for name in loaded.names
    ]
    if json_:
        terminal.json({"file": str(loaded.path) if loaded.path else None, "sources": rows})
        return
    if loaded.path is None:
        terminal.line("no config/state.yaml: the only source is the local default")
    terminal.table(["source", "kind", "where"], [[r["name"], r["kind"], r["where"]] for r in rows])


def register(app: typer.Typer) -> None:
    app.add_typer(state_app, name="state")
