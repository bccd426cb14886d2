"""``oncall page``: page a pipeline's responder or a person (documented in docs/paging.md).

What happens to one page:

* **Who**: a pipeline's responder and escalation chain at ``now``; for a person, that
  person and then the team manager (:mod:`.recipient`).
* **Dedup**: one open page per dedup key (the store settles races). Paging the same key
  again while it is open or acknowledged records ``suppressed`` and sends nothing.
* **Quiet hours**: a page whose urgency has ``quiet_hours`` and which falls inside them in
  the responder's time zone is ``queued`` in the outbox until they end.
* **Delivery**: the urgency's channels at once, then fall-through (:mod:`.delivery`). If
  nothing delivered, the page stays in the durable outbox and the caller raises
  :func:`undelivered_error` (exit 3); ``oncall page flush`` retries it.
* **Crash safety**: before sending, an outbox item is written with ``not_before`` one lease
  in the future, so other machines leave it alone while we send; it is removed once the
  page is delivered, made due at once if it was not, and picked up by ``flush`` after the
  lease if this process died mid-send.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from oncall.domain.paging.content import Severity, default_dedup_key
from oncall.domain.paging.escalation import first_escalation_at
from oncall.domain.paging.urgency import Urgency, hold_until
from oncall.errors import OncallError, PageNotDeliveredError
from oncall.reports.outbox import DeliveryOut
from oncall.reports.paging import PageResult
from oncall.services.paging.common import (
    CHANNEL_TARGET,
    Paging,
    lease,
    level_of,
    page_content,
    time_label,
)
from oncall.services.paging.delivery import deliver, failure_text, record_results, record_status
from oncall.services.paging.dryrun import dry_run_deliveries
from oncall.services.paging.recipient import notice_targets, person_target, resolve_recipient

if TYPE_CHECKING:
    from oncall.adapters.store import Store

__all__ = ["send_page", "undelivered_error"]


def send_page(
    paging: Paging,
    *,
    target: str,
    summary: str,
    severity: Severity = "error",
    details: Mapping[str, object] | None = None,
    dedup_key: str | None = None,
    now: datetime,
    dry_run: bool = False,
    store: Store | None = None,
    urgency: Urgency | None = None,
    notice: bool = False,
    runbook: str | None = None,
) -> PageResult:
    """Page ``target`` (a pipeline or a person) at ``now``; see the module docstring.

    ``notice`` sends a low-key all-clear to a pipeline's owners instead (recorded as
    resolved, never escalated); ``runbook`` names the runbook whose checks raised it.
    Returns the result even when nothing was delivered (``outcome == "undelivered"``, the
    page kept in the outbox): callers print it, then raise :func:`undelivered_error`.
    With ``dry_run`` nothing is recorded or sent; missing secrets show in the details.
    """
    from oncall.adapters.store import PageRecord, new_page_id, open_store

    if not summary.strip():
        raise OncallError("the summary must not be empty: say what is wrong")
    cfg = paging.cfg
    who = resolve_recipient(paging, target, now)
    urgency = urgency or who.urgency
    level_cfg = level_of(paging, urgency)
    key = dedup_key or default_dedup_key(target, summary)
    responder = who.responder or CHANNEL_TARGET
    chain = who.chain or (responder,)
    tz = who.tz
    if notice and who.pipeline is not None:  # a notice goes to the owners, not the on-call
        spec = cfg.owners.pipelines[who.pipeline]
        responder, chain = spec.primary, tuple(dict.fromkeys((spec.primary, spec.secondary)))
        tz = cfg.person_tz(spec.primary)
    next_at = first_escalation_at(level_cfg.ack_timeout, level_cfg.repeat, len(chain), now)
    record = PageRecord(
        page_id=new_page_id(),
        dedup_key=key,
        target=target,
        urgency=urgency,
        severity=severity,
        summary=summary,
        responder=responder,
        created=now,
        pipeline=who.pipeline,
        details=dict(details or {}),
        escalation=tuple(chain),
        status="resolved" if notice else "open",
        resolved_at=now if notice else None,
        next_escalation_at=None if notice else next_at,
        kind="notice" if notice else "page",
        runbook=runbook,
    )
    targets = notice_targets(cfg, record) if notice else [person_target(cfg, responder)]
    held = hold_until(level_cfg, now, tz)

    def result(outcome: Any, deliveries: list[DeliveryOut], page_id: str | None) -> PageResult:
        return PageResult(
            page_id=page_id,
            dedup_key=key,
            pipeline=who.pipeline,
            target=target,
            responder=None if responder == CHANNEL_TARGET else responder,
            escalation=list(chain),
            urgency=urgency,
            severity=severity,
            summary=summary,
            outcome=outcome,
            hold_until=held,
            deliveries=deliveries,
        )

    if dry_run:
        return result(
            "dry-run", dry_run_deliveries(paging, record, targets, urgency, held, tz), None
        )

    own_store = store is None
    if store is None:
        from oncall.services.store import resolve_store_location, resolve_team_id

        store = open_store(resolve_store_location(cfg), team=resolve_team_id(cfg))
    db = store
    try:
        stored, created = db.create_page_if_absent(record)
        if not created:
            detail = (
                f"page {stored.page_id} with this dedup key is {stored.status} since "
                f"{time_label(stored.created, cfg.team_tz)}: not sent again"
            )
            out = record_status(
                db,
                stored.page_id,
                stored.level,
                level_cfg.channels,
                responder,
                "suppressed",
                detail,
                now,
            )
            return result("suppressed", out, stored.page_id)
        if held is not None:
            db.enqueue(stored.page_id, 0, level_cfg.channels, held, now)
            detail = f"quiet hours in {tz}: held until {time_label(held, tz)}"
            out = record_status(
                db, stored.page_id, 0, level_cfg.channels, responder, "queued", detail, now
            )
            return result("queued", out, stored.page_id)
        content = page_content(cfg, stored)
        intent = db.enqueue(
            stored.page_id, 0, level_cfg.channels, now + lease(paging, len(targets)), now
        )
        out = record_results(
            paging, db, stored.page_id, 0, deliver(paging, content, targets, urgency), now
        )
        if any(d.status == "sent" for d in out):
            db.complete_outbox(intent.id)
            return result("delivered", out, stored.page_id)
        db.release_outbox(intent.id, failure_text(out)[:500], now, not_before=now)
        return result("undelivered", out, stored.page_id)
    finally:
        if own_store:
            db.close()


def undelivered_error(result: PageResult) -> PageNotDeliveredError:
    """The one-line summary after each failed delivery was reported (``oncall page``)."""
    failed = list(dict.fromkeys(d.channel for d in result.deliveries if d.status == "failed"))
    tried = f" through any channel ({', '.join(failed)} failed)" if failed else ""
    return PageNotDeliveredError(
        f"page {result.page_id} was not delivered{tried}; it is kept in the outbox: fix the "
        "cause, then run `oncall page flush`",
        result.model_dump(mode="json"),
    )
