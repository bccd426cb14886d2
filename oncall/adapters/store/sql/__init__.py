"""The store in SQL, written once for every SQL backend (see ``base.py`` for what one supplies)."""

from __future__ import annotations

from oncall.adapters.store.sql.base import Db, SqlBase
from oncall.adapters.store.sql.outbox import SqlOutboxStore
from oncall.adapters.store.sql.pages import SqlPageStore
from oncall.adapters.store.sql.published import SqlPublishStore
from oncall.adapters.store.sql.runs import SqlRunStore
from oncall.adapters.store.sql.transfer import SqlTransferStore

__all__ = ["Db", "SqlBase", "SqlStore"]


class SqlStore(SqlRunStore, SqlPageStore, SqlOutboxStore, SqlPublishStore, SqlTransferStore):
    """Every concern of the Store Protocol over a backend's connection."""
