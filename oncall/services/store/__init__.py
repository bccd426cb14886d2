"""The team's store: which team, where its records are, opening it, and ``oncall store``.

Every command that reads or writes records opens the store through :func:`open_team_store`,
so each sees its own team's records only. Opening also, once, moves the team's records out
of the shared file every team used before stores knew teams, and writes back pages spooled
while the store was unreachable.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import TYPE_CHECKING

from oncall.config.locate import STATE_FILE
from oncall.errors import UsageError

if TYPE_CHECKING:
    from oncall.adapters.store import Store, StoreLocation
    from oncall.config.loaded import Config

__all__ = ["open_team_store", "resolve_store_location", "resolve_team_id"]

Say = Callable[[str], None]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def resolve_team_id(cfg: Config) -> str:
    """``team.id`` of owners.yaml; else a slug of ``team.name``; else of the project's name."""
    team = cfg.owners.team
    explicit = getattr(team, "id", None)
    if explicit:
        return str(explicit)
    for candidate in (team.name, cfg.dir.resolve().parent.name):
        if candidate and _slug(candidate):
            return _slug(candidate)
    return "team"


def resolve_store_location(cfg: Config) -> StoreLocation:
    """Environment first, then ``store:`` of config/state.yaml, else the team's own file."""
    from oncall.adapters.store import resolve_location

    spec = None
    if os.path.lexists(cfg.dir / STATE_FILE):  # absent: no YAML reader or state models loaded
        from oncall.config.state import load_state_config

        spec = load_state_config(cfg).store
    configured: str | None = None
    if spec is not None and spec.url is not None:
        configured = spec.url
    elif spec is not None and spec.url_env is not None:
        configured = os.environ.get(spec.url_env, "").strip()
        if not configured:
            raise UsageError(
                f"state.yaml: store.url_env names {spec.url_env}, which is not set: export it "
                "with the store URL (postgresql://...)"
            )
    try:
        return resolve_location(resolve_team_id(cfg), configured)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


@contextmanager
def open_team_store(
    cfg: Config, *, say: Say | None = None, location: StoreLocation | None = None
) -> Iterator[Store]:
    """The team's store, migrated, with legacy records moved and the spool written back.

    ``location`` overrides where it is (the Airflow callbacks' ``state_db``)."""
    from oncall.adapters.store import open_store

    team = resolve_team_id(cfg)
    location = resolve_store_location(cfg) if location is None else location
    with open_store(location, team=team) as store:
        if location.source == "default":
            from oncall.services.store.legacy import adopt_legacy_records

            adopt_legacy_records(cfg, store, say)
        write_back_spool(store, say)
        yield store


def write_back_spool(store: Store, say: Say | None = None) -> int:
    """Import the team's spooled pages into ``store``; how many were stored."""
    from oncall.adapters.store.spool import Spool, default_spool_path

    spool = Spool(default_spool_path(store.team))
    if not spool.pending():
        return 0
    stored = spool.write_back(store)
    if say is not None and stored:
        say(f"wrote {stored} page(s) sent while the store was unreachable back to the store")
    return stored


@contextmanager
def open_store_or_spool(
    cfg: Config, *, say: Say, location: StoreLocation | None = None
) -> Iterator[Store]:
    """The team's store; if it is unreachable, a scratch store whose pages go to the spool.

    For ``oncall page``: a page is still delivered while the store is down (repeats cannot be
    suppressed meanwhile), and the page with its deliveries and queued items is appended to
    the spool, written back by the next command that reaches the store.
    """
    import tempfile
    from pathlib import Path

    from oncall.adapters.store.spool import Spool, default_spool_path
    from oncall.adapters.store.sqlite import SqliteStore
    from oncall.errors import StoreError

    opened = ExitStack()
    try:  # only opening falls back to the spool: a failure later is the command's own
        store = opened.enter_context(open_team_store(cfg, say=say, location=location))
        store.check_writable()  # a locked or read-only store: spool before sending anything
    except StoreError as exc:
        opened.close()
        reason = str(exc)
    else:
        with opened:
            yield store
        return
    team = resolve_team_id(cfg)
    spool = Spool(default_spool_path(team))
    say(
        f"{reason}\nthe page is sent anyway, but repeats cannot be suppressed until the store "
        f"is back; it is kept in {spool.path} and written back by the next command that "
        "reaches the store"
    )
    with (
        tempfile.TemporaryDirectory(prefix="oncall-spool-") as scratch,
        SqliteStore.open(Path(scratch) / "scratch.db", team=team) as local,
    ):
        try:
            yield local
        finally:
            queued = local.outbox_items()
            for page in local.list_pages(limit=1_000_000):
                mine = [q for q in queued if q.page_id == page.page_id]
                spool.append(page, local.list_deliveries(page.page_id), mine)
