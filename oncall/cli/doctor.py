"""``oncall doctor``: what works and what does not, each problem with its fix."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from oncall.cli.common import JSON_HELP, config_dir, resolve_now
from oncall.cli.output import terminal

if TYPE_CHECKING:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from oncall.reports.doctor import DoctorReport

_STATUS_LABEL = {"ok": "ok", "warn": "warn", "fail": "FAIL", "skip": "skip"}


def doctor(
    ctx: typer.Context,
    now: str | None = typer.Option(
        None,
        "--now",
        metavar="WHEN",
        help="Judge config and state at this instant ("
        "ISO 8601, or now, today, tomorrow, yesterday, monday, last monday, "
        "+3d, -2h, +1w; default now, team timezone).",
    ),
    json_: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Check that everything oncall needs works, and say how to fix what does not.

    Checks the config (as validate does), every holiday calendar in use, every state
    source (local files parse; Cloud Monitoring answers with these credentials), every
    paging channel (its variables are set and its endpoint answers: an HTTP HEAD of the
    host or an SMTP handshake; no page is ever sent) and the state store (writable).
    Probes run concurrently, each with a time limit. Secrets are never shown: URLs from
    environment variables appear as host and port only.

    Exit 0 when nothing failed (warnings allowed), 1 when a check failed.

    Examples:

      oncall doctor

      oncall doctor --json

      ONCALL_CONFIG_DIR=/srv/oncall/config oncall doctor --now 2026-11-20T09:00
    """
    from oncall.services.doctor import run_doctor

    with terminal.status("Running checks..."):
        report = run_doctor(config_dir(ctx), now_text=now, resolve_now=_resolve_now)
    if json_:
        terminal.json(report)
    else:
        render_doctor(report)
    raise typer.Exit(0 if report.ok else 1)


def _resolve_now(value: str | None, tz: ZoneInfo) -> datetime:
    return resolve_now(value, tz, option="--now")


def render_doctor(report: DoctorReport) -> None:
    rows: list[list[str]] = []
    for check in report.checks:
        text = check.detail
        if check.fix and check.status != "ok":
            text += f"\nfix: {check.fix}"
        rows.append([_STATUS_LABEL[check.status], check.name, text])
    terminal.table(["status", "check", "detail"], rows)
    counts = {s: sum(1 for c in report.checks if c.status == s) for s in _STATUS_LABEL}
    parts = [f"{counts[s]} {word}" for s, word in _WORDS if counts[s]]
    verdict = "all good" if report.ok else "problems found"
    terminal.line("")
    terminal.line(f"{verdict}: {', '.join(parts)}")


_WORDS = (("fail", "failed"), ("warn", "warning(s)"), ("ok", "ok"), ("skip", "skipped"))


def register(app: typer.Typer) -> None:
    app.command("doctor")(doctor)
