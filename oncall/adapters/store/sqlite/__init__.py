"""The SQLite store: one local file holding runs, pages, deliveries and the paging outbox.

One file, shared safely by several processes (and machines on a shared disk that honours
POSIX locks): WAL journal, a busy timeout, and every write in its own short
``BEGIN IMMEDIATE`` transaction that is committed before the call returns, so a crash loses
nothing already reported. Races that matter are settled inside the database:

* one open page per dedup key (a partial UNIQUE index, checked under the write lock);
* one winner per escalation step (a compare-and-swap ``UPDATE ... WHERE level=? AND round=?``);
* one claimant per outbox item (claims are leases taken under the write lock).

Times are stored as fixed-width ISO 8601 UTC text (``2026-11-21T09:00:00.000000+00:00``), so
text order is time order. The store holds no secrets and names people only by id.
"""

from __future__ import annotations

from oncall.adapters.store.sqlite.base import BUSY_TIMEOUT
from oncall.adapters.store.sqlite.outbox import SqliteOutboxStore
from oncall.adapters.store.sqlite.pages import SqlitePageStore
from oncall.adapters.store.sqlite.runs import SqliteRunStore
from oncall.adapters.store.sqlite.schema import MIGRATIONS, SCHEMA_VERSION

__all__ = ["BUSY_TIMEOUT", "MIGRATIONS", "SCHEMA_VERSION", "SqliteStore"]


class SqliteStore(SqliteRunStore, SqlitePageStore, SqliteOutboxStore):
    """A handle on the SQLite state file. Open with :meth:`SqliteStore.open`; close when done."""
