"""``oncall store info``, ``migrate`` and ``copy``: the team's store, described and moved."""

from __future__ import annotations

from typing import TYPE_CHECKING

from oncall.errors import StoreError

if TYPE_CHECKING:
    from oncall.config.loaded import Config
    from oncall.reports.store import StoreCopyReport, StoreInfo
    from oncall.services.store import Say

__all__ = ["copy_team_store", "describe_team_store"]


def describe_team_store(cfg: Config, say: Say | None = None) -> StoreInfo:
    """Backend, where (password masked), team, schema version and counts (migrating first)."""
    from oncall.reports.store import StoreCountsOut, StoreInfo
    from oncall.services.store import open_team_store, resolve_store_location

    location = resolve_store_location(cfg)
    with open_team_store(cfg, say=say) as store:
        return StoreInfo(
            backend=location.backend,
            where=location.describe(),
            named_by=location.source,
            team=store.team,
            schema_version=store.schema_version(),
            counts=StoreCountsOut(**store.counts().to_dict()),
        )


def copy_team_store(cfg: Config, to: str, say: Say | None = None) -> StoreCopyReport:
    """Copy the team's runs and pages to ``to``: idempotent, counts checked, source kept."""
    from oncall.adapters.store import open_store
    from oncall.adapters.store.location import mask_url, parse_location, same_store
    from oncall.errors import UsageError
    from oncall.reports.store import StoreCopyReport, StoreCountsOut
    from oncall.services.store import open_team_store, resolve_store_location

    try:
        target = parse_location(to, "--to")
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    here = resolve_store_location(cfg)
    if same_store(here, target):
        raise UsageError(
            f"--to {mask_url(to)} is the store in use ({here.describe()}, named by "
            f"{here.source}): name another one"
        )
    with open_team_store(cfg, say=say) as source, open_store(target, team=source.team) as dest:
        runs = source.list_runs(limit=10_000_000)
        pages = source.list_pages(limit=10_000_000)
        queued = source.outbox_items()
        copied_runs = sum(dest.import_run(r, source.events(r.run_id)) for r in reversed(runs))
        copied_pages = sum(
            dest.import_page(
                p,
                source.list_deliveries(p.page_id),
                [q for q in queued if q.page_id == p.page_id],
            )
            for p in reversed(pages)
        )
        before, after = source.counts(), dest.counts()
        missing = [
            f"{what} {dest_n} < {source_n}"
            for what, source_n, dest_n in (
                ("runs", before.runs, after.runs),
                ("pages", before.pages, after.pages),
            )
            if dest_n < source_n
        ]
        if missing:
            raise StoreError(
                f"copy to {dest.describe()} incomplete ({', '.join(missing)}): run it again"
            )
        return StoreCopyReport(
            team=source.team,
            source=source.describe(),
            destination=dest.describe(),
            copied_runs=copied_runs,
            copied_pages=copied_pages,
            source_counts=StoreCountsOut(**before.to_dict()),
            destination_counts=StoreCountsOut(**after.to_dict()),
        )
