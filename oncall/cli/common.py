"""Helpers shared by the command modules: loading config, the clock, shared options."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import typer

from oncall.errors import UsageError

if TYPE_CHECKING:
    from oncall.config import Config

JSON_HELP = "Print JSON instead of a table (same data)."


def config_dir(ctx: typer.Context) -> Path | None:
    root = ctx.find_root()
    obj = root.obj if isinstance(root.obj, dict) else {}
    value = obj.get("config_dir")
    return value if isinstance(value, Path) else None


def get_config(ctx: typer.Context) -> Config:
    from oncall.config import load_config

    return load_config(config_dir(ctx))


def resolve_now(value: str | None, tz: ZoneInfo, *, option: str = "--at") -> datetime:
    """The instant a command judges at: ``now`` (the clock) or an ISO 8601 value."""
    if value is None or value.strip().lower() == "now":
        return datetime.now(tz)
    return parse_when(value, tz, option=option)


def parse_when(value: str, tz: ZoneInfo, *, option: str) -> datetime:
    """An ISO 8601 date or datetime option (naive: wall time in ``tz``); UsageError if bad."""
    from oncall.domain.timeutil import parse_instant

    try:
        return parse_instant(value, tz)
    except ValueError as exc:
        raise UsageError(f"{option}: {exc}") from None
