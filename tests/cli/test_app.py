"""The app as a whole: version, entry points, help text and the generated reference."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from oncall import __version__
from oncall.cli import app, main
from oncall.cli.docgen import iter_commands, render_cli_markdown
from tests.conftest import REPO, Run


def _commands() -> list[tuple[tuple[str, ...], object]]:
    return list(iter_commands(typer.main.get_command(app)))


def test_version(oncall: Run) -> None:
    result = oncall("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"oncall {__version__}"


def test_python_dash_m_works(config_dir: Path) -> None:
    env = {**os.environ, "ONCALL_CONFIG_DIR": str(config_dir)}
    proc = subprocess.run(
        [sys.executable, "-m", "oncall", "owners", "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert '"aggregate-profit"' in proc.stdout


def test_main_returns_exit_codes(config_dir: Path, capsys: object) -> None:
    assert main(["owners", "no-such-pipeline"]) == 2
    assert main(["no-such-command"]) == 2
    assert main(["owners"]) == 0


def test_every_command_has_help_and_examples(oncall: Run) -> None:
    commands = _commands()
    assert len(commands) >= 5
    for path, command in commands:
        result = oncall(*path, "--help")
        assert result.exit_code == 0, path
        help_text = getattr(command, "help", None) or ""
        assert help_text.strip(), f"{path} has no help text"
        is_group = hasattr(command, "list_commands")  # typer 0.26+ has no click.Group
        if path and not is_group:
            assert "Examples:" in result.stdout, f"oncall {' '.join(path)} --help has no examples"


def test_every_command_has_a_docs_entry() -> None:
    text = (REPO / "docs" / "cli.md").read_text()
    for path, _ in _commands():
        assert f"## `{' '.join(('oncall', *path))}`" in text, path


def test_cli_reference_is_up_to_date() -> None:
    committed = (REPO / "docs" / "cli.md").read_text()
    assert committed == render_cli_markdown(), "docs/cli.md is out of date: run `make docs`"


@pytest.mark.parametrize(
    "args",
    [
        ("owners",),
        ("who", "--at", "2026-11-16T10:00"),
        ("who", "aggregate-growth", "--at", "2026-01-21T15:00"),
        ("schedule", "--from", "2026-11-01", "--weeks", "10", "--stats"),
        ("runbook", "list"),
        ("runbook", "show", "profit"),
        ("validate", "--now", "2026-11-21T10:00"),
    ],
)
def test_human_output_is_plain_and_fits_80_columns(
    oncall: Run, project: Path, args: tuple[str, ...]
) -> None:
    result = oncall(*args)
    assert result.exit_code == 0, result.stderr
    assert "\x1b[" not in result.stdout
    # File paths (here a long temporary directory) may run past the margin.
    lines = [line for line in result.stdout.splitlines() if str(project) not in line]
    # validate prints compiler-style findings, one per line, so CI can annotate them.
    if args[0] == "validate":
        lines = [line for line in lines if ": warning: " not in line]
    assert max(len(line) for line in lines) <= 80


def test_tables_show_on_a_terminal_that_reports_no_size(config_dir: Path) -> None:
    # A pty with no size set (script(1), some CI runners) reports 0 columns.
    import pexpect

    env = {**os.environ, "ONCALL_CONFIG_DIR": str(config_dir), "TERM": "xterm"}
    env.pop("NO_COLOR", None)
    child = pexpect.spawn(
        sys.executable, ["-m", "oncall", "owners"], env=env, dimensions=(0, 0), timeout=60
    )
    child.expect(pexpect.EOF)
    child.close()
    output = child.before.decode()
    assert child.exitstatus == 0, output
    assert "aggregate-profit" in output
    assert "\x1b[" in output  # a colour terminal: rich draws the table


def _at_exit(shown: str, argv: str, env: dict[str, str] | None = None) -> str:
    """What ``shown`` (an expression) is when ``main(argv)`` ends, in a fresh process run
    as ``oncall --version``: ``argv`` is ``""`` for the process entry, else a list."""
    probe = (
        "import atexit, gc, os, sys\n"
        f"atexit.register(lambda: print({shown}))\n"
        "from oncall.cli import main\n"
        "sys.argv = ['oncall', '--version']\n"
        f"main({argv})\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        env=env,
    )
    return done.stdout.split()[-1]


def test_only_the_process_entry_point_skips_the_collection_at_exit() -> None:
    frozen = "'frozen' if gc.get_freeze_count() else 'thawed'"
    for argv, want in (("", "frozen"), ("['--version']", "thawed")):
        assert _at_exit(frozen, argv) == want


def test_the_process_entry_point_looks_for_no_pydantic_plugins_unless_told() -> None:
    shown = "repr(os.environ.get('PYDANTIC_DISABLE_PLUGINS'))"
    cases = (("", None, "'__all__'"), ("['--version']", None, "None"), ("", "", "''"))
    for argv, preset, want in cases:
        env = {k: v for k, v in os.environ.items() if k != "PYDANTIC_DISABLE_PLUGINS"}
        if preset is not None:
            env["PYDANTIC_DISABLE_PLUGINS"] = preset  # set by the user: plugins stay on
        assert _at_exit(shown, argv, env) == want, (argv, preset)
