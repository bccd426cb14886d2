"""``oncall escalate``: page the next person for every page not acknowledged in time.

A page not acknowledged within its urgency's ``ack_timeout`` goes to the next person in
its chain, then the next, and round the whole chain again ``repeat`` times. A person with
no personal contact for any of the urgency's channels (a PagerDuty routing key of their
own, a Slack member id, an email address) is skipped at once. Several processes may run
this against one store at once: each step is won by exactly one (compare-and-swap).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from oncall.domain.paging.escalation import compute_escalation
from oncall.reports.outbox import DeliveryOut
from oncall.reports.paging import EscalationOut, EscalationReport
from oncall.services.paging.common import (
    Clock,
    Paging,
    lease,
    level_of,
    page_content,
    urgency_of,
)
from oncall.services.paging.delivery import deliver, failure_text, record_results, record_status
from oncall.services.paging.recipient import has_contact, person_target

if TYPE_CHECKING:
    from datetime import datetime

    from oncall.adapters.store import PageRecord, Store

__all__ = ["run_escalations"]


def run_escalations(paging: Paging, store: Store, clock: Clock) -> EscalationReport:
    """Escalate every open page whose ack timeout passed; several processes may run this
    at once against one store: each step is won by exactly one of them."""
    started = clock()
    out: list[EscalationOut] = []
    for page in store.due_escalations(started):
        out.append(_escalate_one(paging, store, page, clock()))
    return EscalationReport(at=started, escalations=out)


def _escalate_one(paging: Paging, store: Store, page: PageRecord, now: datetime) -> EscalationOut:
    urgency = urgency_of(page.urgency)
    level_cfg = level_of(paging, urgency)
    chain = page.escalation or (page.responder,)
    step = compute_escalation(
        page.level,
        page.round,
        chain,
        1 + level_cfg.repeat,
        lambda person: has_contact(paging, person, level_cfg.channels),
    )
    pos = step.position
    new_level, new_round = pos if pos is not None else (page.level, page.round)
    next_at = now + level_cfg.ack_timeout if step.following and level_cfg.ack_timeout else None
    won = store.advance_escalation(
        page.page_id,
        expected_level=page.level,
        expected_round=page.round,
        new_level=new_level,
        new_round=new_round,
        next_at=next_at,
        now=now,
    )

    def report(outcome: Any, deliveries: list[DeliveryOut]) -> EscalationOut:
        return EscalationOut(
            page_id=page.page_id,
            dedup_key=page.dedup_key,
            outcome=outcome,
            from_level=page.level,
            from_round=page.round,
            level=new_level if pos is not None else None,
            round=new_round if pos is not None else None,
            person=chain[new_level] if pos is not None else None,
            skipped=[p for _, p in step.skipped],
            next_escalation_at=next_at,
            deliveries=deliveries,
        )

    if not won:
        return report("taken", [])
    deliveries: list[DeliveryOut] = []
    for lvl, person in step.skipped:
        detail = f"escalation skipped: {person} has no contact for {', '.join(level_cfg.channels)}"
        deliveries += record_status(
            store, page.page_id, lvl, level_cfg.channels[:1], person, "failed", detail, now
        )
    if pos is None:
        return report("exhausted", deliveries)
    person = chain[new_level]
    content = page_content(paging.cfg, page)
    intent = store.enqueue(page.page_id, new_level, level_cfg.channels, now + lease(paging), now)
    results = deliver(paging, content, [person_target(paging.cfg, person)], urgency)
    deliveries += record_results(paging, store, page.page_id, new_level, results, now)
    if any(r.ok for r in results):
        store.complete_outbox(intent.id)
        return report("escalated", deliveries)
    store.release_outbox(intent.id, failure_text(deliveries)[:500], now, not_before=now)
    return report("undelivered", deliveries)
