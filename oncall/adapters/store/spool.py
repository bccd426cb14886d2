"""The local spool: pages sent while the store was unreachable, kept until it is back.

JSON Lines in the per-user state directory, mode 0600. Each line is one page with its
deliveries and queued items, appended with a single ``write`` on an ``O_APPEND`` file and
fsynced, so concurrent writers never interleave and a crash loses at most the line being
written. :func:`write_back` moves the file aside (so a second writer starts a new one), imports
every page (idempotent: a page already stored is skipped) and only then removes it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import platformdirs

from oncall.adapters.store.protocol import Store
from oncall.adapters.store.records import DeliveryRecord, OutboxItem, PageRecord

__all__ = ["Spool", "default_spool_path"]


def default_spool_path(team: str) -> Path:
    return Path(platformdirs.user_state_dir("oncall")) / f"spool-{team or 'oncall'}.jsonl"


def _time(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def _page(data: dict[str, Any]) -> PageRecord:
    fields = dict(data)
    for key in ("created", "updated", "acked_at", "resolved_at", "next_escalation_at"):
        fields[key] = _time(fields.get(key))
    fields["escalation"] = tuple(fields.get("escalation", ()))
    return PageRecord(**fields)


def _delivery(data: dict[str, Any]) -> DeliveryRecord:
    return DeliveryRecord(**{**data, "at": datetime.fromisoformat(data["at"])})


def _queued(data: dict[str, Any]) -> OutboxItem:
    return OutboxItem(
        **{
            **data,
            "channels": tuple(data["channels"]),
            "not_before": datetime.fromisoformat(data["not_before"]),
            "created": datetime.fromisoformat(data["created"]),
            "claimed_by": None,
            "claimed_until": None,
        }
    )


@dataclass(frozen=True)
class Spool:
    path: Path

    def append(
        self,
        page: PageRecord,
        deliveries: Sequence[DeliveryRecord],
        queued: Sequence[OutboxItem] = (),
    ) -> None:
        """Append one page atomically (one write of one line, fsynced, file mode 0600)."""
        line = json.dumps(
            {
                "page": page.to_dict(),
                "deliveries": [d.to_dict() for d in deliveries],
                "queued": [q.to_dict() for q in queued],
            },
            sort_keys=True,
        )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, (line + "\n").encode())
            os.fsync(fd)
        finally:
            os.close(fd)

    def pending(self) -> list[Path]:
        """The spool file and any left half-written-back by a process that died."""
        found = sorted(self.path.parent.glob(self.path.name + ".writing-*"))
        return [*found, self.path] if self.path.exists() else found

    def write_back(self, store: Store) -> int:
        """Import every spooled page into ``store``, then remove the spool; pages stored."""
        stored = 0
        for path in self.pending():
            if path == self.path:
                moving = path.with_name(f"{path.name}.writing-{os.getpid()}")
                try:
                    path.rename(moving)
                except FileNotFoundError:  # another process took it
                    continue
                path = moving
            for line in path.read_text().splitlines():
                if not line.strip():
                    continue
                data = json.loads(line)
                page = _page(data["page"])
                deliveries = [_delivery(d) for d in data["deliveries"]]
                queued = [_queued(q) for q in data.get("queued", [])]
                stored += store.import_page(page, deliveries, queued)
            path.unlink()
        return stored
