"""``oncall check``: every check of some pipelines' runbooks, no prompts (cron, Composer)."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING

import typer

from oncall.cli.common import get_config, resolve_now
from oncall.cli.output import terminal
from oncall.errors import UsageError

if TYPE_CHECKING:
    from datetime import datetime

    from oncall.config import Config
    from oncall.reports.runbook import CheckReport, PipelineCheckOut
    from oncall.services.runbook.notify import PageStatus

CHECK_EXIT = {"pass": 0, "warn": 0, "fail": 1, "error": 3}


def check(
    ctx: typer.Context,
    pipelines: list[str] | None = typer.Argument(
        None, metavar="[PIPELINE]...", help="Pipelines to check (their runbooks' checks)."
    ),
    all_: bool = typer.Option(False, "--all", help="Every pipeline that has a runbook."),
    now: str | None = typer.Option(
        None,
        "--now",
        metavar="WHEN",
        help="Judge pipeline state at this instant ("
        "ISO 8601, or now, today, tomorrow, yesterday, monday, last monday, "
        "+3d, -2h, +1w; default now, team timezone).",
    ),
    page: bool = typer.Option(
        False,
        "--page",
        help="Notify each pipeline's owners: failed or error pages, pass or warn is sent "
        "as a low-urgency all-clear. Needs config/paging.yaml.",
    ),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="With --page: show what would be sent, and send nothing."
    ),
    json_: bool = typer.Option(False, "--json", help="Print JSON instead of tables (same data)."),
) -> None:
    """Run every check of the named pipelines' runbooks at once, without prompts.

    All queries are planned first and each distinct one is fetched once, concurrently.
    Exit 0 pass or warn, 1 a check failed, 3 a state source was unavailable (a failed
    check wins over an unavailable source), 2 a usage or config error.

    Examples:

      oncall check --all

      oncall check aggregate-profit --json --now 2026-11-20T09:00

      oncall check --all --page
    """
    from oncall.services.runbook.catalog import list_runbooks, runbook_for_pipeline
    from oncall.services.runbook.engine import run_checks
    from oncall.services.runbook.sources import load_state_sources

    if all_ and pipelines:
        raise UsageError("give pipelines or --all, not both")
    if not all_ and not pipelines:
        raise UsageError("name the pipelines to check, or pass --all")
    cfg = get_config(ctx)
    when = resolve_now(now, cfg.team_tz, option="--now")
    if all_:
        by_pipeline = {rb.runbook.pipeline: rb for rb in list_runbooks(cfg)}
        wanted = [
            by_pipeline[pid] if pid in by_pipeline else runbook_for_pipeline(cfg, pid)
            for pid, spec in cfg.owners.pipelines.items()
            if spec.runbook is not None
        ]
        if not wanted:
            raise UsageError(
                f"no pipeline in {cfg.owners_path.name} names a runbook: add `runbook: <name>`"
            )
    else:
        wanted = [runbook_for_pipeline(cfg, pid) for pid in dict.fromkeys(pipelines or [])]
    with load_state_sources(cfg) as sources:
        report = run_checks(wanted, sources, now=when, team_tz=cfg.team_tz)
    delivery_error = _page(cfg, report.pipelines, when, dry_run) if page else None
    if json_:
        terminal.json(report)
    else:
        render_check(report, raised=str(delivery_error) if delivery_error else None)
    if delivery_error is not None:
        raise delivery_error
    raise typer.Exit(CHECK_EXIT[report.status])


def _page(
    cfg: Config, results: Sequence[PipelineCheckOut], now: datetime, dry_run: bool
) -> Exception | None:
    """Notify owners of each pipeline; the first delivery failure is returned, not raised,
    so every pipeline is tried."""
    from oncall.errors import DeliveryError
    from oncall.reports.runbook import PageOut
    from oncall.services.runbook.notify import notify_owners

    first: Exception | None = None
    for result in results:
        status: PageStatus = (
            "failed"
            if result.status == "fail"
            else "error"
            if result.status == "error"
            else "passed"
        )
        failing: list[dict[str, object]] = [
            c.model_dump(mode="json") for c in result.checks if c.status in ("fail", "error")
        ]
        try:
            outcome = notify_owners(
                cfg,
                pipeline=result.pipeline,
                runbook=result.runbook,
                status=status,
                failing=failing,
                now=now,
                dry_run=dry_run,
            )
        except DeliveryError as exc:
            result.page = PageOut(status="failed", detail=str(exc))
            first = first or exc
            continue
        result.page = PageOut(
            status=("dry-run" if dry_run else "sent") if outcome.sent else "not-configured",
            detail=outcome.detail,
            result=outcome.result,
        )
    return first


def render_check(report: CheckReport, *, raised: str | None = None) -> None:
    """The report as tables; a page failure that is ``raised`` (printed once, as the
    command's error) is only named here."""
    from oncall.cli.runbook_show import render_value

    counts: dict[str, int] = {}
    for result in report.pipelines:
        terminal.heading(
            f"{result.pipeline} (runbook {result.runbook}, source {result.source}): {result.status}"
        )
        terminal.table(
            ["check", "status", "value", "detail"],
            [[c.id, c.status, render_value(c.value, c.kind), c.detail] for c in result.checks],
        )
        if result.page is not None:
            detail = result.page.detail
            if raised is not None and detail == raised:
                detail = "not delivered (the error below says why)"
            for line in textwrap.wrap(f"page: {result.page.status}: {detail}", terminal.width):
                terminal.line(line)
        terminal.line("")
        for c in result.checks:
            counts[c.status] = counts.get(c.status, 0) + 1
    total = sum(counts.values())
    parts = ", ".join(f"{counts[s]} {s}" for s in ("fail", "error", "warn", "pass") if s in counts)
    at = report.now  # already in the team timezone (run_checks)
    terminal.line(
        f"{report.status}: {total} checks of {len(report.pipelines)} pipeline(s) ({parts}) "
        f"at {at:%Y-%m-%d %H:%M %Z}"
    )


def register(app: typer.Typer) -> None:
    app.command("check")(check)
