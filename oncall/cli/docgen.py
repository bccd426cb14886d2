"""Generate docs/cli.md, the command reference, from the app itself.

Run ``make docs`` (or ``python -m oncall.cli.docgen > docs/cli.md``); a test fails when the
committed file is out of date.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import typer

HEADER = """# Command reference

Generated from the app by `make docs`; do not edit by hand.

Shell completion: `oncall --install-completion` installs it for your shell (bash, zsh,
fish, PowerShell); `oncall --show-completion` prints it to copy into your own setup.
"""


def iter_commands(
    command: Any, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every command and group, depth first, in listing order (lazy groups included)."""
    yield path, command
    if not hasattr(command, "list_commands"):  # a group (typer 0.26+ has no click.Group)
        return
    ctx = typer.Context(command, info_name=" ".join(("oncall", *path)))
    for name in command.list_commands(ctx):
        child = command.get_command(ctx, name)
        if child is None or getattr(child, "hidden", False):
            continue
        yield from iter_commands(child, (*path, name))


def render_help(command: Any, path: tuple[str, ...]) -> str:
    ctx = typer.Context(
        command, info_name=" ".join(("oncall", *path)), terminal_width=80, max_content_width=80
    )
    return str(command.get_help(ctx))


def render_cli_markdown() -> str:
    from oncall.cli import app

    root = typer.main.get_command(app)
    parts = [HEADER]
    for path, command in iter_commands(root):
        title = " ".join(("oncall", *path))
        parts.append(f"## `{title}`\n\n```text\n{render_help(command, path).rstrip()}\n```\n")
    return "\n".join(parts)


def main() -> None:
    import sys

    sys.stdout.write(render_cli_markdown())


if __name__ == "__main__":
    main()
