"""``oncall page``: paging people (``send``), the history (``list``, ``show``), the outbox
(``flush``).

``oncall page PIPELINE|PERSON --summary ...`` is a shorthand for ``oncall page send ...``.
The work happens in :mod:`oncall.services.paging`; this module parses options and renders
results. ``ack``, ``resolve`` and ``escalate`` are in :mod:`oncall.cli.page_actions`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import typer

from oncall.cli.common import (
    JSON_HELP,
    SuggestingGroup,
    close_to_command,
    get_config,
    resolve_now,
    unknown_command,
)
from oncall.cli.output import terminal
from oncall.errors import DeliveryError, OncallError, UsageError

if TYPE_CHECKING:
    from oncall.adapters.store import Store
    from oncall.reports.outbox import DeliveryOut, FlushReport
    from oncall.reports.paging import PageResult, PageView
    from oncall.services.paging.common import Paging

SEVERITIES = ("critical", "error", "warning", "info")
NOW_HELP = (
    "Act as if it were this instant ("
    "ISO 8601, or now, today, tomorrow, yesterday, monday, last monday, "
    "+3d, -2h, +1w; default now). For tests and replays."
)


class PageGroup(SuggestingGroup):
    """``oncall page X ...`` runs ``oncall page send X ...`` unless X is a subcommand."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and close_to_command(self, ctx, args[0]):
            unknown_command(self, ctx, args[0], cutoff=0.75)
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["send", *args]
        return super().parse_args(ctx, args)


page_app = typer.Typer(
    name="page",
    cls=PageGroup,
    no_args_is_help=True,
    rich_markup_mode=None,
    help="Page a pipeline's responder or a person, and see the paging history.\n\n"
    "oncall page PIPELINE|PERSON --summary TEXT is short for oncall page send ...",
)


# --------------------------------------------------------------------------- helpers


def load_setup(ctx: typer.Context) -> Paging:
    from oncall.services.paging.common import load_paging

    return load_paging(get_config(ctx))


@contextmanager
def open_page_store(ctx: typer.Context, paging: Paging | None = None) -> Iterator[Store]:
    """The team's store (its records only; the spool written back first); ``paging``'s
    config when the command has loaded it already (not read twice)."""
    from oncall.services.store import open_team_store

    cfg = paging.cfg if paging is not None else get_config(ctx)
    with open_team_store(cfg, say=terminal.warn) as store:
        yield store


def monotonic_clock(base: datetime) -> Callable[[], datetime]:
    """``base`` advanced by the real time elapsed since this call."""
    start = time.monotonic()
    return lambda: base + timedelta(seconds=time.monotonic() - start)


def _details(pairs: Sequence[str]) -> dict[str, object]:
    out: dict[str, object] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--detail {pair!r}: write it as KEY=VALUE, e.g. --detail lag=3h")
        out[key.strip()] = value
    return out


def fmt_time(t: datetime | None, tz: ZoneInfo) -> str:
    """``2026-11-20 10:31 IST``: every human time is shown in the team timezone."""
    from oncall.services.paging.common import time_label

    return "-" if t is None else time_label(t, tz)


def _history_tz(ctx: typer.Context) -> tuple[ZoneInfo, bool]:
    """The team timezone for ``list``/``show``; UTC (and False) when the config cannot be
    loaded: the history is read from the store and must stay readable mid-incident."""
    try:
        return get_config(ctx).team_tz, True
    except OncallError:
        return ZoneInfo("UTC"), False


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def render_deliveries(deliveries: Sequence[DeliveryOut], *, level: bool = False) -> None:
    if not deliveries:
        return
    columns = ["LEVEL"] if level else []
    columns += ["CHANNEL", "TO", "STATUS", "TRIES", "DETAIL"]
    rows = [
        ([str(d.level)] if level else [])
        + [d.channel, d.to, d.status, str(d.attempts), d.detail or "-"]
        for d in deliveries
    ]
    terminal.table(columns, rows)


def _report_failures(deliveries: Sequence[DeliveryOut]) -> None:
    """Each failed delivery once on stderr: a missing secret or bad setup (no attempt) is
    an error, a failed attempt a warning. The caller adds one summary line."""
    for d in deliveries:
        if d.status != "failed":
            continue
        text = f"{d.channel} to {d.to}: {d.detail}"
        if d.attempts == 0:
            terminal.error(text)
        else:
            terminal.warn(text)


# --------------------------------------------------------------------------- page send


@page_app.command("send")
def send(
    ctx: typer.Context,
    target: str = typer.Argument(..., metavar="PIPELINE|PERSON", help="Who to page."),
    summary: str = typer.Option(..., "--summary", "-s", help="What is wrong, in one line."),
    severity: str = typer.Option(
        "error", "--severity", metavar="LEVEL", help="critical, error, warning or info."
    ),
    detail: list[str] = typer.Option(
        [], "--detail", "-d", metavar="K=V", help="Extra detail for the page; repeatable."
    ),
    dedup_key: str | None = typer.Option(
        None,
        "--dedup-key",
        metavar="KEY",
        help="Pages with the same key while one is open are not sent twice "
        "(default: oncall/<target>/<hash of the summary>).",
    ),
    dry_run: bool = typer.Option(
        False,
        "--dry-run",
        help="Show who would be paged, through which channels and with which (masked) "
        "secrets; send and record nothing. Channels whose environment variables are not "
        "set are marked 'would fail'. Exit 0 if at least one channel could deliver, 2 if "
        "none could.",
    ),
    json_: bool = typer.Option(False, "--json", help=JSON_HELP),
    now: str | None = typer.Option(None, "--now", metavar="WHEN", help=NOW_HELP),
) -> None:
    """Page a pipeline's responder (or a person) through the urgency's channels.

    The urgency's channels are sent to at once; the page is delivered if any delivered.
    If none did, the other channels are tried in turn; if still nothing delivered, the
    page stays in the outbox for `oncall page flush` and the exit code is 3. Each failed
    delivery is reported once on stderr.

    Examples:

      oncall page aggregate-profit --summary "profit table is 3h stale" --detail lag=3h

      oncall page de2 --summary "please look at the growth dashboard" --severity warning

      oncall page aggregate-profit --summary "test" --dry-run
    """
    from oncall.services.paging.dryrun import dry_run_error, dry_run_verdict
    from oncall.services.paging.send import send_page, undelivered_error
    from oncall.services.store import open_store_or_spool

    if severity not in SEVERITIES:
        raise UsageError(f"--severity {severity!r}: use one of {', '.join(SEVERITIES)}")
    if not summary.strip():
        raise UsageError("--summary must not be empty: say what is wrong")
    paging = load_setup(ctx)
    when = resolve_now(now, paging.cfg.team_tz, option="--now")
    spooling = nullcontext(None) if dry_run else open_store_or_spool(paging.cfg, say=terminal.warn)
    with spooling as store:
        result = send_page(
            paging,
            target=target,
            summary=summary,
            severity=severity,  # type: ignore[arg-type]  # checked against SEVERITIES above
            details=_details(detail),
            dedup_key=dedup_key,
            now=when,
            dry_run=dry_run,
            store=store,
        )
    tz = paging.cfg.team_tz
    if json_:
        terminal.json(result)
    else:
        render_page_result(result, tz)
    if result.outcome == "dry-run":
        error = dry_run_error(paging, result)
        if error is not None:
            raise error
        verdict = dry_run_verdict(paging, result)
        if verdict.failing:
            missing = f" ({', '.join(verdict.missing)} not set)" if verdict.missing else ""
            terminal.warn(
                f"{', '.join(verdict.failing)} would fail{missing}; the page would still be "
                f"delivered through {verdict.deliverable[0]}"
            )
        return
    _report_failures(result.deliveries)
    if result.outcome == "undelivered":
        raise undelivered_error(result)
    failed = {d.channel for d in result.deliveries if d.status == "failed"}
    if failed:
        sent = sorted({d.channel for d in result.deliveries if d.status == "sent"})
        terminal.warn(
            f"page {result.page_id} was delivered through {', '.join(sent)}; "
            f"{plural(len(failed), 'channel')} failed (above)"
        )


def render_page_result(result: PageResult, tz: ZoneInfo) -> None:
    what = result.pipeline or result.target
    head = {
        "delivered": f"paged {what}: page {result.page_id}",
        "queued": f"queued {what} for after quiet hours ({fmt_time(result.hold_until, tz)}): "
        f"page {result.page_id}",
        "suppressed": f"not sent: page {result.page_id} with this dedup key is still open",
        "undelivered": f"NOT delivered: page {result.page_id} is kept in the outbox",
        "dry-run": f"dry run: nothing sent or recorded for {what}",
    }[result.outcome]
    terminal.line(head)
    terminal.line(f"  urgency     {result.urgency}, severity {result.severity}")
    terminal.line(f"  summary     {result.summary}")
    terminal.line(f"  dedup key   {result.dedup_key}")
    terminal.line(f"  responder   {result.responder or 'nobody resolved: the channels only'}")
    terminal.line(f"  escalation  {' -> '.join(result.escalation) or '-'}")
    terminal.line("")
    render_deliveries(result.deliveries)


# --------------------------------------------------------------------------- list / show


@page_app.command("list")
def list_(
    ctx: typer.Context,
    open_: bool = typer.Option(False, "--open", help="Only open and acknowledged pages."),
    limit: int = typer.Option(50, "--limit", min=1, max=10_000, help="At most this many."),
    json_: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """The paging history, newest first, with each page's deliveries.

    Needs no secrets: it reads the local store ($ONCALL_STATE_DB). Times are in the team
    timezone (UTC if the config cannot be loaded); --json gives ISO 8601 with offsets.

    Examples:

      oncall page list --open

      oncall page list --json
    """
    from oncall.services.paging.views import list_pages

    with open_page_store(ctx) as store:
        pages = list_pages(store, open_only=open_, limit=limit)
    if json_:
        terminal.json(pages)
        return
    if not pages:
        terminal.line("no open pages" if open_ else "no pages yet")
        return
    tz, configured = _history_tz(ctx)
    rows = [
        [
            p.page_id,
            p.status + (" (notice)" if p.kind == "notice" else "") + _outbox_note(p),
            p.pipeline or p.target,
            p.responder + (f" L{p.level}" if p.level or p.round else ""),
            f"{p.created.astimezone(tz):%m-%d %H:%M}",
            p.summary,
        ]
        for p in pages
    ]
    terminal.table(["ID", "STATUS", "TARGET", "PAGED", "CREATED", "SUMMARY"], rows)
    zone = f"{tz.key}, the team timezone" if configured else "UTC: the config did not load"
    terminal.line(f"(CREATED in {zone}; details: oncall page show ID)")


def _outbox_note(view: PageView) -> str:
    if view.outbox:
        return ", in outbox"
    if view.deliveries and not any(d.status == "sent" for d in view.deliveries):
        return ", not sent"
    return ""


@page_app.command("show")
def show(
    ctx: typer.Context,
    ref: str = typer.Argument(..., metavar="PAGE_ID|DEDUP_KEY"),
    json_: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """One page: who, status, escalation, every delivery and what waits in the outbox.

    Examples:

      oncall page show p-1a2b3c4d5e6f

      oncall page show oncall/aggregate-profit/1f2e3d4c5b6a7988 --json
    """
    from oncall.services.paging.views import show_page

    with open_page_store(ctx) as store:
        view = show_page(store, ref)
    if json_:
        terminal.json(view)
        return
    tz, _ = _history_tz(ctx)
    terminal.line(f"page {view.page_id} ({view.kind}): {view.status}")
    rows = [
        ("summary", view.summary),
        ("target", view.target + (f" (pipeline {view.pipeline})" if view.pipeline else "")),
        ("urgency", f"{view.urgency}, severity {view.severity}"),
        ("dedup key", view.dedup_key),
        ("responder", view.responder),
        ("escalation", " -> ".join(view.escalation) or "-"),
        ("position", f"level {view.level}, round {view.round}"),
        ("created", fmt_time(view.created, tz)),
        ("acked", f"{fmt_time(view.acked_at, tz)} by {view.acked_by}" if view.acked_at else "-"),
        ("resolved", fmt_time(view.resolved_at, tz)),
        ("escalates", fmt_time(view.next_escalation_at, tz)),
    ]
    for key, value in rows:
        terminal.line(f"  {key:<11} {value}")
    for k, v in view.details.items():
        terminal.line(f"  detail      {k}: {v}")
    terminal.line("")
    render_deliveries(view.deliveries, level=True)
    for item in view.outbox:
        terminal.line(
            f"outbox: level {item.level} via {', '.join(item.channels)} not before "
            f"{fmt_time(item.not_before, tz)}, {plural(item.attempts, 'failed attempt')}"
            + (f": {item.last_error}" if item.last_error else "")
        )


# --------------------------------------------------------------------------- flush


@page_app.command("flush")
def flush(
    ctx: typer.Context,
    now: str | None = typer.Option(None, "--now", metavar="WHEN", help=NOW_HELP),
    limit: int = typer.Option(1000, "--limit", min=1, help="At most this many items per run."),
    json_: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Send what waits in the outbox and is due (undelivered pages, quiet-hours holds).

    Safe on several machines sharing one store: each item is claimed by one of them.
    An item that still fails waits 1 min, 2 min, ... up to 1 h before the next try.
    Exit 3 if any item could not be sent.

    Examples:

      oncall page flush

      oncall page flush --json   (from cron, every minute)
    """
    from oncall.adapters.collector import collector_paused

    with collector_paused():  # imports, setup and sends: long-lived or short-lived, no cycles
        from oncall.services.paging.outbox import flush_outbox

        paging = load_setup(ctx)
        base = resolve_now(now, paging.cfg.team_tz, option="--now")
        with open_page_store(ctx, paging) as store:
            report = flush_outbox(paging, store, monotonic_clock(base), limit=limit)
    if json_:
        terminal.json(report)
    else:
        render_flush(report, paging.cfg.team_tz)
    failed = [i for i in report.items if i.outcome == "failed"]
    if failed:
        raise DeliveryError(
            f"{plural(len(failed), 'outbox item')} could not be sent and stay in the outbox: "
            + "; ".join(f"page {i.page_id}: {_first_failure(i.deliveries)}" for i in failed)
        )


def _first_failure(deliveries: Sequence[DeliveryOut]) -> str:
    return next((f"{d.channel}: {d.detail}" for d in deliveries if d.status == "failed"), "-")


def render_flush(report: FlushReport, tz: ZoneInfo) -> None:
    if not report.items:
        terminal.line(f"outbox: nothing due ({report.remaining} waiting)")
        return
    rows = [
        [
            i.page_id,
            str(i.level),
            i.outcome,
            ", ".join(f"{d.channel}:{d.status}" for d in i.deliveries) or "-",
            fmt_time(i.next_attempt, tz),
        ]
        for i in report.items
    ]
    terminal.table(["PAGE", "LEVEL", "OUTCOME", "DELIVERIES", "NEXT TRY"], rows)
    terminal.line(f"{report.remaining} item(s) left in the outbox")


def register(app: typer.Typer) -> None:
    app.add_typer(page_app, name="page")
