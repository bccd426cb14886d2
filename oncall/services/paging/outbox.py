"""``oncall page flush``: send what waits in the outbox and is due.

Outbox items are claimed (leased) by one flusher at a time, so several machines sharing
one store never double-send. A failed item is due again after a growing delay (1 min,
2 min, ... 1 h), so one run never spins on it.

Items are sent concurrently: each item is still claimed on its own lease just before its
send and marked delivered (or released) only after it; at most ``FLUSH_CONCURRENCY`` sends
are in flight on any one channel, and two items of one page are never in flight together.
The store is used from the calling thread only, a round of its work (record what finished,
claim the next items) in one transaction; worker threads only deliver. A round starts once
a send has finished and the others in flight have had :data:`GATHER` to finish too, so
one commit records several sends (a commit waits for the disk about as long).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Collection, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from oncall.adapters.collector import collector_paused
from oncall.adapters.identity import process_id
from oncall.domain.paging.escalation import first_escalation_at
from oncall.domain.paging.routing import DeliveryResult, Target
from oncall.reports.outbox import DeliveryOut, FlushItemOut, FlushReport
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
    from oncall.adapters.pagers import Pager
    from oncall.adapters.store import OutboxItem, PageRecord, Store
    from oncall.domain.paging.content import PageAction, PageContent
    from oncall.domain.paging.urgency import Urgency

__all__ = ["FLUSH_CONCURRENCY", "FLUSH_LIMIT", "flush_outbox", "retry_delay"]

FLUSH_LIMIT = 1000
FLUSH_CONCURRENCY = 4
"""At most this many sends in flight on one channel during a flush."""
GATHER = timedelta(milliseconds=2)
"""Once a send has finished, how long a round waits for the other sends in flight to finish
too, so that one commit (one flush to disk: about as long) records several of them and
claims as many items. Timing only: what is sent, recorded and reported does not change."""
_RETRY_FIRST = timedelta(minutes=1)
_RETRY_MAX = timedelta(hours=1)


def retry_delay(attempts: int) -> timedelta:
    """How long a failed item waits after ``attempts`` failures: doubling, at most 1 h."""
    delay: timedelta = _RETRY_FIRST * (2 ** min(attempts, 10))
    return min(delay, _RETRY_MAX)


class _Limited:
    """A pager that lets at most ``limit`` sends through at once."""

    def __init__(self, pager: Pager, limit: int) -> None:
        self.channel = pager.channel
        self._pager = pager
        self._slots = threading.BoundedSemaphore(limit)

    def send(
        self, content: PageContent, target: Target, action: PageAction = "trigger"
    ) -> DeliveryResult:
        with self._slots:
            return self._pager.send(content, target, action)


@dataclass(frozen=True)
class _Send:
    """A claimed item that is to be sent, and what its send needs."""

    index: int
    item: OutboxItem
    page: PageRecord
    now: datetime
    notice: bool
    chain: tuple[str, ...]
    content: PageContent
    targets: Sequence[Target]
    urgency: Urgency


def flush_outbox(
    paging: Paging,
    store: Store,
    clock: Clock,
    *,
    limit: int = FLUSH_LIMIT,
    concurrency: int = FLUSH_CONCURRENCY,
) -> FlushReport:
    """Send every due outbox item once: each item claimed on its own lease just before its
    send (no more claimed than there are free send slots), so several flushers share the
    work and none sends an item another holds; up to ``concurrency`` sends in flight per
    channel. Items are reported in claim order.

    The store work of one round is one transaction (``store.batch()``): the sends that have
    finished are recorded, the next items claimed and their pages read together, and that
    transaction is committed before any of those items is sent."""
    started = clock()
    worker = process_id()
    limited = replace(
        paging, pagers={n: _Limited(p, concurrency) for n, p in paging.pagers.items()}
    )
    window = max(1, concurrency) * max(1, len(paging.pagers))
    out: dict[int, FlushItemOut] = {}
    in_flight: dict[Future[list[DeliveryResult]], _Send] = {}

    def record(done: set[Future[list[DeliveryResult]]]) -> None:
        """Record finished sends (in this thread), in claim order."""
        for future in sorted(done, key=lambda f: in_flight[f].index):
            job = in_flight.pop(future)
            out[job.index] = _finish(paging, store, job, future.result())

    def finished() -> set[Future[list[DeliveryResult]]]:
        """The sends that are done; waits for some while every slot is taken."""
        if len(in_flight) >= window:
            return _gather(in_flight)
        return {future for future in in_flight if future.done()}

    def settle(until: Callable[[], bool]) -> None:
        """Record finished sends until ``until()`` holds."""
        while in_flight and not until():
            done = _gather(in_flight)
            with store.batch():
                record(done)

    claimed_so_far = 0
    # The sends and records make many short-lived objects and no cycles to speak of: the
    # cycle collector would walk the command's whole heap again and again meanwhile.
    with collector_paused(), ThreadPoolExecutor(window, thread_name_prefix="flush") as pool:
        while claimed_so_far < limit:
            done = finished()
            free = min(window - len(in_flight) + len(done), limit - claimed_so_far)
            with store.batch():
                record(done)
                claimed = store.claim_outbox(worker, clock(), lease(paging, 2), free)
                pages = _pages_ahead(store, claimed, in_flight)
            if not claimed:
                break
            for item in claimed:
                index, claimed_so_far = claimed_so_far, claimed_so_far + 1
                settle(_no_send_of(item.page_id, in_flight))
                page = pages[item.id] if item.id in pages else store.get_page(item.page_id)
                job = _prepare(paging, store, index, item, page, clock())
                if isinstance(job, FlushItemOut):
                    out[index] = job
                    continue
                in_flight[pool.submit(_send, limited, job)] = job
        settle(lambda: False)
    items = [out[i] for i in sorted(out)]
    return FlushReport(at=started, items=items, remaining=len(store.outbox_items()))


def _gather(in_flight: Collection[Future[list[DeliveryResult]]]) -> set[Future[Any]]:
    """Wait for a send in flight to finish, then up to :data:`GATHER` for the others."""
    done = wait(in_flight, return_when=FIRST_COMPLETED).done
    deadline = time.monotonic() + GATHER.total_seconds()
    while len(done) < len(in_flight):
        left = deadline - time.monotonic()
        if left <= 0:
            break
        rest = [future for future in in_flight if future not in done]
        more = wait(rest, timeout=left, return_when=FIRST_COMPLETED).done
        if not more:
            break
        done |= more
    return done


def _no_send_of(page_id: str, in_flight: dict[Any, _Send]) -> Callable[[], bool]:
    """True once no item of ``page_id`` is in flight (its sends stay in order)."""
    return lambda: all(job.item.page_id != page_id for job in in_flight.values())


def _pages_ahead(
    store: Store, claimed: Sequence[OutboxItem], in_flight: dict[Any, _Send]
) -> dict[int, PageRecord | None]:
    """The page of each claimed item, read in the claim's transaction, where nothing this
    flush does changes it before the item is prepared: no item of that page is in flight
    and none comes earlier in this claim (such an item waits for the sends of its page to
    be recorded, and then reads its page again)."""
    busy = {job.item.page_id for job in in_flight.values()}
    ahead: dict[int, PageRecord | None] = {}
    for item in claimed:
        if item.page_id not in busy:
            ahead[item.id] = store.get_page(item.page_id)
        busy.add(item.page_id)
    return ahead


def _report(
    item: OutboxItem,
    page: PageRecord | None,
    outcome: Any,
    deliveries: list[DeliveryOut],
    nxt: datetime | None,
) -> FlushItemOut:
    return FlushItemOut(
        item_id=item.id,
        page_id=page.page_id if page is not None else item.page_id,
        dedup_key=page.dedup_key if page is not None else None,
        level=item.level,
        outcome=outcome,
        next_attempt=nxt,
        deliveries=deliveries,
    )


def _prepare(
    paging: Paging,
    store: Store,
    index: int,
    item: OutboxItem,
    page: PageRecord | None,
    now: datetime,
) -> _Send | FlushItemOut:
    """What to send for a claimed item (of ``page``, as it is now), or its report when
    nothing is to be sent."""
    if page is None:  # pragma: no cover - the store's foreign key prevents it
        store.complete_outbox(item.id)
        return _report(item, None, "dropped", [], None)
    notice = page.kind == "notice"
    chain = page.escalation or (page.responder,)
    person = chain[item.level] if item.level < len(chain) else page.responder
    if not notice and page.status != "open":
        when = page.acked_at if page.status == "acknowledged" else page.resolved_at
        detail = f"not sent: the page was {page.status}" + (
            f" at {time_label(when, paging.cfg.team_tz)}" if when else ""
        )
        out = record_status(
            store, page.page_id, item.level, item.channels, person, "suppressed", detail, now
        )
        store.complete_outbox(item.id)
        return _report(item, page, "dropped", out, None)
    targets = notice_targets(paging.cfg, page) if notice else [person_target(paging.cfg, person)]
    content = page_content(paging.cfg, page)
    urgency = urgency_of(page.urgency)
    return _Send(index, item, page, now, notice, tuple(chain), content, targets, urgency)


def _send(paging: Paging, job: _Send) -> list[DeliveryResult]:
    """Deliver one claimed item (in a worker thread: no store access here). Never raises."""
    try:
        return deliver(paging, job.content, job.targets, job.urgency, channels=job.item.channels)
    except Exception as exc:  # a bug must not lose the item: it is released and retried
        to = job.targets[0].label if job.targets else ""
        return [
            DeliveryResult(name, to, "failed", 0, f"internal error: {type(exc).__name__}")
            for name in job.item.channels or ("page",)
        ]


def _finish(
    paging: Paging, store: Store, job: _Send, results: list[DeliveryResult]
) -> FlushItemOut:
    """Record one item's deliveries; complete it if any channel delivered, else release it."""
    item, page, now = job.item, job.page, job.now
    out = record_results(paging, store, page.page_id, item.level, results, now)
    if any(r.ok for r in results):
        store.complete_outbox(item.id)
        level_cfg = level_of(paging, job.urgency)
        if (
            not job.notice
            and item.level == 0
            and page.level == 0
            and page.round == 0
            and page.next_escalation_at is None
        ):
            first = first_escalation_at(
                level_cfg.ack_timeout, level_cfg.repeat, len(job.chain), now
            )
            if first is not None:
                store.set_next_escalation(page.page_id, first)
        return _report(item, page, "sent", out, None)
    nxt = now + retry_delay(item.attempts)
    store.release_outbox(item.id, failure_text(out)[:500], now, not_before=nxt)
    return _report(item, page, "failed", out, nxt)
