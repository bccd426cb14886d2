"""The SQLite schema: ONE versioned list of migrations, applied in order, only ever appended.

A file's ``PRAGMA user_version`` is the number of migrations applied to it, so files written by
any earlier oncall still open: opening applies the migrations they lack, in one transaction.
"""

from __future__ import annotations

__all__ = ["MIGRATIONS", "SCHEMA_VERSION"]

# Each migration is a list of statements, applied in one transaction; the database's
# ``PRAGMA user_version`` is the number of migrations applied. Only ever append.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE runs (
            run_id   TEXT PRIMARY KEY,
            runbook  TEXT NOT NULL,
            pipeline TEXT NOT NULL,
            operator TEXT NOT NULL,
            status   TEXT NOT NULL DEFAULT 'running'
                     CHECK (status IN ('running', 'passed', 'failed', 'error', 'aborted')),
            started  TEXT NOT NULL,
            finished TEXT
        )""",
        "CREATE INDEX runs_by_runbook ON runs (runbook, started)",
        "CREATE INDEX runs_by_started ON runs (started)",
        """CREATE TABLE steps (
            run_id   TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
            step_id  TEXT NOT NULL,
            seq      INTEGER NOT NULL,
            status   TEXT NOT NULL
                     CHECK (status IN ('passed', 'failed', 'warned', 'skipped', 'error')),
            title    TEXT NOT NULL,
            checks   TEXT NOT NULL,
            note     TEXT,
            finished TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 1,
            PRIMARY KEY (run_id, step_id)
        )""",
        """CREATE TABLE events (
            seq     INTEGER PRIMARY KEY AUTOINCREMENT,
            run_id  TEXT NOT NULL REFERENCES runs (run_id),
            at      TEXT NOT NULL,
            kind    TEXT NOT NULL,
            payload TEXT NOT NULL
        )""",
        "CREATE INDEX events_by_run ON events (run_id, seq)",
        """CREATE TRIGGER events_no_update BEFORE UPDATE ON events
           BEGIN SELECT RAISE(ABORT, 'events are append-only'); END""",
        """CREATE TRIGGER events_no_delete BEFORE DELETE ON events
           BEGIN SELECT RAISE(ABORT, 'events are append-only'); END""",
        """CREATE TABLE pages (
            page_id            TEXT PRIMARY KEY,
            dedup_key          TEXT NOT NULL,
            pipeline           TEXT,
            target             TEXT NOT NULL,
            urgency            TEXT NOT NULL,
            severity           TEXT NOT NULL,
            summary            TEXT NOT NULL,
            details            TEXT NOT NULL,
            responder          TEXT NOT NULL,
            escalation         TEXT NOT NULL,
            level              INTEGER NOT NULL DEFAULT 0,
            round              INTEGER NOT NULL DEFAULT 0,
            status             TEXT NOT NULL DEFAULT 'open'
                               CHECK (status IN ('open', 'acknowledged', 'resolved')),
            created            TEXT NOT NULL,
            updated            TEXT NOT NULL,
            acked_at           TEXT,
            acked_by           TEXT,
            resolved_at        TEXT,
            next_escalation_at TEXT
        )""",
        """CREATE UNIQUE INDEX pages_one_live_per_dedup
           ON pages (dedup_key) WHERE status != 'resolved'""",
        "CREATE INDEX pages_by_dedup ON pages (dedup_key, created)",
        "CREATE INDEX pages_by_created ON pages (created)",
        """CREATE INDEX pages_due ON pages (next_escalation_at)
           WHERE status = 'open' AND next_escalation_at IS NOT NULL""",
        """CREATE TABLE deliveries (
            id       INTEGER PRIMARY KEY AUTOINCREMENT,
            page_id  TEXT NOT NULL REFERENCES pages (page_id),
            level    INTEGER NOT NULL,
            channel  TEXT NOT NULL,
            "to"     TEXT NOT NULL,
            status   TEXT NOT NULL CHECK (status IN ('sent', 'failed', 'queued', 'suppressed')),
            attempts INTEGER NOT NULL,
            detail   TEXT,
            at       TEXT NOT NULL
        )""",
        "CREATE INDEX deliveries_by_page ON deliveries (page_id, id)",
        """CREATE TABLE outbox (
            id            INTEGER PRIMARY KEY AUTOINCREMENT,
            page_id       TEXT NOT NULL REFERENCES pages (page_id),
            level         INTEGER NOT NULL,
            channels      TEXT NOT NULL,
            not_before    TEXT NOT NULL,
            attempts      INTEGER NOT NULL DEFAULT 0,
            last_error    TEXT,
            created       TEXT NOT NULL,
            claimed_by    TEXT,
            claimed_until TEXT
        )""",
        "CREATE INDEX outbox_ready ON outbox (not_before, id)",
    ),
    # 2: every record carries its team ('' for records written before teams); one live page
    # per team and dedup key; what publishers last published.
    (
        "ALTER TABLE runs ADD COLUMN team TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE pages ADD COLUMN team TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE outbox ADD COLUMN team TEXT NOT NULL DEFAULT ''",
        "DROP INDEX pages_one_live_per_dedup",
        """CREATE UNIQUE INDEX pages_one_live_per_team_dedup
           ON pages (team, dedup_key) WHERE status != 'resolved'""",
        "CREATE INDEX runs_by_team ON runs (team, runbook, started)",
        "CREATE INDEX pages_by_team ON pages (team, created)",
        "CREATE INDEX outbox_by_team ON outbox (team, not_before, id)",
        """CREATE TABLE published (
            team        TEXT NOT NULL,
            target      TEXT NOT NULL,
            rotation    TEXT NOT NULL,
            fingerprint TEXT NOT NULL,
            payload     TEXT NOT NULL,
            at          TEXT NOT NULL,
            PRIMARY KEY (team, target, rotation)
        )""",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)
