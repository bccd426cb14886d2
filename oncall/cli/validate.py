"""``oncall validate``: every problem in the config, runbooks and paging setup."""

from __future__ import annotations

import typer

from oncall.cli.common import JSON_HELP, config_dir, resolve_now
from oncall.cli.output import terminal


def validate(
    ctx: typer.Context,
    json_: bool = typer.Option(False, "--json", help=JSON_HELP),
    now: str | None = typer.Option(
        None,
        "--now",
        help="Judge upcoming conflicts from this instant ("
        "ISO 8601, or now, today, tomorrow, yesterday, monday, last monday, "
        "+3d, -2h, +1w; default now).",
    ),
) -> None:
    """Check every config file and list every problem, not only the first.

    Reports each as FILE:LINE:COL: error|warning: message. Exit 0 when there are no
    errors (warnings allowed), 1 when errors were found.

    Examples:

      oncall validate

      oncall --config-dir ./config validate --json
    """
    from oncall.services.validation import compute_validation

    report = compute_validation(config_dir(ctx), now_text=now, resolve_now=resolve_now)
    if json_:
        terminal.json(report)
    else:
        for f in report.findings:
            terminal.line(f"{f.file}:{f.line}:{f.col}: {f.severity}: {f.message}")
        summary = f"{report.errors} error(s), {report.warnings} warning(s)"
        terminal.line(("config is valid: " if report.ok else "config has problems: ") + summary)
    if not report.ok:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("validate")(validate)
