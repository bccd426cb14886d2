"""The paging outbox: queued notifications of one team, handed to one worker at a time by leases.

A claim selects ready items with the backend's row lock (``FOR UPDATE SKIP LOCKED`` in
PostgreSQL; SQLite holds its write lock) and marks them leased in the same transaction.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from oncall.adapters.store.records import OutboxItem
from oncall.adapters.store.rules import check_limit
from oncall.adapters.store.sql.base import SqlBase
from oncall.adapters.store.sql.codec import (
    from_text,
    from_text_or_none,
    utc_text,
    utc_text_or_none,
)

__all__ = ["SqlOutboxStore"]

_OUTBOX_COLUMNS = (
    "id, page_id, level, channels, not_before, attempts, last_error, created, "
    "claimed_by, claimed_until"
)


class SqlOutboxStore(SqlBase):
    """The :class:`~oncall.adapters.store.protocol.OutboxStore` part of a SQL store."""

    def enqueue(
        self,
        page_id: str,
        level: int,
        channels: Sequence[str],
        not_before: datetime,
        at: datetime,
    ) -> OutboxItem:
        """Queue a notification of ``page_id`` at ``level`` to send from ``not_before`` on."""
        not_before_text = utc_text(not_before, "not_before")
        at_text = utc_text(at, "at")
        with self._write() as db:
            self._require_page(db, page_id)
            row = db.execute(
                "INSERT INTO outbox (team, page_id, level, channels, not_before, created) "
                f"VALUES (?, ?, ?, ?, ?, ?) RETURNING {_OUTBOX_COLUMNS}",
                (self.team, page_id, level, json.dumps(list(channels)), not_before_text, at_text),
            ).fetchone()
        return _outbox_from_row(row)

    def claim_outbox(
        self, worker: str, now: datetime, lease: timedelta, limit: int
    ) -> list[OutboxItem]:
        """Lease up to ``limit`` ready items (due, not claimed or lease expired) to ``worker``."""
        check_limit(limit)
        if lease <= timedelta(0):
            raise ValueError(f"lease must be positive, got {lease}")
        now_text = utc_text(now, "now")
        until_text = utc_text(now + lease, "now")
        with self._write() as db:
            ids = [
                int(r[0])
                for r in db.execute(
                    "SELECT id FROM outbox WHERE team = ? AND not_before <= ? "
                    "AND (claimed_until IS NULL OR claimed_until <= ?) "
                    f"ORDER BY not_before, id LIMIT ?{self.LOCK_ROWS}",
                    (self.team, now_text, now_text, limit),
                )
            ]
            if not ids:
                return []
            marks = ", ".join("?" * len(ids))
            db.execute(
                f"UPDATE outbox SET claimed_by = ?, claimed_until = ? WHERE id IN ({marks})",
                (worker, until_text, *ids),
            )
            rows = db.execute(
                f"SELECT {_OUTBOX_COLUMNS} FROM outbox WHERE id IN ({marks}) "
                "ORDER BY not_before, id",
                ids,
            ).fetchall()
        return [_outbox_from_row(r) for r in rows]

    def complete_outbox(self, item_id: int) -> bool:
        """Remove a sent item; False if it was already gone."""
        with self._write_one() as db:
            cursor = db.execute(
                "DELETE FROM outbox WHERE id = ? AND team = ?", (item_id, self.team)
            )
            return bool(cursor.rowcount == 1)

    def release_outbox(
        self,
        item_id: int,
        error: str,
        now: datetime,
        *,
        not_before: datetime | None = None,
    ) -> bool:
        """Give a claimed item back after a failed attempt (attempts + 1, claim cleared).

        ``not_before`` postpones the next attempt (backoff); ``now`` is when it failed and
        must be aware. False if the item no longer exists.
        """
        utc_text(now, "now")
        not_before_text = utc_text_or_none(not_before, "not_before")
        with self._write_one() as db:
            cursor = db.execute(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ?, claimed_by = NULL, "
                "claimed_until = NULL, not_before = COALESCE(?, not_before) "
                "WHERE id = ? AND team = ?",
                (error, not_before_text, item_id, self.team),
            )
            return bool(cursor.rowcount == 1)

    def outbox_items(self) -> list[OutboxItem]:
        """Every queued item, in send order."""
        with self._read() as db:
            rows = db.execute(
                f"SELECT {_OUTBOX_COLUMNS} FROM outbox WHERE team = ? ORDER BY not_before, id",
                (self.team,),
            ).fetchall()
        return [_outbox_from_row(r) for r in rows]


def _outbox_from_row(row: Sequence[Any]) -> OutboxItem:
    return OutboxItem(
        id=int(row[0]),
        page_id=row[1],
        level=int(row[2]),
        channels=tuple(json.loads(row[3])),
        not_before=from_text(row[4]),
        attempts=int(row[5]),
        last_error=row[6],
        created=from_text(row[7]),
        claimed_by=row[8],
        claimed_until=from_text_or_none(row[9]),
    )
