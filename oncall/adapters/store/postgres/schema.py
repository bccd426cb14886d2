"""The PostgreSQL schema: ONE versioned list of migrations, applied in order, only ever appended.

``oncall_schema.version`` is the number of migrations applied. The first command to reach a
database applies what it lacks, in one transaction, under an advisory lock, so several machines
starting at once migrate it once. Times are ``timestamptz``; JSON is kept as text, exactly as
in SQLite, so both backends share their SQL.
"""

from __future__ import annotations

__all__ = ["MIGRATIONS", "MIGRATION_LOCK", "SCHEMA_VERSION"]

MIGRATION_LOCK = 0x0C0A11  # pg_advisory_xact_lock key held while migrating

_STATUS = "CHECK (status IN ('running', 'passed', 'failed', 'error', 'aborted'))"
_STEP_STATUS = "CHECK (status IN ('passed', 'failed', 'warned', 'skipped', 'error'))"

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        f"""CREATE TABLE runs (
            rowid    BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
            run_id   TEXT PRIMARY KEY,
            team     TEXT NOT NULL DEFAULT '',
            runbook  TEXT NOT NULL,
            pipeline TEXT NOT NULL,
            operator TEXT NOT NULL,
            status   TEXT NOT NULL DEFAULT 'running' {_STATUS},
            started  TIMESTAMPTZ NOT NULL,
            finished TIMESTAMPTZ
        )""",
        "CREATE INDEX runs_by_team ON runs (team, runbook, started)",
        "CREATE INDEX runs_by_started ON runs (team, started)",
        f"""CREATE TABLE steps (
            run_id   TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
            step_id  TEXT NOT NULL,
            seq      INTEGER NOT NULL,
            status   TEXT NOT NULL {_STEP_STATUS},
            title    TEXT NOT NULL,
            checks   TEXT NOT NULL,
            note     TEXT,
            finished TIMESTAMPTZ NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 1,
            PRIMARY KEY (run_id, step_id)
        )""",
        """CREATE TABLE events (
            seq     BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            run_id  TEXT NOT NULL REFERENCES runs (run_id),
            at      TIMESTAMPTZ NOT NULL,
            kind    TEXT NOT NULL,
            payload TEXT NOT NULL
        )""",
        "CREATE INDEX events_by_run ON events (run_id, seq)",
        """CREATE FUNCTION oncall_events_append_only() RETURNS trigger LANGUAGE plpgsql AS
           $$ BEGIN RAISE EXCEPTION 'events are append-only'; END $$""",
        """CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
           FOR EACH ROW EXECUTE FUNCTION oncall_events_append_only()""",
        """CREATE TABLE pages (
            rowid              BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
            page_id            TEXT PRIMARY KEY,
            team               TEXT NOT NULL DEFAULT '',
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
            created            TIMESTAMPTZ NOT NULL,
            updated            TIMESTAMPTZ NOT NULL,
            acked_at           TIMESTAMPTZ,
            acked_by           TEXT,
            resolved_at        TIMESTAMPTZ,
            next_escalation_at TIMESTAMPTZ
        )""",
        """CREATE UNIQUE INDEX pages_one_live_per_team_dedup
           ON pages (team, dedup_key) WHERE status <> 'resolved'""",
        "CREATE INDEX pages_by_team ON pages (team, created)",
        """CREATE INDEX pages_due ON pages (team, next_escalation_at)
           WHERE status = 'open' AND next_escalation_at IS NOT NULL""",
        """CREATE TABLE deliveries (
            id       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            page_id  TEXT NOT NULL REFERENCES pages (page_id),
            level    INTEGER NOT NULL,
            channel  TEXT NOT NULL,
            "to"     TEXT NOT NULL,
            status   TEXT NOT NULL CHECK (status IN ('sent', 'failed', 'queued', 'suppressed')),
            attempts INTEGER NOT NULL,
            detail   TEXT,
            at       TIMESTAMPTZ NOT NULL
        )""",
        "CREATE INDEX deliveries_by_page ON deliveries (page_id, id)",
        """CREATE TABLE outbox (
            id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            team          TEXT NOT NULL DEFAULT '',
            page_id       TEXT NOT NULL REFERENCES pages (page_id),
            level         INTEGER NOT NULL,
            channels      TEXT NOT NULL,
            not_before    TIMESTAMPTZ NOT NULL,
            attempts      INTEGER NOT NULL DEFAULT 0,
            last_error    TEXT,
            created       TIMESTAMPTZ NOT NULL,
            claimed_by    TEXT,
            claimed_until TIMESTAMPTZ
        )""",
        "CREATE INDEX outbox_ready ON outbox (team, not_before, id)",
        """CREATE TABLE published (
            team        TEXT NOT NULL,
            target      TEXT NOT NULL,
            rotation    TEXT NOT NULL,
            fingerprint TEXT NOT NULL,
            payload     TEXT NOT NULL,
            at          TIMESTAMPTZ NOT NULL,
            PRIMARY KEY (team, target, rotation)
        )""",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)
