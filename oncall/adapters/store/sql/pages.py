"""Pages and their deliveries: the ``pages`` and ``deliveries`` tables (one team's).

One live page per team and dedup key is a partial UNIQUE index, and the insert is
``ON CONFLICT DO NOTHING`` (a racing second insert waits for the first and then does nothing);
one winner per escalation step is a compare-and-swap ``UPDATE ... WHERE level=? AND round=?``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from oncall.adapters.store.records import (
    DELIVERY_STATUSES,
    PAGE_STATUSES,
    DeliveryRecord,
    DeliveryStatus,
    PageKind,
    PageRecord,
)
from oncall.adapters.store.rules import check_choice, check_limit, page_not_found
from oncall.adapters.store.sql.base import Db, SqlBase
from oncall.adapters.store.sql.codec import (
    dumps,
    from_text,
    from_text_or_none,
    utc_text,
    utc_text_or_none,
)
from oncall.errors import StoreError

__all__ = ["SqlPageStore"]

_PAGE_COLUMNS = (
    "page_id, dedup_key, pipeline, target, urgency, severity, summary, details, responder, "
    "escalation, level, round, status, created, updated, acked_at, acked_by, resolved_at, "
    "next_escalation_at"
)


class SqlPageStore(SqlBase):
    """The :class:`~oncall.adapters.store.protocol.PageStore` part of a SQL store."""

    def open_page_by_dedup(self, dedup_key: str) -> PageRecord | None:
        """The open or acknowledged page with this dedup key, or None."""
        with self._read() as db:
            row = _live_page(db, self.team, dedup_key)
        return None if row is None else _page_from_row(row)

    def create_page_if_absent(self, record: PageRecord) -> tuple[PageRecord, bool]:
        """Insert ``record`` unless a page with its dedup key is open or acknowledged.

        Returns ``(existing, False)`` or ``(stored, True)``. Racing processes create one page.
        """
        check_choice(record.status, PAGE_STATUSES, "page status")
        values = (self.team, *_page_values(record))
        with self._write() as db:
            row = _live_page(db, self.team, record.dedup_key)
            if row is not None:
                return _page_from_row(row), False
            if db.execute("SELECT 1 FROM pages WHERE page_id = ?", (record.page_id,)).fetchone():
                raise StoreError(f"page {record.page_id!r} already exists in {self.describe()}")
            placeholders = ", ".join("?" * len(values))
            inserted = db.execute(
                f"INSERT INTO pages (team, {_PAGE_COLUMNS}) VALUES ({placeholders}) "
                f"ON CONFLICT DO NOTHING RETURNING {_PAGE_COLUMNS}",
                values,
            ).fetchone()
            if inserted is None:  # another process created the live page meanwhile
                row = _live_page(db, self.team, record.dedup_key)
                if row is None:
                    raise StoreError(f"page {record.page_id!r} already exists in {self.describe()}")
                return _page_from_row(row), False
        return _page_from_row(inserted), True

    def get_page(self, page_id_or_dedup_key: str) -> PageRecord | None:
        """A page by id, else the live page with that dedup key, else its newest page."""
        with self._read() as db:
            row = _find_page(db, self.team, page_id_or_dedup_key)
        return None if row is None else _page_from_row(row)

    def list_pages(self, open_only: bool = False, limit: int = 100) -> list[PageRecord]:
        """Pages, newest first; ``open_only`` keeps open and acknowledged ones."""
        check_limit(limit)
        where = " AND status != 'resolved'" if open_only else ""
        with self._read() as db:
            rows = db.execute(
                f"SELECT {_PAGE_COLUMNS} FROM pages WHERE team = ?{where} "
                "ORDER BY created DESC, rowid DESC LIMIT ?",
                (self.team, limit),
            ).fetchall()
        return [_page_from_row(r) for r in rows]

    def acknowledge(self, page_id_or_dedup_key: str, by: str, at: datetime) -> PageRecord:
        """Acknowledge a page (stops escalation). Idempotent: the first ack is kept."""
        at_text = utc_text(at, "at")
        with self._write() as db:
            page_id = _page_id(db, self.team, page_id_or_dedup_key)
            db.execute(
                "UPDATE pages SET status = 'acknowledged', acked_at = ?, acked_by = ?, "
                "updated = ?, next_escalation_at = NULL WHERE page_id = ? AND status = 'open'",
                (at_text, by, at_text, page_id),
            )
            row = db.execute(
                f"SELECT {_PAGE_COLUMNS} FROM pages WHERE page_id = ?", (page_id,)
            ).fetchone()
        return _page_from_row(row)

    def resolve(self, page_id_or_dedup_key: str, at: datetime) -> PageRecord:
        """Resolve a page. Idempotent: the first resolution time is kept."""
        at_text = utc_text(at, "at")
        with self._write() as db:
            page_id = _page_id(db, self.team, page_id_or_dedup_key)
            db.execute(
                "UPDATE pages SET status = 'resolved', resolved_at = ?, updated = ?, "
                "next_escalation_at = NULL WHERE page_id = ? AND status != 'resolved'",
                (at_text, at_text, page_id),
            )
            row = db.execute(
                f"SELECT {_PAGE_COLUMNS} FROM pages WHERE page_id = ?", (page_id,)
            ).fetchone()
        return _page_from_row(row)

    def due_escalations(self, now: datetime) -> list[PageRecord]:
        """Open (unacknowledged) pages whose next escalation is due at ``now``, oldest due first."""
        now_text = utc_text(now, "now")
        with self._read() as db:
            rows = db.execute(
                f"SELECT {_PAGE_COLUMNS} FROM pages WHERE team = ? AND status = 'open' "
                "AND next_escalation_at IS NOT NULL AND next_escalation_at <= ? "
                "ORDER BY next_escalation_at, rowid",
                (self.team, now_text),
            ).fetchall()
        return [_page_from_row(r) for r in rows]

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
        next_text = utc_text_or_none(next_at, "next_at")
        now_text = utc_text(now, "now")
        with self._write() as db:
            cursor = db.execute(
                "UPDATE pages SET level = ?, round = ?, next_escalation_at = ?, updated = ? "
                "WHERE page_id = ? AND team = ? AND level = ? AND round = ? AND status = 'open' "
                "RETURNING page_id",
                (
                    new_level,
                    new_round,
                    next_text,
                    now_text,
                    page_id,
                    self.team,
                    expected_level,
                    expected_round,
                ),
            )
            return cursor.fetchone() is not None

    def set_next_escalation(self, page_id: str, next_at: datetime | None) -> None:
        """Set (or clear, with None) when a page next escalates."""
        next_text = utc_text_or_none(next_at, "next_at")
        with self._write_one() as db:
            cursor = db.execute(
                "UPDATE pages SET next_escalation_at = ? WHERE page_id = ? AND team = ?",
                (next_text, page_id, self.team),
            )
            if cursor.rowcount == 0:
                raise page_not_found(page_id)

    # ------------------------------------------------------------------ deliveries

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
        check_choice(status, DELIVERY_STATUSES, "delivery status")
        at_text = utc_text(at, "at")
        with self._write_one() as db:
            self._require_page(db, page_id)
            item_id = int(
                db.execute(
                    'INSERT INTO deliveries (page_id, level, channel, "to", status, attempts, '
                    "detail, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                    (page_id, level, channel, to, status, attempts, detail, at_text),
                ).fetchone()[0]
            )
        return DeliveryRecord(
            id=item_id,
            page_id=page_id,
            level=level,
            channel=channel,
            to=to,
            status=status,
            attempts=attempts,
            detail=detail,
            at=from_text(at_text),
        )

    def list_deliveries(self, page_id: str) -> list[DeliveryRecord]:
        """A page's deliveries in the order recorded."""
        with self._read() as db:
            rows = db.execute(
                'SELECT id, page_id, level, channel, "to", status, attempts, detail, at '
                "FROM deliveries WHERE page_id = ? AND page_id IN "
                "(SELECT page_id FROM pages WHERE team = ?) ORDER BY id",
                (page_id, self.team),
            ).fetchall()
        return [
            DeliveryRecord(
                id=int(r[0]),
                page_id=r[1],
                level=int(r[2]),
                channel=r[3],
                to=r[4],
                status=r[5],
                attempts=int(r[6]),
                detail=r[7],
                at=from_text(r[8]),
            )
            for r in rows
        ]


def _live_page(db: Db, team: str, dedup_key: str) -> Any:
    return db.execute(
        f"SELECT {_PAGE_COLUMNS} FROM pages WHERE team = ? AND dedup_key = ? "
        "AND status != 'resolved'",
        (team, dedup_key),
    ).fetchone()


def _page_id(db: Db, team: str, ref: str) -> str:
    row = _find_page(db, team, ref)
    if row is None:
        raise page_not_found(ref)
    return str(row[0])


def _find_page(db: Db, team: str, ref: str) -> Any:
    row = db.execute(
        f"SELECT {_PAGE_COLUMNS} FROM pages WHERE page_id = ? AND team = ?", (ref, team)
    ).fetchone()
    if row is None:
        row = db.execute(
            f"SELECT {_PAGE_COLUMNS} FROM pages WHERE team = ? AND dedup_key = ? "
            "ORDER BY status = 'resolved', created DESC, rowid DESC LIMIT 1",
            (team, ref),
        ).fetchone()
    return row


# The page's kind and runbook are kept in the details column under these keys, as they
# always were (no schema change); the record carries them as fields.
_KIND_KEY = "_kind"
_RUNBOOK_KEY = "_runbook"


def _stored_details(record: PageRecord) -> dict[str, Any]:
    details = dict(record.details)
    if record.kind != "page":
        details[_KIND_KEY] = record.kind
    if record.runbook is not None:
        details[_RUNBOOK_KEY] = record.runbook
    return details


def _split_details(raw: str) -> tuple[dict[str, Any], PageKind, str | None]:
    """The user's details, the page's kind and its runbook, from the details column."""
    details: dict[str, Any] = json.loads(raw)
    kind: PageKind = "notice" if details.pop(_KIND_KEY, None) == "notice" else "page"
    runbook = details.pop(_RUNBOOK_KEY, None)
    return details, kind, runbook if isinstance(runbook, str) else None


def _page_values(record: PageRecord) -> tuple[object, ...]:
    created = utc_text(record.created, "created")
    return (
        record.page_id,
        record.dedup_key,
        record.pipeline,
        record.target,
        record.urgency,
        record.severity,
        record.summary,
        dumps(_stored_details(record)),
        record.responder,
        json.dumps(list(record.escalation)),
        record.level,
        record.round,
        record.status,
        created,
        utc_text(record.updated, "updated") if record.updated is not None else created,
        utc_text_or_none(record.acked_at, "acked_at"),
        record.acked_by,
        utc_text_or_none(record.resolved_at, "resolved_at"),
        utc_text_or_none(record.next_escalation_at, "next_escalation_at"),
    )


def _page_from_row(row: Sequence[Any]) -> PageRecord:
    details, kind, runbook = _split_details(row[7])
    return PageRecord(
        page_id=row[0],
        dedup_key=row[1],
        pipeline=row[2],
        target=row[3],
        urgency=row[4],
        severity=row[5],
        summary=row[6],
        details=details,
        responder=row[8],
        escalation=tuple(json.loads(row[9])),
        level=int(row[10]),
        round=int(row[11]),
        status=row[12],
        created=from_text(row[13]),
        updated=from_text(row[14]),
        acked_at=from_text_or_none(row[15]),
        acked_by=row[16],
        resolved_at=from_text_or_none(row[17]),
        next_escalation_at=from_text_or_none(row[18]),
        kind=kind,
        runbook=runbook,
    )
