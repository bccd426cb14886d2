"""``oncall page flush``: send what waits in the outbox and is due.

Outbox items are claimed (leased) by one flusher at a time, so several machines sharing
one store never double-send. A failed item is due again after a growing delay (1 min,
2 min, ... 1 h), so one run never spins on it.
"""

from __future__ import annotations

import os
import secrets
import socket
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from oncall.domain.paging.escalation import first_escalation_at
from oncall.reports.paging import DeliveryOut, FlushItemOut, FlushReport
from oncall.services.paging.common import (
    Clock,
    Paging,
    lease,
    level_of,
    page_content,
    time_label,
    urgency_of,
)
from oncall.services.paging.delivery import deliver, failure_text, record_results, record_status
from oncall.services.paging.recipient import notice_targets, person_target

if TYPE_CHECKING:
    from oncall.adapters.store import OutboxItem, Store

__all__ = ["FLUSH_LIMIT", "flush_outbox", "retry_delay", "worker_id"]

FLUSH_LIMIT = 1000
_RETRY_FIRST = timedelta(minutes=1)
_RETRY_MAX = timedelta(hours=1)


def retry_delay(attempts: int) -> timedelta:
    """How long a failed item waits after ``attempts`` failures: doubling, at most 1 h."""
    delay: timedelta = _RETRY_FIRST * (2 ** min(attempts, 10))
    return min(delay, _RETRY_MAX)


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


def flush_outbox(
    paging: Paging, store: Store, clock: Clock, *, limit: int = FLUSH_LIMIT
) -> FlushReport:
    """Send every due outbox item once: one item claimed at a time (a lease), so several
    flushers share the work and none sends an item another holds."""
    started = clock()
    worker = worker_id()
    out: list[FlushItemOut] = []
    for _ in range(limit):
        now = clock()
        claimed = store.claim_outbox(worker, now, lease(paging, 2), 1)
        if not claimed:
            break
        out.append(_flush_one(paging, store, claimed[0], now))
    return FlushReport(at=started, items=out, remaining=len(store.outbox_items()))


def _flush_one(paging: Paging, store: Store, item: OutboxItem, now: datetime) -> FlushItemOut:
    page = store.get_page(item.page_id)
    if page is None:  # pragma: no cover - the store's foreign key prevents it
        store.complete_outbox(item.id)
        return FlushItemOut(
            item_id=item.id,
            page_id=item.page_id,
            dedup_key=None,
            level=item.level,
            outcome="dropped",
            next_attempt=None,
            deliveries=[],
        )
    notice = page.kind == "notice"
    chain = page.escalation or (page.responder,)
    person = chain[item.level] if item.level < len(chain) else page.responder

    def report(outcome: Any, deliveries: list[DeliveryOut], nxt: datetime | None) -> FlushItemOut:
        return FlushItemOut(
            item_id=item.id,
            page_id=page.page_id,
            dedup_key=page.dedup_key,
            level=item.level,
            outcome=outcome,
            next_attempt=nxt,
            deliveries=deliveries,
        )

    if not notice and page.status != "open":
        when = page.acked_at if page.status == "acknowledged" else page.resolved_at
        detail = f"not sent: the page was {page.status}" + (
            f" at {time_label(when, paging.cfg.team_tz)}" if when else ""
        )
        out = record_status(
            store, page.page_id, item.level, item.channels, person, "suppressed", detail, now
        )
        store.complete_outbox(item.id)
        return report("dropped", out, None)
    urgency = urgency_of(page.urgency)
    targets = notice_targets(paging.cfg, page) if notice else [person_target(paging.cfg, person)]
    content = page_content(paging.cfg, page)
    results = deliver(paging, content, targets, urgency, channels=list(item.channels))
    out = record_results(paging, store, page.page_id, item.level, results, now)
    if any(r.ok for r in results):
        store.complete_outbox(item.id)
        level_cfg = level_of(paging, urgency)
        if (
            not notice
            and item.level == 0
            and page.level == 0
            and page.round == 0
            and page.next_escalation_at is None
        ):
            first = first_escalation_at(level_cfg.ack_timeout, level_cfg.repeat, len(chain), now)
            if first is not None:
                store.set_next_escalation(page.page_id, first)
        return report("sent", out, None)
    nxt = now + retry_delay(item.attempts)
    store.release_outbox(item.id, failure_text(out)[:500], now, not_before=nxt)
    return report("failed", out, nxt)
