"""The PostgreSQL store (psycopg 3, the ``oncall-cli[postgres]`` extra): a team's shared state.

Several machines and several teams share one database. The SQL is the same as SQLite's
(``oncall/adapters/store/sql/``); what differs is settled here:

* one claimant per outbox item: ready items are picked ``FOR UPDATE SKIP LOCKED`` and leased
  in the same transaction, so two machines flushing at once take different items, and an item
  whose claimant died is taken again once its lease ends;
* one winner per escalation step: a single conditional ``UPDATE ... RETURNING``;
* one live page per team and dedup key: a partial unique index, inserted ``ON CONFLICT DO
  NOTHING``.

Every call has a connect timeout, a statement timeout and a lock timeout; libpq reads the rest
of the URL (``sslmode``, ``host=/cloudsql/...``) and ``PGPASSWORD`` or ``~/.pgpass``.
"""

from __future__ import annotations

from oncall.adapters.store.postgres.base import CONNECT_TIMEOUT, STATEMENT_TIMEOUT, PostgresStore
from oncall.adapters.store.postgres.schema import MIGRATIONS, SCHEMA_VERSION

__all__ = ["CONNECT_TIMEOUT", "MIGRATIONS", "SCHEMA_VERSION", "STATEMENT_TIMEOUT", "PostgresStore"]
