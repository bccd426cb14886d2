"""``oncall page list`` and ``show``: the paging history from the store (no secrets, no
config needed)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from oncall.errors import NotFoundError
from oncall.reports.outbox import DeliveryOut
from oncall.reports.paging import OutboxOut, PageView
from oncall.services.paging.common import visible_details

if TYPE_CHECKING:
    from oncall.adapters.store import OutboxItem, PageRecord, Store

__all__ = ["list_pages", "show_page"]


def _view(store: Store, page: PageRecord, outbox: Sequence[OutboxItem]) -> PageView:
    return PageView(
        page_id=page.page_id,
        kind=page.kind,
        dedup_key=page.dedup_key,
        pipeline=page.pipeline,
        target=page.target,
        urgency=page.urgency,
        severity=page.severity,
        summary=page.summary,
        details=visible_details(page.details),
        responder=page.responder,
        escalation=list(page.escalation),
        level=page.level,
        round=page.round,
        status=page.status,
        created=page.created,
        updated=page.updated,
        acked_at=page.acked_at,
        acked_by=page.acked_by,
        resolved_at=page.resolved_at,
        next_escalation_at=page.next_escalation_at,
        deliveries=[
            DeliveryOut(
                channel=d.channel,
                to=d.to,
                status=d.status,
                attempts=d.attempts,
                detail=d.detail or "",
                level=d.level,
            )
            for d in store.list_deliveries(page.page_id)
        ],
        outbox=[
            OutboxOut(
                id=o.id,
                level=o.level,
                channels=list(o.channels),
                not_before=o.not_before,
                attempts=o.attempts,
                last_error=o.last_error,
            )
            for o in outbox
            if o.page_id == page.page_id
        ],
    )


def list_pages(store: Store, *, open_only: bool = False, limit: int = 100) -> list[PageView]:
    outbox = store.outbox_items()
    return [_view(store, p, outbox) for p in store.list_pages(open_only=open_only, limit=limit)]


def show_page(store: Store, ref: str) -> PageView:
    page = store.get_page(ref)
    if page is None:
        raise NotFoundError(f"no page {ref!r}: use a page id or dedup key from `oncall page list`")
    return _view(store, page, store.outbox_items())
