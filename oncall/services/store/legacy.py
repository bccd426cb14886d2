"""Moving a team's records out of the one shared file every team used before teams, once.

A record written before teams belongs to this team if its runbook is one of the team's
runbooks, or its page was for one of the team's pipelines or people. Such records are copied
into the team's store and then marked as the team's in the old file (nothing is deleted), so
they move once; everyone else's stay where they are.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from oncall.adapters.store import Store
    from oncall.config.loaded import Config
    from oncall.services.store import Say

__all__ = ["adopt_legacy_records"]


def adopt_legacy_records(cfg: Config, store: Store, say: Say | None) -> int:
    """Move the team's unmarked records from the old shared file into ``store``; how many."""
    from oncall.adapters.store import legacy_db_path
    from oncall.adapters.store.sqlite import SqliteStore
    from oncall.adapters.store.sqlite.base import hand_over

    old = legacy_db_path()
    if not old.is_file() or old.resolve() == getattr(store, "path", old).resolve():
        return 0
    runbooks = (
        {p.stem for p in cfg.runbooks_dir.glob("*.y*ml")} if cfg.runbooks_dir.is_dir() else set()
    )
    names = set(cfg.owners.pipelines) | set(cfg.people)
    with SqliteStore.open(old) as legacy:  # team '': records written before teams
        runs = [r for r in legacy.list_runs(limit=1_000_000) if r.runbook in runbooks]
        pages = [
            p
            for p in legacy.list_pages(limit=1_000_000)
            if (p.pipeline in names) or (p.target in names)
        ]
        if not runs and not pages:
            return 0
        queued = legacy.outbox_items()
        for run in reversed(runs):
            store.import_run(run, legacy.events(run.run_id))
        for page in reversed(pages):
            mine = [q for q in queued if q.page_id == page.page_id]
            store.import_page(page, legacy.list_deliveries(page.page_id), mine)
        hand_over(legacy, [r.run_id for r in runs], [p.page_id for p in pages], store.team)
    if say is not None:
        say(
            f"moved {len(runs)} run(s) and {len(pages)} page(s) of team {store.team!r} from "
            f"the shared store {old} to the team's own store {store.describe()} (once; other "
            "teams' records stay where they are)"
        )
    return len(runs) + len(pages)
