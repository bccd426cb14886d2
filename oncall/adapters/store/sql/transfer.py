"""Whole records in and out: copying a team's history between stores, writing the spool back.

An import keeps the record's ids and times and is idempotent: a run or page whose id is
already stored is left alone (False), so a copy or a write-back interrupted half-way is simply
run again. Each record goes in one transaction with its steps, events, deliveries and queue.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from oncall.adapters.store.records import (
    DeliveryRecord,
    Event,
    OutboxItem,
    PageRecord,
    Run,
    StoreCounts,
)
from oncall.adapters.store.sql.base import SqlBase
from oncall.adapters.store.sql.codec import dumps, utc_text, utc_text_or_none
from oncall.adapters.store.sql.pages import _PAGE_COLUMNS, _live_page, _page_values

__all__ = ["SqlTransferStore"]


class SqlTransferStore(SqlBase):
    """The :class:`~oncall.adapters.store.protocol.TransferStore` part of a SQL store."""

    def import_run(self, run: Run, events: Sequence[Event]) -> bool:
        """Store ``run`` with its steps and event log unless its id is stored; True if stored."""
        with self._write() as db:
            if db.execute("SELECT 1 FROM runs WHERE run_id = ?", (run.run_id,)).fetchone():
                return False
            db.execute(
                "INSERT INTO runs (run_id, team, runbook, pipeline, operator, status, started, "
                "finished) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    run.run_id,
                    self.team,
                    run.runbook,
                    run.pipeline,
                    run.operator,
                    run.status,
                    utc_text(run.started),
                    utc_text_or_none(run.finished),
                ),
            )
            for seq, step in enumerate(run.steps, start=1):
                db.execute(
                    "INSERT INTO steps (run_id, step_id, seq, status, title, checks, note, "
                    "finished, attempts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        run.run_id,
                        step.step_id,
                        seq,
                        step.status,
                        step.title,
                        dumps([dict(c) for c in step.checks]),
                        step.note,
                        utc_text(step.finished),
                        step.attempts,
                    ),
                )
            for event in events:
                db.execute(
                    "INSERT INTO events (run_id, at, kind, payload) VALUES (?, ?, ?, ?)",
                    (run.run_id, utc_text(event.at), event.kind, dumps(event.payload)),
                )
        return True

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
        with self._write() as db:
            if db.execute("SELECT 1 FROM pages WHERE page_id = ?", (page.page_id,)).fetchone():
                return False
            values = list(_page_values(page))
            if page.status != "resolved" and _live_page(db, self.team, page.dedup_key):
                status_at = _PAGE_COLUMNS.split(", ").index("status")
                values[status_at] = "resolved"
                values[status_at + 5] = values[status_at + 2]  # resolved_at = updated
                values[status_at + 6] = None  # no next escalation
            marks = ", ".join("?" * (len(values) + 1))
            db.execute(
                f"INSERT INTO pages (team, {_PAGE_COLUMNS}) VALUES ({marks})", (self.team, *values)
            )
            for d in deliveries:
                db.execute(
                    'INSERT INTO deliveries (page_id, level, channel, "to", status, attempts, '
                    "detail, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (page.page_id, d.level, d.channel, d.to, d.status, d.attempts, d.detail,
                     utc_text(d.at)),
                )  # fmt: skip
            for item in queued:
                db.execute(
                    "INSERT INTO outbox (team, page_id, level, channels, not_before, attempts, "
                    "last_error, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (self.team, page.page_id, item.level, json.dumps(list(item.channels)),
                     utc_text(item.not_before), item.attempts, item.last_error,
                     utc_text(item.created)),
                )  # fmt: skip
        return True

    def counts(self) -> StoreCounts:
        """How many runs, pages and queued items the team has."""
        with self._read() as db:
            found = [
                int(db.execute(f"SELECT COUNT(*) FROM {table} WHERE team = ?", (self.team,))
                    .fetchone()[0])
                for table in ("runs", "pages", "outbox")
            ]  # fmt: skip
        return StoreCounts(runs=found[0], pages=found[1], queued=found[2])
