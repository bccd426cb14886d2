"""The store: runbook runs, pages, deliveries and the paging outbox, behind small Protocols.

``from oncall.adapters.store import Store, open_store`` is all a caller needs: :class:`Store`
is the Protocol (split by concern into :class:`RunStore`, :class:`PageStore`,
:class:`OutboxStore` and :class:`PublishStore`, in ``protocol.py``), the records are plain
dataclasses (``records.py``) and :func:`open_store` picks the backend for a location
(``location.py``) and opens a handle for one team.

The SQL is written once (``sql/``); ``sqlite/`` and ``postgres/`` supply a connection,
transactions, their versioned migration list and their error messages. Adding a SQL backend:
a package beside them subclassing ``sql.SqlStore``, a branch in ``factory.open_store``, and an
entry in ``BACKENDS`` in tests/adapters/store/conftest.py: the whole store suite then runs on it.
"""

from __future__ import annotations

from oncall.adapters.store.factory import open_store
from oncall.adapters.store.location import (
    ENV_VAR,
    LEGACY_TEAM,
    URL_ENV_VAR,
    StoreLocation,
    default_db_path,
    legacy_db_path,
    mask_url,
    resolve_location,
    same_store,
    team_db_path,
)
from oncall.adapters.store.protocol import (
    OutboxStore,
    PageStore,
    PublishStore,
    RunStore,
    Store,
    TransferStore,
)
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
    PublishedRecord,
    Run,
    RunStatus,
    StepRecord,
    StepStatus,
    StoreCounts,
    new_page_id,
    new_run_id,
)
from oncall.adapters.store.sqlite import SCHEMA_VERSION

__all__ = [
    "ENV_VAR",
    "LEGACY_TEAM",
    "SCHEMA_VERSION",
    "URL_ENV_VAR",
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
    "PublishStore",
    "PublishedRecord",
    "Run",
    "RunStatus",
    "RunStore",
    "StepRecord",
    "StepStatus",
    "Store",
    "StoreCounts",
    "StoreLocation",
    "TransferStore",
    "default_db_path",
    "legacy_db_path",
    "mask_url",
    "new_page_id",
    "new_run_id",
    "open_store",
    "resolve_location",
    "same_store",
    "team_db_path",
]
