"""The SQLite store: one local file holding runs, pages, deliveries and the paging outbox.

One file, shared safely by several processes (and machines on a shared disk that honours
POSIX locks): WAL journal, a busy timeout, and every write in its own short
``BEGIN IMMEDIATE`` transaction that is committed before the call returns, so a crash loses
nothing already reported. Races that matter are settled inside the database:

* one live page per team and dedup key (a partial UNIQUE index, checked under the write lock);
* one winner per escalation step (a compare-and-swap ``UPDATE ... WHERE level=? AND round=?``);
* one claimant per outbox item (claims are leases taken under the write lock).

The SQL itself is shared with every SQL backend (``oncall/adapters/store/sql/``). Times are
stored as fixed-width ISO 8601 UTC text (``2026-11-21T09:00:00.000000+00:00``), so text order
is time order. The file is created mode 0600; it holds no secrets and names people only by id.
"""

from __future__ import annotations

from oncall.adapters.store.sqlite.base import BUSY_TIMEOUT, SqliteStore
from oncall.adapters.store.sqlite.schema import MIGRATIONS, SCHEMA_VERSION

__all__ = ["BUSY_TIMEOUT", "MIGRATIONS", "SCHEMA_VERSION", "SqliteStore"]
