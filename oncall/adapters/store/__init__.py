"""The store: runbook runs, pages, deliveries and the paging outbox, behind small Protocols.

``from oncall.adapters.store import Store, open_store`` is all a caller needs: :class:`Store`
is the Protocol (split by concern into :class:`RunStore`, :class:`PageStore` and
:class:`OutboxStore`, in ``protocol.py``), the records are plain dataclasses (``records.py``)
and :func:`open_store` picks the backend (today only SQLite, in ``sqlite/``).

Adding a backend: a package beside ``sqlite/`` with one class implementing every method of
:class:`Store` (argument checks and not-found errors from ``rules.py``, so messages match),
its own versioned migration list, a branch in ``factory.open_store``, and an entry in
``BACKENDS`` in tests/adapters/store/conftest.py: the whole store test suite then runs on it.
"""

from __future__ import annotations

from oncall.adapters.store.factory import open_store
from oncall.adapters.store.location import ENV_VAR, default_db_path
from oncall.adapters.store.protocol import OutboxStore, PageStore, RunStore, Store
from oncall.adapters.store.records import (
    DeliveryRecord,
    DeliveryStatus,
    Event,
    EventKind,
    FinalRunStatus,
    Note,
    OutboxItem,
    PageRecord,
    PageStatus,
    Run,
    RunStatus,
    StepRecord,
    StepStatus,
    new_page_id,
    new_run_id,
)
from oncall.adapters.store.sqlite import SCHEMA_VERSION

__all__ = [
    "ENV_VAR",
    "SCHEMA_VERSION",
    "DeliveryRecord",
    "DeliveryStatus",
    "Event",
    "EventKind",
    "FinalRunStatus",
    "Note",
    "OutboxItem",
    "OutboxStore",
    "PageRecord",
    "PageStatus",
    "PageStore",
    "Run",
    "RunStatus",
    "RunStore",
    "StepRecord",
    "StepStatus",
    "Store",
    "default_db_path",
    "new_page_id",
    "new_run_id",
    "open_store",
]
