"""The ``oncall`` command line: the app, its command groups, and the single error boundary.

Exit codes: 0 ok, 1 a check or validation found problems, 2 usage or config error,
3 an external system is unavailable, 130 interrupted. A traceback is shown only with
``ONCALL_DEBUG=1``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import typer

from oncall import __version__
from oncall.cli.common import SuggestingGroup
from oncall.errors import OncallError

EPILOG = (
    "Docs: docs/ in the project, or `oncall COMMAND --help`. Exit codes: 0 ok, "
    "1 problems found, 2 usage/config error, 3 external system unavailable, 130 interrupted."
)


def _debug() -> bool:
    return os.environ.get("ONCALL_DEBUG", "") not in ("", "0")


class OncallGroup(SuggestingGroup):
    """The one place errors become messages and exit codes; commands load lazily."""

    def list_commands(self, ctx: Any) -> list[str]:
        return [*super().list_commands(ctx), *COMMANDS]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        found = super().get_command(ctx, cmd_name)
        if found is None and cmd_name in COMMANDS:
            found = load_command(cmd_name)
        return found

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (Exception, KeyboardInterrupt) as exc:
            ctx.exit(exit_code_for(exc))


def exit_code_for(exc: BaseException) -> int:
    """The single error boundary: tell the user what went wrong and return the exit code.

    Used for errors inside a command (``OncallGroup.invoke``) and outside one (``main``).
    Click's own exits, aborts and usage errors keep their meaning. With ``ONCALL_DEBUG=1``
    everything else also prints its traceback; the exit code stays the same.
    """
    # typer <= 0.25 raises click's ClickException, 0.26+ its own copy (typer._click): take
    # the class from typer, so usage errors keep exit code 2 with either.
    click_exception = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")
    if isinstance(exc, typer.Exit):
        return int(exc.exit_code or 0)
    if isinstance(exc, typer.Abort):
        _print_error("aborted")
        return 130
    if isinstance(exc, click_exception):
        exc.show()  # type: ignore[attr-defined]
        return int(exc.exit_code)  # type: ignore[attr-defined]
    if isinstance(exc, BrokenPipeError):
        # The reader went away (`oncall schedule | head`): stop quietly.
        _silence_stdout()
        return 141
    if _debug():  # the traceback too, but the same exit code (3 stays 3)
        import traceback

        traceback.print_exception(exc, file=sys.stderr)
    if isinstance(exc, OncallError):
        _print_error(str(exc))
        return exc.exit_code
    if isinstance(exc, KeyboardInterrupt):
        _print_error("interrupted")
        return 130
    if isinstance(exc, OSError):
        # A file we were told to read or write (--output, DIR): the user's to fix.
        where = f"{exc.filename}: " if exc.filename else ""
        _print_error(f"cannot use {where}{exc.strerror or exc}")
        return 3 if isinstance(exc, (ConnectionError, TimeoutError)) else 2
    if isinstance(exc, Exception):
        _print_error(
            f"internal error: {type(exc).__name__}: {exc} "
            "(this is a bug; run again with ONCALL_DEBUG=1 for the traceback and report it)"
        )
        return 1
    raise exc


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _print_error(message: str) -> None:
    for line in message.splitlines() or [message]:
        prefix = "" if ": error: " in line or ": warning: " in line else "oncall: "
        sys.stderr.write(f"{prefix}{line}\n")
    sys.stderr.flush()


app = typer.Typer(
    name="oncall",
    cls=OncallGroup,
    help=(
        "Who owns this pipeline and who is on call right now: holiday-aware rotations, "
        "live runbooks and paging for data-engineering teams."
    ),
    epilog=EPILOG,
    no_args_is_help=True,
    add_completion=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"oncall {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    ctx: typer.Context,
    config_dir: Path | None = typer.Option(
        None,
        "--config-dir",
        help="Directory with owners.yaml and rotation.yaml (default: $ONCALL_CONFIG_DIR, "
        "else config/ here or in the nearest parent).",
        metavar="DIR",
    ),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    """Who owns this pipeline and who is on call right now."""
    # Embedders and tests may pass their own ``obj`` (e.g. {"sleep": fake}); keep it.
    ctx.obj = {**(ctx.obj if isinstance(ctx.obj, dict) else {}), "config_dir": config_dir}


# Command name -> the module that defines it. A module is imported only when one of its
# commands runs (or for the full --help listing), so `oncall who` loads no other command.
COMMANDS: dict[str, str] = {
    "owners": "owners",
    "validate": "validate",
    "who": "who",
    "shifts": "shifts",
    "override": "override",
    "swap": "swap",
    "cover": "swap",
    "schedule": "schedule",
    "runbook": "runbook",
    "check": "check",
    "state": "state",
    "page": "page",
    "ack": "page_actions",
    "resolve": "page_actions",
    "escalate": "page_actions",
    "calendar": "calendar",
    "init": "init",
    "schema": "schema",
    "doctor": "doctor",
    "store": "store",
    "publish": "publish",
}


def load_command(name: str) -> Any:
    """The click command ``name``, built from the module that registers it."""
    import importlib

    module = importlib.import_module(f"oncall.cli.{COMMANDS[name]}")
    holder = typer.Typer(rich_markup_mode=None, pretty_exceptions_enable=False)

    @holder.callback()
    def _holder() -> None:
        """Placeholder so typer always builds a group."""

    module.register(holder)
    group = typer.main.get_command(holder)
    return group.commands[name]  # type: ignore[attr-defined]


def main(argv: list[str] | None = None) -> int:
    """Console entry point. Returns the process exit code.

    On an interrupt (130) the process ends at once: work still running in background
    threads (a slow Cloud Monitoring query) is abandoned instead of awaited. Everything
    the store holds was committed as it happened, so a run stays resumable.
    """
    if argv is None:  # the process's own entry point: not in tests, not as a library
        _without_pydantic_plugins()
    code = _main(argv)
    if code == 130:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(130)
    if argv is None:  # the process's own entry point (tests pass arguments): it ends now
        _skip_exit_collection()
    return code


def _without_pydantic_plugins() -> None:
    """Do not look for pydantic plugins: the command's own models need none, and finding
    them means importing importlib.metadata and reading every installed package's entry
    points (about 15 ms per command). ``PYDANTIC_DISABLE_PLUGINS`` set in the environment,
    even to an empty value (plugins on), is left as it is."""
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")


def _skip_exit_collection() -> None:
    """Spare the interpreter's collection at exit a walk of everything the command built
    (tens of milliseconds at org scale): the objects alive now move to the permanent
    generation, which no collection visits. The process ends next, so nothing is kept
    longer; every file and connection was closed or committed by the command."""
    import gc

    gc.freeze()


def _main(argv: list[str] | None) -> int:
    try:
        result = app(args=argv, standalone_mode=False, prog_name="oncall")
    except (Exception, KeyboardInterrupt) as exc:  # raised outside a command
        return exit_code_for(exc)
    return int(result) if isinstance(result, int) else 0
