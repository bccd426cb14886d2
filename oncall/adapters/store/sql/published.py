"""What each publisher last published, per team, target and rotation: the ``published`` table."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from oncall.adapters.store.records import PublishedRecord
from oncall.adapters.store.sql.base import SqlBase
from oncall.adapters.store.sql.codec import dumps, from_text, utc_text

__all__ = ["SqlPublishStore"]

_COLUMNS = "target, rotation, fingerprint, payload, at"


class SqlPublishStore(SqlBase):
    """The :class:`~oncall.adapters.store.protocol.PublishStore` part of a SQL store."""

    def get_published(self, target: str, rotation: str) -> PublishedRecord | None:
        """The last record put for (``target``, ``rotation``), or None."""
        with self._read() as db:
            row = db.execute(
                f"SELECT {_COLUMNS} FROM published WHERE team = ? AND target = ? AND rotation = ?",
                (self.team, target, rotation),
            ).fetchone()
        return None if row is None else _from_row(row)

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
        at_text = utc_text(at, "at")
        with self._write() as db:
            row = db.execute(
                f"INSERT INTO published (team, {_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (team, target, rotation) DO UPDATE SET "
                "fingerprint = excluded.fingerprint, payload = excluded.payload, "
                f"at = excluded.at RETURNING {_COLUMNS}",
                (self.team, target, rotation, fingerprint, dumps(payload), at_text),
            ).fetchone()
        return _from_row(row)

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
        """Put only while the stored fingerprint is ``expected`` (None: none stored); else None."""
        at_text = utc_text(at, "at")
        with self._write() as db:
            if expected is None:
                row = db.execute(
                    f"INSERT INTO published (team, {_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT (team, target, rotation) DO NOTHING "
                    f"RETURNING {_COLUMNS}",
                    (self.team, target, rotation, fingerprint, dumps(payload), at_text),
                ).fetchone()
            else:
                row = db.execute(
                    "UPDATE published SET fingerprint = ?, payload = ?, at = ? "
                    "WHERE team = ? AND target = ? AND rotation = ? AND fingerprint = ? "
                    f"RETURNING {_COLUMNS}",
                    (fingerprint, dumps(payload), at_text, self.team, target, rotation, expected),
                ).fetchone()
        return None if row is None else _from_row(row)

    def list_published(self, target: str | None = None) -> list[PublishedRecord]:
        """Every record (of one target), ordered by target then rotation."""
        where, params = (" AND target = ?", (target,)) if target is not None else ("", ())
        with self._read() as db:
            rows = db.execute(
                f"SELECT {_COLUMNS} FROM published WHERE team = ?{where} ORDER BY target, rotation",
                (self.team, *params),
            ).fetchall()
        return [_from_row(r) for r in rows]

    def delete_published(self, target: str, rotation: str) -> bool:
        """Forget (``target``, ``rotation``); False if nothing was recorded."""
        with self._write() as db:
            cursor = db.execute(
                "DELETE FROM published WHERE team = ? AND target = ? AND rotation = ?",
                (self.team, target, rotation),
            )
            return bool(cursor.rowcount == 1)


def _from_row(row: Sequence[Any]) -> PublishedRecord:
    return PublishedRecord(
        target=row[0],
        rotation=row[1],
        fingerprint=row[2],
        payload=json.loads(row[3]),
        at=from_text(row[4]),
    )
