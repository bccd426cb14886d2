"""What a store backend promises, split by concern: runs, pages, the outbox.

Services type against these Protocols, never against a backend class, so a second backend
only has to pass the same store test suite (tests/adapters/store/). The races that matter are
settled inside the backend, each in one short transaction committed before the call returns:

* one open page per dedup key (:meth:`PageStore.create_page_if_absent`);
* one winner per escalation step (:meth:`PageStore.advance_escalation`, a compare-and-swap);
* one claimant per outbox item (:meth:`OutboxStore.claim_outbox`, leases).

A store handle belongs to one team (``Store.team``, given when it is opened): every record it
writes carries that team, and every read, claim and update sees that team's records only, so
several teams can share one database without seeing or sending each other's pages.

Times are passed in, never read from the clock, and must be timezone-aware (a naive time is
a ``ValueError``); they come back in UTC. Unknown runs and pages raise ``NotFoundError``;
a backend that cannot read or write raises ``StoreError`` saying what to check.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from typing import Any, Protocol, Self

from oncall.adapters.store.records import (
    DeliveryRecord,
    DeliveryStatus,
    Event,
    FinalRunStatus,
    OutboxItem,
    PageRecord,
    PublishedRecord,
    Run,
    StepStatus,
    StoreCounts,
)

__all__ = ["OutboxStore", "PageStore", "PublishStore", "RunStore", "Store", "TransferStore"]


class RunStore(Protocol):
    """Runbook runs: their steps (latest outcome of each), notes and append-only event log."""

    def start_run(
        self,
        *,
        runbook: str,
        pipeline: str,
        operator: str,
        started: datetime,
        run_id: str | None = None,
    ) -> Run:
        """Record a new run in status ``running``; a random id is chosen unless given."""
        ...

    def record_step(
        self,
        run_id: str,
        step_id: str,
        *,
        status: StepStatus,
        title: str,
        checks: Sequence[dict[str, Any]],
        note: str | None,
        finished: datetime,
    ) -> None:
        """Record (or replace, when re-run) a step's outcome; keeps its first position."""
        ...

    def add_note(self, run_id: str, step_id: str | None, text: str, at: datetime) -> None:
        """Append an operator note to a run (optionally about one step)."""
        ...

    def finish_run(self, run_id: str, status: FinalRunStatus, finished: datetime) -> None:
        """Mark a run finished with its final status."""
        ...

    def reopen_run(self, run_id: str, at: datetime) -> Run:
        """Put an aborted run back to ``running`` (its recorded steps stay) so that it can be
        resumed; StoreError unless the run is ``aborted``."""
        ...

    def get_run(self, run_id: str) -> Run | None:
        """The run with its steps (in the order first recorded) and notes, or None."""
        ...

    def latest_unfinished_run(self, runbook: str) -> Run | None:
        """The newest run of ``runbook`` still ``running`` (e.g. after a crash), or None."""
        ...

    def list_runs(self, runbook: str | None = None, limit: int = 50) -> list[Run]:
        """Runs, newest first, optionally of one runbook."""
        ...

    def last_run(self, runbook: str) -> Run | None:
        """The newest run of ``runbook``, finished or not."""
        ...

    def events(self, run_id: str) -> list[Event]:
        """A run's append-only event log, oldest first."""
        ...


class PageStore(Protocol):
    """Pages (deduplicated by key), their acknowledgement and escalation, and deliveries."""

    def open_page_by_dedup(self, dedup_key: str) -> PageRecord | None:
        """The open or acknowledged page with this dedup key, or None."""
        ...

    def create_page_if_absent(self, record: PageRecord) -> tuple[PageRecord, bool]:
        """Insert ``record`` unless a page with its dedup key is open or acknowledged.

        Returns ``(existing, False)`` or ``(stored, True)``. Racing processes create one page.
        """
        ...

    def get_page(self, page_id_or_dedup_key: str) -> PageRecord | None:
        """A page by id, else the live page with that dedup key, else its newest page."""
        ...

    def list_pages(self, open_only: bool = False, limit: int = 100) -> list[PageRecord]:
        """Pages, newest first; ``open_only`` keeps open and acknowledged ones."""
        ...

    def acknowledge(self, page_id_or_dedup_key: str, by: str, at: datetime) -> PageRecord:
        """Acknowledge a page (stops escalation). Idempotent: the first ack is kept."""
        ...

    def resolve(self, page_id_or_dedup_key: str, at: datetime) -> PageRecord:
        """Resolve a page. Idempotent: the first resolution time is kept."""
        ...

    def due_escalations(self, now: datetime) -> list[PageRecord]:
        """Open (unacknowledged) pages whose next escalation is due at ``now``, oldest due first."""
        ...

    def advance_escalation(
        self,
        page_id: str,
        *,
        expected_level: int,
        expected_round: int,
        new_level: int,
        new_round: int,
        next_at: datetime | None,
        now: datetime,
    ) -> bool:
        """Compare-and-swap the escalation position; True only for the caller that won.

        Fails (False) if the page moved on, was acknowledged or resolved, or does not exist.
        """
        ...

    def set_next_escalation(self, page_id: str, next_at: datetime | None) -> None:
        """Set (or clear, with None) when a page next escalates."""
        ...

    def record_delivery(
        self,
        page_id: str,
        level: int,
        channel: str,
        to: str,
        status: DeliveryStatus,
        attempts: int,
        detail: str | None,
        at: datetime,
    ) -> DeliveryRecord:
        """Append a delivery outcome for a page."""
        ...

    def list_deliveries(self, page_id: str) -> list[DeliveryRecord]:
        """A page's deliveries in the order recorded."""
        ...


class OutboxStore(Protocol):
    """Notifications waiting to be sent, handed to one worker at a time by leases."""

    def enqueue(
        self,
        page_id: str,
        level: int,
        channels: Sequence[str],
        not_before: datetime,
        at: datetime,
    ) -> OutboxItem:
        """Queue a notification of ``page_id`` at ``level`` to send from ``not_before`` on."""
        ...

    def claim_outbox(
        self, worker: str, now: datetime, lease: timedelta, limit: int
    ) -> list[OutboxItem]:
        """Lease up to ``limit`` ready items (due, not claimed or lease expired) to ``worker``."""
        ...

    def complete_outbox(self, item_id: int) -> bool:
        """Remove a sent item; False if it was already gone."""
        ...

    def release_outbox(
        self,
        item_id: int,
        error: str,
        now: datetime,
        *,
        not_before: datetime | None = None,
    ) -> bool:
        """Give a claimed item back after a failed attempt (attempts + 1, claim cleared).

        ``not_before`` postpones the next attempt (backoff). False if the item no longer exists.
        """
        ...

    def outbox_items(self) -> list[OutboxItem]:
        """Every queued item, in send order."""
        ...


class PublishStore(Protocol):
    """What was last published of each rotation to each target, for the team's publishers."""

    def get_published(self, target: str, rotation: str) -> PublishedRecord | None:
        """The last record put for (``target``, ``rotation``), or None."""
        ...

    def put_published(
        self,
        target: str,
        rotation: str,
        *,
        fingerprint: str,
        payload: dict[str, Any],
        at: datetime,
    ) -> PublishedRecord:
        """Insert or replace the record for (``target``, ``rotation``)."""
        ...

    def put_published_if(
        self,
        target: str,
        rotation: str,
        *,
        expected: str | None,
        fingerprint: str,
        payload: dict[str, Any],
        at: datetime,
    ) -> PublishedRecord | None:
        """Compare and set: put only while the stored fingerprint is still ``expected``.

        ``expected=None`` means "only if nothing is recorded yet". One atomic statement, so of
        several machines that read the same record and race to replace it exactly one wins;
        the others get None (and leave what the winner put).
        """
        ...

    def list_published(self, target: str | None = None) -> list[PublishedRecord]:
        """Every record (of one target), ordered by target then rotation."""
        ...

    def delete_published(self, target: str, rotation: str) -> bool:
        """Forget (``target``, ``rotation``); False if nothing was recorded."""
        ...


class TransferStore(Protocol):
    """Whole records in, ids and times kept, idempotently: ``store copy`` and the spool."""

    def import_run(self, run: Run, events: Sequence[Event]) -> bool:
        """Store ``run`` with its steps and event log unless its id is stored; True if stored."""
        ...

    def import_page(
        self,
        page: PageRecord,
        deliveries: Sequence[DeliveryRecord],
        queued: Sequence[OutboxItem] = (),
    ) -> bool:
        """Store ``page`` with its deliveries and queued items unless its id is stored.

        If the team already has a live page with the same dedup key, the imported page is
        stored resolved (it was sent while repeats could not be suppressed). True if stored.
        """
        ...

    def counts(self) -> StoreCounts:
        """How many runs, pages and queued items the team has."""
        ...


class Store(RunStore, PageStore, OutboxStore, PublishStore, TransferStore, Protocol):
    """A whole store: every concern, plus its lifecycle. Open one with ``open_store()``."""

    team: str
    """The team whose records this handle reads and writes."""

    def describe(self) -> str:
        """Where the store is, for people: a file path, or a URL with any password masked."""
        ...

    def schema_version(self) -> int:
        """How many of the backend's migrations have been applied."""
        ...

    def check_writable(self) -> None:
        """Take the write lock and let it go; raises ``StoreError`` if it cannot be taken."""
        ...

    def batch(self) -> AbstractContextManager[None]:
        """``with store.batch():`` the writes inside share one transaction, committed when the
        block ends (one commit, so one flush to disk, instead of one per write).

        Each write inside still succeeds or fails alone: a failed one is undone and raises,
        and what was written before it is committed when the error leaves the block, as if
        each write had been committed on its own. Only a crash inside the block loses its
        writes, so nothing may be reported as done (or sent) on the strength of a write
        before its block has ended. Batches nest (the outermost commits). Hold the block
        for store work only, never for a network call: it holds the write lock.
        """
        ...

    def close(self) -> None: ...

    def __enter__(self) -> Self: ...

    def __exit__(self, *exc_info: object) -> None: ...
