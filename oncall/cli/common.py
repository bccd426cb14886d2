"""Helpers shared by the command modules: loading config, the clock, shared options."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import typer
from typer.core import TyperGroup

from oncall.errors import UsageError

if TYPE_CHECKING:
    from oncall.config import Config

JSON_HELP = "Print JSON instead of a table (same data)."
WHEN_HELP = (
    "ISO 8601 (2026-11-21, 2026-11-21T09:00+05:30), or now, today, tomorrow, yesterday, "
    "monday (the next one), last monday, +3d, -2h, +1w; team timezone."
)
TO_HELP = "End (exclusive), like --from; an offset (+1d) counts from --from."


class SuggestingGroup(TyperGroup):
    """A command group whose unknown subcommands get one did-you-mean line."""

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        if args and not args[0].startswith("-") and not ctx.resilient_parsing:
            unknown_command(self, ctx, args[0])
        return super().resolve_command(ctx, args)


def unknown_command(group: TyperGroup, ctx: typer.Context, name: str, cutoff: float = 0.6) -> None:
    """UsageError with one did-you-mean line if ``name`` is not a subcommand of ``group``."""
    from oncall.domain.text import closest

    if group.get_command(ctx, name) is not None:
        return
    names = group.list_commands(ctx)
    guess = closest(name, names, cutoff=cutoff)
    hint = f" Did you mean '{guess}'?" if guess else f" Commands: {', '.join(sorted(names))}."
    raise UsageError(f"no such command '{ctx.command_path} {name}'.{hint}")


def close_to_command(group: TyperGroup, ctx: typer.Context, name: str) -> bool:
    """Whether ``name`` looks like a misspelt subcommand (for groups with a default command)."""
    from oncall.domain.text import closest

    return name not in group.commands and closest(name, group.commands, cutoff=0.75) is not None


def config_dir(ctx: typer.Context) -> Path | None:
    root = ctx.find_root()
    obj = root.obj if isinstance(root.obj, dict) else {}
    value = obj.get("config_dir")
    return value if isinstance(value, Path) else None


def sleeper(ctx: typer.Context) -> Callable[[float], None]:
    """How a command waits: ``time.sleep``, or the sleeper the caller put in ``obj["sleep"]``."""
    root = ctx.find_root()
    obj = root.obj if isinstance(root.obj, dict) else {}
    given = obj.get("sleep")
    return given if callable(given) else time.sleep


def get_config(ctx: typer.Context) -> Config:
    from oncall.config import load_config

    return load_config(config_dir(ctx))


def resolve_now(value: str | None, tz: ZoneInfo, *, option: str = "--at") -> datetime:
    """The instant a command judges at: the clock, or what ``value`` names (see parse_when)."""
    clock = datetime.now(tz)
    if value is None:
        return clock
    return parse_when(value, tz, option=option, now=clock)


def parse_when(value: str, tz: ZoneInfo, *, option: str, now: datetime | None = None) -> datetime:
    """A time option: ISO 8601 (naive: wall time in ``tz``) or a relative date (``today``,
    ``monday``, ``+3d``; see oncall.domain.relative) from ``now`` (default: the clock).
    UsageError if bad or outside the supported range."""
    from oncall.domain.relative import resolve_relative
    from oncall.domain.timeutil import check_instant, parse_instant

    try:
        found = resolve_relative(value, now if now is not None else datetime.now(tz), tz)
        if found is None:
            return parse_instant(value, tz)
        check_instant(found)
        return found
    except (ValueError, OverflowError) as exc:
        message = str(exc)
        if message.startswith("bad date or time"):  # name the relative forms too
            message = f"{message.partition(': use ')[0]}: use {WHEN_HELP.rstrip('.')}"
        raise UsageError(f"{option}: {message}") from None


def edit_clock(value: str | None, tz: ZoneInfo) -> datetime:
    """The present for commands that write times into config: ``--now``, or the clock to
    the minute (``--from now`` writes 09:41, not 09:41:27.118204)."""
    if value is not None:
        return resolve_now(value, tz, option="--now")
    return datetime.now(tz).replace(second=0, microsecond=0)


def parse_span(from_: str, to: str, tz: ZoneInfo, *, now: datetime) -> tuple[datetime, datetime]:
    """``--from`` and ``--to``; an offset in ``--to`` (``+1d``) counts from ``--from``, so
    ``--from tomorrow --to +1d`` is tomorrow, all day."""
    start = parse_when(from_, tz, option="--from", now=now)
    anchor = start if to.strip()[:1] in ("+", "-") else now
    return start, parse_when(to, tz, option="--to", now=anchor)
