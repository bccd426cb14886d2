"""``oncall runbook``: list, show, run (step by step, with live checks) and history.

``oncall runbook NAME`` is short for ``oncall runbook run NAME``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import typer

from oncall.cli.common import (
    JSON_HELP,
    SuggestingGroup,
    close_to_command,
    get_config,
    unknown_command,
)
from oncall.cli.output import terminal
from oncall.cli.runbook_run import render_time, run
from oncall.cli.runbook_show import show

if TYPE_CHECKING:
    from oncall.adapters.store import Run
    from oncall.config import Config
    from oncall.services.runbook.catalog import LoadedRunbook


class RunbookGroup(SuggestingGroup):
    """``oncall runbook NAME ...`` means ``oncall runbook run NAME ...``."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and close_to_command(self, ctx, args[0]):
            unknown_command(self, ctx, args[0], cutoff=0.75)
        if args and not args[0].startswith("-") and args[0] not in self.commands:
            args = ["run", *args]
        return super().parse_args(ctx, args)


runbook_app = typer.Typer(
    name="runbook",
    cls=RunbookGroup,
    help=(
        "Runbooks: ordered steps with live checks against pipeline state. "
        "`oncall runbook NAME` runs one step by step."
    ),
    no_args_is_help=True,
    rich_markup_mode=None,
)


# ---------------------------------------------------------------------------------------
# list


@runbook_app.command("list")
def list_(ctx: typer.Context, json_: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    """Every runbook in runbooks/, with its pipeline and size.

    A broken runbook file does not hide the others: every valid runbook is listed, the
    broken file's problems are printed as file:line:col: error: ... on stderr, and the
    exit code is 2 (config error).

    Examples:

      oncall runbook list

      oncall runbook list --json
    """
    from oncall.errors import ConfigError
    from oncall.services.runbook.catalog import load_runbooks

    cfg = get_config(ctx)
    loaded, problems = load_runbooks(cfg)
    render_runbook_list(cfg, loaded, json_=json_, broken=bool(problems))
    if problems:
        raise ConfigError(problems)


def render_runbook_list(
    cfg: Config, loaded: Sequence[LoadedRunbook], *, json_: bool, broken: bool = False
) -> None:
    rows = [
        {
            "name": rb.name,
            "title": rb.runbook.title,
            "pipeline": rb.runbook.pipeline,
            "source": rb.runbook.source,
            "steps": len(rb.runbook.steps),
            "checks": len(rb.checks),
            "path": str(rb.path),
        }
        for rb in loaded
    ]
    if json_:
        terminal.json({"runbooks": rows})
        return
    if not rows:
        terminal.line(f"no {'valid ' if broken else ''}runbooks in {cfg.runbooks_dir}")
        return
    terminal.table(
        ["runbook", "pipeline", "steps", "checks", "title"],
        [
            [str(r["name"]), str(r["pipeline"]), str(r["steps"]), str(r["checks"]), str(r["title"])]
            for r in rows
        ],
    )


runbook_app.command("show")(show)
runbook_app.command("run")(run)


# ---------------------------------------------------------------------------------------
# history


@runbook_app.command("history")
def history(
    ctx: typer.Context,
    name: str | None = typer.Argument(
        None, metavar="[RUNBOOK|RUN_ID]", help="Only runs of this runbook, or one run in full."
    ),
    limit: int = typer.Option(20, "--limit", min=1, max=1000, help="How many runs (newest)."),
    json_: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Past runs, newest first: who ran them, when, and how each step ended.

    With a RUN_ID: that run in full (as `oncall runbook show RUN_ID`).

    Examples:

      oncall runbook history

      oncall runbook history profit --json

      oncall runbook history r-1f2e3d4c
    """
    from oncall.cli.runbook_show import looks_like_run_id, show_run

    cfg = get_config(ctx)
    if name is not None and looks_like_run_id(name):
        show_run(cfg, name, json_=json_)
        return
    if name is not None:
        from oncall.services.runbook.catalog import load_runbook

        name = load_runbook(cfg, name).name
    from oncall.services.store import open_team_store

    with open_team_store(cfg, say=terminal.warn) as store:
        runs = store.list_runs(name, limit=limit)
    if json_:
        from oncall.reports.runbook import RunOut, RunsOut

        terminal.json(RunsOut(runs=[RunOut.of(r, None, cfg.team_tz) for r in runs]))
        return
    if not runs:
        terminal.line("no runs yet" + (f" of runbook {name}" if name else ""))
        return
    tz = cfg.team_tz
    rows = []
    for r in runs:
        bad = [s.step_id for s in r.steps if s.status in ("failed", "error", "skipped")]
        rows.append(
            [
                r.run_id,
                r.runbook,
                r.status + (" (dry run)" if _is_dry(r) else ""),
                r.operator,
                render_time(r.started, tz),
                str(len(r.steps)),
                ", ".join(bad) or "-",
            ]
        )
    terminal.table(["run", "runbook", "status", "operator", "started", "steps", "attention"], rows)


def _is_dry(run: Run) -> bool:
    from oncall.reports.runbook import DRY_RUN_NOTE

    return any(n.step_id is None and n.text == DRY_RUN_NOTE for n in run.notes)


def register(app: typer.Typer) -> None:
    app.add_typer(runbook_app, name="runbook")
