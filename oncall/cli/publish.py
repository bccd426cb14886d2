"""``oncall publish``: the schedule as PagerDuty overrides and the Slack on-call user group."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import typer

from oncall.cli.common import (
    JSON_HELP,
    SuggestingGroup,
    get_config,
    parse_when,
    resolve_now,
    sleeper,
)
from oncall.cli.output import terminal
from oncall.errors import PublishUnavailableError

if TYPE_CHECKING:
    from oncall.adapters.store import Store
    from oncall.config import Config
    from oncall.reports.publish import PagerDutyPublishOut, SlackGroupOut
    from oncall.services.publish.common import Retry

publish_app = typer.Typer(
    cls=SuggestingGroup,
    name="publish",
    invoke_without_command=True,
    rich_markup_mode=None,
    help="Publish the schedule: PagerDuty schedule overrides, the Slack on-call user group, "
    "handoff and change notices (config/publish.yaml, docs/publish.md).\n\n"
    "oncall publish alone runs every configured target.",
)

DRY_RUN_HELP = "Show what would change (and the notices) and write nothing."


@contextmanager
def _store(cfg: Config, dry_run: bool) -> Iterator[Store | None]:
    """The team's store; a dry run only reads it: no file is created (None when there is none)
    and the spool is not written back."""
    from oncall.services.store import open_team_store

    if dry_run:
        from oncall.adapters.store import open_store
        from oncall.services.store import resolve_store_location, resolve_team_id

        location = resolve_store_location(cfg)
        if location.path is not None and not location.path.is_file():
            yield None
            return
        with open_store(location, team=resolve_team_id(cfg)) as db:
            yield db
        return
    with open_team_store(cfg, say=terminal.warn) as store:
        yield store


def _retry(ctx: typer.Context) -> Retry:
    from oncall.services.paging.common import backoff_base
    from oncall.services.publish.common import Retry

    return Retry(backoff_base=backoff_base(), sleep=sleeper(ctx))


def _start(cfg: Config, from_: str | None, now: datetime) -> datetime:
    return parse_when(from_, cfg.team_tz, option="--from") if from_ is not None else now


@publish_app.callback()
def publish(
    ctx: typer.Context,
    dry_run: bool = typer.Option(False, "--dry-run", help=DRY_RUN_HELP),
    json_: bool = typer.Option(False, "--json", help=JSON_HELP),
    at: str | None = typer.Option(None, "--now", help="Pretend it is this instant (ISO 8601)."),
) -> None:
    """Publish to every configured target (PagerDuty for 8 weeks from now, then Slack).

    Examples:

      oncall publish --dry-run

      oncall publish pagerduty --json
    """
    if ctx.invoked_subcommand is not None:
        return
    from oncall.services.publish.run import run_all

    cfg = get_config(ctx)
    now = resolve_now(at, cfg.team_tz, option="--now")
    with _store(cfg, dry_run) as store:
        report = run_all(cfg, store, now=now, start=now, dry_run=dry_run, retry=_retry(ctx))
    if json_:
        terminal.json(report)
    else:
        _render_pagerduty(report.pagerduty)
        _render_slack(report.slack)
    _fail_on_rejected(report.pagerduty)


@publish_app.command("pagerduty")
def pagerduty(
    ctx: typer.Context,
    rotation: str | None = typer.Option(None, "--rotation", help="Only this rotation."),
    from_: str | None = typer.Option(
        None,
        "--from",
        metavar="WHEN",
        help="Window start (a date alone: midnight, team timezone). Default: now.",
    ),
    weeks: int = typer.Option(8, "--weeks", min=1, max=52, help="Window length in weeks."),
    dry_run: bool = typer.Option(False, "--dry-run", help=DRY_RUN_HELP),
    json_: bool = typer.Option(
        False, "--json", help=JSON_HELP + " A list with one object per rotation."
    ),
    at: str | None = typer.Option(None, "--now", help="Pretend it is this instant (ISO 8601)."),
) -> None:
    """Make a PagerDuty schedule's overrides in [from, from + weeks) give exactly our schedule.

    Whole shifts: the window ends on the handoff after from + weeks, so a daily run rewrites
    nothing. Keeps what matches, creates what is missing, deletes overrides it published
    earlier that no longer match; overrides made by hand are never deleted (listed as
    conflicts). Exit 3 when PagerDuty is unreachable or rejects an override, or another run
    is publishing; 2 for config or mapping errors.

    Examples:

      oncall publish pagerduty --dry-run

      oncall publish pagerduty --rotation primary --from 2026-12-01 --weeks 12
    """
    from oncall.services.publish.run import run_pagerduty

    cfg = get_config(ctx)
    now = resolve_now(at, cfg.team_tz, option="--now")
    start = _start(cfg, from_, now)
    with _store(cfg, dry_run) as store:
        results = run_pagerduty(
            cfg,
            store,
            now=now,
            start=start,
            weeks=weeks,
            rotation=rotation,
            dry_run=dry_run,
            retry=_retry(ctx),
        )
    if json_:
        terminal.json(results)
    else:
        _render_pagerduty(results)
    _fail_on_rejected(results)


@publish_app.command("slack")
def slack(
    ctx: typer.Context,
    at: str | None = typer.Option(
        None, "--now", metavar="WHEN", help="Pretend it is this instant (ISO 8601)."
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help=DRY_RUN_HELP),
    json_: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Make each on-call user group name exactly the holder at now; post handoff notices.

    Updates a group only when its members differ. Meant for cron every 15 minutes, from one
    or several machines.

    Examples:

      oncall publish slack

      oncall publish slack --dry-run --now 2026-01-12T09:00
    """
    from oncall.services.publish.run import run_slack

    cfg = get_config(ctx)
    now = resolve_now(at, cfg.team_tz, option="--now")
    with _store(cfg, dry_run) as store:
        results = run_slack(cfg, store, now=now, dry_run=dry_run, retry=_retry(ctx))
    if json_:
        terminal.json(results)
    else:
        _render_slack(results)


def _fail_on_rejected(results: Sequence[PagerDutyPublishOut]) -> None:
    rejected = [(r, x) for r in results for x in r.rejected]
    if rejected:
        parts = [
            f"{r.schedule} {x.person} {x.start:%Y-%m-%d %H:%M}Z: HTTP {x.status} "
            + "; ".join(x.errors)
            for r, x in rejected
        ]
        raise PublishUnavailableError(
            f"PagerDuty rejected {len(rejected)} override(s): " + " | ".join(parts)
        )


def _span(start: datetime, end: datetime) -> str:
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    return f"{start:%Y-%m-%d %H:%M} → {end:%Y-%m-%d %H:%M} UTC"


def _render_pagerduty(results: Sequence[PagerDutyPublishOut]) -> None:
    for r in results:
        terminal.heading(
            f"PagerDuty schedule {r.schedule} ← rotation {r.rotation}"
            f"{' (dry run)' if r.dry_run else ''}: {_span(r.window.from_, r.window.to)}"
        )
        rows = [
            *[["create", o.person or o.user, _span(o.start, o.end), o.why] for o in r.created],
            *[["delete", o.person or o.user, _span(o.start, o.end), o.id or ""] for o in r.deleted],
            *[
                [
                    "conflict",
                    o.person or o.user,
                    _span(o.start, o.end),
                    f"{o.id}: made by hand, left alone",
                ]
                for o in r.conflicts
            ],
            *[
                ["rejected", x.person, _span(x.start, x.end), "; ".join(x.errors)]
                for x in r.rejected
            ],
        ]
        if rows:
            terminal.table(["action", "who", "when", "note"], rows)
        if r.dry_run:
            summary = (
                f"dry run, nothing written: {len(r.created)} to create, {len(r.deleted)} to "
                f"delete, {r.kept} to keep, {len(r.conflicts)} conflicts"
            )
        else:
            summary = (
                f"{len(r.created)} created, {len(r.deleted)} deleted, {r.kept} kept, "
                f"{len(r.conflicts)} conflicts"
            )
        terminal.line(summary)
        for n in r.notices:
            status = "would send" if n.status == "planned" else n.status
            terminal.line(
                f"notice to {n.person} via {n.via}: {status}"
                + (f" ({n.detail})" if n.detail else "")
            )
            terminal.line(f"  before: {'; '.join(n.before) or 'none'}")
            terminal.line(f"  after:  {'; '.join(n.after) or 'none'}")
            terminal.line(f"  why:    {'; '.join(n.why) or 'a change in the schedule'}")


def _render_slack(results: Sequence[SlackGroupOut]) -> None:
    for g in results:
        dry = " (dry run)" if g.dry_run else ""
        if g.holder is None:
            terminal.line(f"Slack group {g.usergroup} ({g.rotation}){dry}: {g.note}")
            continue
        change = ("would update" if g.dry_run else "updated") if g.updated else "unchanged"
        terminal.line(
            f"Slack group {g.usergroup} ({g.rotation}){dry}: {change}; on call: {g.holder}"
        )
        if g.handoff is not None:
            terminal.line(
                f"handoff notice {'posted' if g.handoff.posted else 'to post'} in "
                f"{g.handoff.channel}:"
            )
            for line in g.handoff.text.splitlines():
                terminal.line(f"  {line}")


def register(app: typer.Typer) -> None:
    app.add_typer(publish_app, name="publish")
