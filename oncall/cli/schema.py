"""``oncall schema``: JSON Schema of every config and runbook file, for editors and CI."""

from __future__ import annotations

from pathlib import Path

import typer

from oncall.cli.output import terminal
from oncall.errors import UsageError


def schema(
    name: str | None = typer.Argument(
        None, help="Only this schema: owners, rotation, state, paging or runbook."
    ),
    output: Path | None = typer.Option(
        None,
        "--output",
        "-o",
        metavar="DIR",
        help="Write DIR/<name>.schema.json (atomically) instead of printing.",
    ),
    json_: bool = typer.Option(
        False, "--json", help="With --output: list the files written as JSON instead of a table."
    ),
) -> None:
    """JSON Schema (draft 2020-12) of each config and runbook file.

    Generated from the same models that validate the files, so an editor flags the
    same unknown keys and wrong types as `oncall validate`. Without --output it prints
    one JSON object {name: schema} (or, with NAME, that schema alone). The project
    ships them in schemas/; see docs/editors.md for the VS Code setup.

    Examples:

      oncall schema

      oncall schema runbook > runbook.schema.json

      oncall schema --output schemas
    """
    from oncall.config.schema import SCHEMA_FILES, compute_schema, write_schemas

    names = list(SCHEMA_FILES)
    if name is not None and name not in SCHEMA_FILES:
        raise UsageError(f"unknown schema '{name}'; known: {', '.join(names)}")
    wanted = [name] if name is not None else names
    if output is None:
        schemas = {n: compute_schema(n) for n in wanted}
        terminal.json(schemas[wanted[0]] if name is not None else schemas)
        return
    if output.exists() and not output.is_dir():
        raise UsageError(f"--output {output}: not a directory")
    report = write_schemas(output, wanted)
    if json_:
        terminal.json(report)
        return
    terminal.table(
        ["Schema", "File", "Describes", "Status"],
        [
            [f.name, f.path, f.describes, "written" if f.changed else "up to date"]
            for f in report.files
        ],
    )


def register(app: typer.Typer) -> None:
    app.command("schema")(schema)
