"""``oncall ack``, ``resolve`` and ``escalate``: what happens to a page after it is sent.

The work happens in :mod:`oncall.services.paging` (``actions``, ``escalate``); this module
parses options and renders results.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import typer

from oncall.cli.common import JSON_HELP, resolve_now, sleeper
from oncall.cli.output import terminal
from oncall.cli.page import (
    NOW_HELP,
    fmt_time,
    load_setup,
    monotonic_clock,
    open_page_store,
    plural,
    render_deliveries,
)
from oncall.errors import DeliveryError, UsageError

if TYPE_CHECKING:
    from oncall.reports.paging import ActionResult, EscalationReport


# --------------------------------------------------------------------------- ack / resolve


def _operator() -> str:
    configured = os.environ.get("ONCALL_OPERATOR", "").strip()
    if configured:
        return configured
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _action(ctx: typer.Context, ref: str, action: str, by: str | None, now: str | None) -> Any:
    from oncall.services.paging.actions import acknowledge_page, action_error, resolve_page

    paging = load_setup(ctx)
    when = resolve_now(now, paging.cfg.team_tz, option="--now")
    fn = acknowledge_page if action == "ack" else resolve_page
    with open_page_store(ctx, paging) as store:
        result = fn(paging, store, ref, by=by or _operator(), now=when)
    return result, action_error(result)


def ack(
    ctx: typer.Context,
    ref: str = typer.Argument(..., metavar="PAGE_ID|DEDUP_KEY"),
    by: str | None = typer.Option(
        None, "--by", metavar="WHO", help="Who acknowledges (default $ONCALL_OPERATOR or you)."
    ),
    now: str | None = typer.Option(None, "--now", metavar="WHEN", help=NOW_HELP),
    json_: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Acknowledge a page: escalation stops; PagerDuty and Slack are told.

    Examples:

      oncall ack p-1a2b3c4d5e6f

      oncall ack oncall/aggregate-profit/1f2e3d4c5b6a7988 --by de2
    """
    result, error = _action(ctx, ref, "ack", by, now)
    _render_action(result, json_)
    if error is not None:
        raise error


def resolve(
    ctx: typer.Context,
    ref: str = typer.Argument(..., metavar="PAGE_ID|DEDUP_KEY"),
    by: str | None = typer.Option(None, "--by", metavar="WHO", help="Who resolves."),
    now: str | None = typer.Option(None, "--now", metavar="WHEN", help=NOW_HELP),
    json_: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Resolve a page: it closes (the dedup key is free again); PagerDuty and Slack are told.

    Examples:

      oncall resolve p-1a2b3c4d5e6f

      oncall resolve oncall/aggregate-profit/1f2e3d4c5b6a7988
    """
    result, error = _action(ctx, ref, "resolve", by, now)
    _render_action(result, json_)
    if error is not None:
        raise error


def _render_action(result: ActionResult, json_: bool) -> None:
    if json_:
        terminal.json(result)
        return
    verb = "acknowledged" if result.action == "acknowledge" else "resolved"
    if result.changed:
        terminal.line(f"page {result.page_id} {verb}" + (f" by {result.by}" if result.by else ""))
    else:
        terminal.line(f"page {result.page_id} was already {result.status}")
    render_deliveries(result.deliveries)


# --------------------------------------------------------------------------- escalate


def escalate(
    ctx: typer.Context,
    watch: str | None = typer.Option(
        None,
        "--watch",
        metavar="INTERVAL",
        help="Keep running, every INTERVAL (e.g. 30s, 1m); stop with Ctrl-C.",
    ),
    now: str | None = typer.Option(None, "--now", metavar="WHEN", help=NOW_HELP),
    json_: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Page the next person for every open page not acknowledged within its ack_timeout.

    Goes through the escalation chain, then round it again `repeat` times; a person with
    no contact for the urgency's channels is skipped. Safe from cron on several machines
    sharing one store: each step is taken by exactly one. Exit 3 if an escalation could
    not be delivered (it stays in the outbox for `oncall page flush`).

    Examples:

      oncall escalate

      oncall escalate --watch 1m
    """
    from oncall.domain.timeutil import parse_duration
    from oncall.services.paging.escalate import run_escalations

    interval = None
    if watch is not None:
        try:
            interval = parse_duration(watch).total_seconds()
        except ValueError as exc:
            raise UsageError(f"--watch: {exc}") from None
        if interval <= 0:
            raise UsageError("--watch: the interval must be greater than zero")
    paging = load_setup(ctx)
    clock = monotonic_clock(resolve_now(now, paging.cfg.team_tz, option="--now"))
    sleep = sleeper(ctx)
    with open_page_store(ctx, paging) as store:
        while True:
            report = run_escalations(paging, store, clock)
            if json_:
                terminal.json(report)
            else:
                render_escalations(report, paging.cfg.team_tz, quiet=interval is not None)
            if interval is None:
                break
            sleep(interval)  # Ctrl-C ends the loop: exit 130 at the error boundary
    undelivered = [e for e in report.escalations if e.outcome == "undelivered"]
    if undelivered:
        raise DeliveryError(
            f"{plural(len(undelivered), 'escalation')} could not be delivered and wait in the "
            "outbox: "
            + "; ".join(f"page {e.page_id} to {e.person}" for e in undelivered)
            + "; run `oncall page flush` once the cause is fixed"
        )


def render_escalations(report: EscalationReport, tz: ZoneInfo, *, quiet: bool = False) -> None:
    if not report.escalations:
        if not quiet:
            terminal.line(f"nothing to escalate at {fmt_time(report.at, tz)}")
        return
    for e in report.escalations:
        skipped = f" (skipped {', '.join(e.skipped)}: no contact)" if e.skipped else ""
        text = {
            "escalated": f"page {e.page_id}: escalated to {e.person} (level {e.level}, "
            f"round {e.round}){skipped}",
            "undelivered": f"page {e.page_id}: escalation to {e.person} NOT delivered, kept in "
            f"the outbox{skipped}",
            "exhausted": f"page {e.page_id}: the escalation chain is exhausted{skipped}",
            "taken": f"page {e.page_id}: another process escalated it",
        }[e.outcome]
        terminal.line(text)
        if e.next_escalation_at is not None:
            terminal.line(f"  next escalation {fmt_time(e.next_escalation_at, tz)}")
        render_deliveries(e.deliveries)


def register(app: typer.Typer) -> None:
    app.command("ack")(ack)
    app.command("resolve")(resolve)
    app.command("escalate")(escalate)
