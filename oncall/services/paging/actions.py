"""``oncall ack`` and ``oncall resolve``: change a page's status, then tell the providers
that were paged (PagerDuty and Slack). Both are idempotent."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from oncall.config.models.paging import PagerDutyChannel, SlackChannel
from oncall.domain.paging.routing import DeliveryResult, Target
from oncall.errors import NotFoundError, PageNotDeliveredError
from oncall.reports.outbox import DeliveryOut
from oncall.reports.paging import ActionResult
from oncall.services.paging.common import CHANNEL_TARGET, Paging, page_content
from oncall.services.paging.delivery import failure_text, record_results, safe_send
from oncall.services.paging.recipient import person_target

if TYPE_CHECKING:
    from oncall.adapters.store import PageRecord, Store

__all__ = ["acknowledge_page", "action_error", "resolve_page"]


def _action_targets(paging: Paging, store: Store, page: PageRecord) -> list[tuple[str, Target]]:
    """(channel, target) to tell about an ack/resolve: the PagerDuty and Slack channels the
    page was sent through; PagerDuty once per routing key that got the trigger."""
    sent = [d for d in store.list_deliveries(page.page_id) if d.status == "sent"]
    out: list[tuple[str, Target]] = []
    seen: set[tuple[str, str]] = set()
    for d in sent:
        channel = paging.config.channels.get(d.channel)
        if isinstance(channel, PagerDutyChannel):
            target = person_target(paging.cfg, d.to)
            key = (d.channel, target.pagerduty_routing_key_env or channel.routing_key_env)
        elif isinstance(channel, SlackChannel):
            target = Target(person=d.to if d.to != CHANNEL_TARGET else None)
            key = (d.channel, "")
        else:
            continue
        if key not in seen:
            seen.add(key)
            out.append((d.channel, target))
    return out


def _page_action(
    paging: Paging,
    store: Store,
    ref: str,
    action: Literal["acknowledge", "resolve"],
    *,
    by: str | None,
    now: datetime,
) -> ActionResult:
    before = store.get_page(ref)
    if before is None:
        raise NotFoundError(f"no page {ref!r}: use a page id or dedup key from `oncall page list`")
    if action == "acknowledge":
        after = store.acknowledge(before.page_id, by or "unknown", now)
        changed = before.status == "open"
    else:
        after = store.resolve(before.page_id, now)
        changed = before.status != "resolved"
    deliveries: list[DeliveryOut] = []
    skip = action == "acknowledge" and after.status == "resolved"
    if not skip and after.kind != "notice":
        content = page_content(paging.cfg, after)
        sends = _action_targets(paging, store, after)
        if sends:
            with ThreadPoolExecutor(max_workers=len(sends), thread_name_prefix="ack") as pool:
                futures = [
                    pool.submit(safe_send, paging.pagers[name], content, target, action)
                    for name, target in sends
                ]
                results = [f.result() for f in futures]
            tagged = [
                DeliveryResult(r.channel, r.to, r.status, r.attempts, f"{action}: {r.detail}")
                for r in results
            ]
            deliveries = record_results(paging, store, after.page_id, after.level, tagged, now)
    return ActionResult(
        action=action,
        page_id=after.page_id,
        dedup_key=after.dedup_key,
        status=after.status,
        changed=changed,
        by=after.acked_by if action == "acknowledge" else by,
        deliveries=deliveries,
    )


def acknowledge_page(
    paging: Paging, store: Store, ref: str, *, by: str | None, now: datetime
) -> ActionResult:
    """Acknowledge (stops escalation), then tell PagerDuty and Slack. Idempotent."""
    return _page_action(paging, store, ref, "acknowledge", by=by, now=now)


def resolve_page(
    paging: Paging, store: Store, ref: str, *, by: str | None, now: datetime
) -> ActionResult:
    """Resolve, then tell PagerDuty and Slack. Idempotent."""
    return _page_action(paging, store, ref, "resolve", by=by, now=now)


def action_error(result: ActionResult) -> PageNotDeliveredError | None:
    """Exit 3 when a provider could not be told; the status changed here all the same."""
    failed = [d for d in result.deliveries if d.status != "sent"]
    if not failed:
        return None
    return PageNotDeliveredError(
        f"page {result.page_id} is {result.status} here, but not every provider was told: "
        f"{failure_text(failed)}; run the command again to retry",
        result.model_dump(mode="json"),
    )
