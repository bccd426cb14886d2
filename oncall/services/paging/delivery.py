"""Delivery: the urgency's channels at once, then fall through one by one; every outcome
recorded in the store, scrubbed of secrets.

The page is delivered if any channel delivered. Only if none did, the other configured
channels are tried one by one in config order until one delivers (a low-urgency page
never falls through to a channel listed only under ``high``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from oncall.config.models.paging import EmailChannel
from oncall.domain.paging.content import PageAction, PageContent
from oncall.domain.paging.routing import DeliveryResult, Target, compute_fallthrough
from oncall.domain.paging.urgency import Urgency
from oncall.reports.outbox import DeliveryOut
from oncall.services.paging.common import Paging, level_of, scrub_all

if TYPE_CHECKING:
    from oncall.adapters.pagers import Pager
    from oncall.adapters.store import Store
    from oncall.config.models.paging import PagingConfig

__all__ = [
    "deliver",
    "failure_text",
    "fallthrough_channels",
    "record_results",
    "record_status",
    "safe_send",
]


def fallthrough_channels(config: PagingConfig, urgency: Urgency, tried: Sequence[str]) -> list[str]:
    """Configured channels to try one by one when none of ``tried`` delivered."""
    return compute_fallthrough(
        config.channels,
        urgency,
        tried,
        high=config.urgency.high.channels,
        low=config.urgency.low.channels,
    )


def safe_send(
    pager: Pager, content: PageContent, target: Target, action: PageAction
) -> DeliveryResult:
    try:
        return pager.send(content, target, action)
    except Exception as exc:  # pagers never raise; this keeps a bug from losing a page
        return DeliveryResult(
            pager.channel, target.label, "failed", 0, f"internal error: {type(exc).__name__}"
        )


def _send_channel(
    paging: Paging,
    name: str,
    content: PageContent,
    targets: Sequence[Target],
    action: PageAction,
) -> list[DeliveryResult]:
    """Email goes to every target with an address; other channels to the first target."""
    pager = paging.pagers[name]
    if isinstance(paging.config.channels[name], EmailChannel) and len(targets) > 1:
        return [safe_send(pager, content, t, action) for t in targets]
    return [safe_send(pager, content, targets[0] if targets else Target(), action)]


def deliver(
    paging: Paging,
    content: PageContent,
    targets: Sequence[Target],
    urgency: Urgency,
    *,
    channels: Sequence[str] | None = None,
    action: PageAction = "trigger",
    fall_through: bool = True,
) -> list[DeliveryResult]:
    """Send to ``channels`` (default: the urgency's) concurrently; if none delivered, fall
    through to the other configured channels one at a time. Never raises."""
    primary = [c for c in (channels or level_of(paging, urgency).channels) if c in paging.pagers]
    results: list[DeliveryResult] = []
    if len(primary) == 1:  # no thread for a single channel
        results.extend(_send_channel(paging, primary[0], content, targets, action))
    elif primary:
        with ThreadPoolExecutor(max_workers=len(primary), thread_name_prefix="page") as pool:
            futures = [
                pool.submit(_send_channel, paging, n, content, targets, action) for n in primary
            ]
            for future in futures:
                results.extend(future.result())
    if any(r.ok for r in results) or not fall_through:
        return results
    for name in fallthrough_channels(paging.config, urgency, primary):
        batch = _send_channel(paging, name, content, targets, action)
        results.extend(batch)
        if any(r.ok for r in batch):
            break
    return results


def record_results(
    paging: Paging,
    store: Store,
    page_id: str,
    level: int,
    results: Iterable[DeliveryResult],
    at: datetime,
) -> list[DeliveryOut]:
    """Store each delivery (its detail scrubbed of every known secret) and report it."""
    out: list[DeliveryOut] = []
    for result in results:
        r = replace(result, detail=scrub_all(result.detail, paging.secrets))
        store.record_delivery(page_id, level, r.channel, r.to, r.status, r.attempts, r.detail, at)
        out.append(
            DeliveryOut(
                channel=r.channel,
                to=r.to,
                status=r.status,
                attempts=r.attempts,
                detail=r.detail,
                level=level,
            )
        )
    return out


def record_status(
    store: Store,
    page_id: str,
    level: int,
    channels: Iterable[str],
    to: str,
    status: Literal["queued", "suppressed", "failed"],
    detail: str,
    at: datetime,
) -> list[DeliveryOut]:
    """Store and report a decision not to send (queued, suppressed, skipped) per channel."""
    out: list[DeliveryOut] = []
    for name in channels:
        store.record_delivery(page_id, level, name, to, status, 0, detail, at)
        out.append(
            DeliveryOut(channel=name, to=to, status=status, attempts=0, detail=detail, level=level)
        )
    return out


def failure_text(deliveries: Iterable[DeliveryOut]) -> str:
    return "; ".join(f"{d.channel} to {d.to}: {d.detail}" for d in deliveries) or "no channel"
