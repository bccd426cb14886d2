"""The local SQLite store: runbook runs, pages, deliveries and the paging outbox.

One file, shared safely by several processes (and machines on a shared disk that honours
POSIX locks): WAL journal, a busy timeout, and every write in its own short
``BEGIN IMMEDIATE`` transaction that is committed before the call returns, so a crash loses
nothing already reported. Races that matter are settled inside the database:

* one open page per dedup key (a partial UNIQUE index, checked under the write lock);
* one winner per escalation step (a compare-and-swap ``UPDATE ... WHERE level=? AND round=?``);
* one claimant per outbox item (claims are leases taken under the write lock).

Times are passed in, never read from the clock, and stored as fixed-width ISO 8601 UTC text
(``2026-11-21T09:00:00.000000+00:00``), so text order is time order. The store holds no
secrets and names people only by id.
"""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal, cast, get_args

import platformdirs

from oncall.errors import NotFoundError, StoreError

__all__ = [
    "DeliveryRecord",
    "Event",
    "Note",
    "OutboxItem",
    "PageRecord",
    "Run",
    "StepRecord",
    "Store",
    "default_db_path",
    "new_page_id",
    "new_run_id",
]

ENV_VAR = "ONCALL_STATE_DB"
BUSY_TIMEOUT = timedelta(seconds=10)
_WAL_RETRY_PAUSE = timedelta(milliseconds=20)

StepStatus = Literal["passed", "failed", "warned", "skipped", "error"]
RunStatus = Literal["running", "passed", "failed", "error", "aborted"]
FinalRunStatus = Literal["passed", "failed", "error", "aborted"]
EventKind = Literal["start", "step", "note", "skip", "rerun", "abort", "finish"]
PageStatus = Literal["open", "acknowledged", "resolved"]
DeliveryStatus = Literal["sent", "failed", "queued", "suppressed"]

_STEP_STATUSES = frozenset(get_args(StepStatus))
_FINAL_RUN_STATUSES = frozenset(get_args(FinalRunStatus))
_PAGE_STATUSES = frozenset(get_args(PageStatus))
_DELIVERY_STATUSES = frozenset(get_args(DeliveryStatus))

_FIX = f"set {ENV_VAR} to a writable file path"


def default_db_path() -> Path:
    """``$ONCALL_STATE_DB`` if set and non-empty, else the per-user state dir's ``oncall.db``."""
    configured = os.environ.get(ENV_VAR, "").strip()
    if configured:
        return Path(configured).expanduser()
    return Path(platformdirs.user_state_dir("oncall")) / "oncall.db"


def new_run_id() -> str:
    """A short random run id such as ``r-1f2e3d4c``."""
    return "r-" + secrets.token_hex(4)


def new_page_id() -> str:
    """A short random page id such as ``p-9a8b7c6d5e4f``."""
    return "p-" + secrets.token_hex(6)


# --------------------------------------------------------------------------- records


@dataclass(frozen=True, slots=True)
class StepRecord:
    """The latest outcome of one runbook step within a run."""

    step_id: str
    status: StepStatus
    title: str
    checks: tuple[dict[str, Any], ...]
    note: str | None
    finished: datetime
    attempts: int = 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "step_id": self.step_id,
            "status": self.status,
            "title": self.title,
            "checks": [dict(c) for c in self.checks],
            "note": self.note,
            "finished": _iso(self.finished),
            "attempts": self.attempts,
        }


@dataclass(frozen=True, slots=True)
class Note:
    """A free-text note an operator added during a run (``step_id`` None: about the run)."""

    step_id: str | None
    text: str
    at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {"step_id": self.step_id, "text": self.text, "at": _iso(self.at)}


@dataclass(frozen=True, slots=True)
class Run:
    """One execution of a runbook against a pipeline; ``status`` is ``running`` until finished."""

    run_id: str
    runbook: str
    pipeline: str
    operator: str
    status: RunStatus
    started: datetime
    finished: datetime | None = None
    steps: tuple[StepRecord, ...] = ()
    notes: tuple[Note, ...] = ()

    def step(self, step_id: str) -> StepRecord | None:
        return next((s for s in self.steps if s.step_id == step_id), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "runbook": self.runbook,
            "pipeline": self.pipeline,
            "operator": self.operator,
            "status": self.status,
            "started": _iso(self.started),
            "finished": _iso_or_none(self.finished),
            "steps": [s.to_dict() for s in self.steps],
            "notes": [n.to_dict() for n in self.notes],
        }


@dataclass(frozen=True, slots=True)
class Event:
    """One entry of a run's append-only event log."""

    seq: int
    run_id: str
    at: datetime
    kind: EventKind
    payload: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "run_id": self.run_id,
            "at": _iso(self.at),
            "kind": self.kind,
            "payload": self.payload,
        }


@dataclass(frozen=True, slots=True)
class PageRecord:
    """A page: who was paged for what, and how far its escalation has gone.

    ``escalation`` holds person ids; ``level`` is the index reached in it (0 = responder)
    and ``round`` counts passes through the whole chain. ``updated`` defaults to ``created``.
    """

    page_id: str
    dedup_key: str
    target: str
    urgency: str
    severity: str
    summary: str
    responder: str
    created: datetime
    pipeline: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    escalation: tuple[str, ...] = ()
    level: int = 0
    round: int = 0
    status: PageStatus = "open"
    updated: datetime | None = None
    acked_at: datetime | None = None
    acked_by: str | None = None
    resolved_at: datetime | None = None
    next_escalation_at: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "page_id": self.page_id,
            "dedup_key": self.dedup_key,
            "pipeline": self.pipeline,
            "target": self.target,
            "urgency": self.urgency,
            "severity": self.severity,
            "summary": self.summary,
            "details": self.details,
            "responder": self.responder,
            "escalation": list(self.escalation),
            "level": self.level,
            "round": self.round,
            "status": self.status,
            "created": _iso(self.created),
            "updated": _iso_or_none(self.updated),
            "acked_at": _iso_or_none(self.acked_at),
            "acked_by": self.acked_by,
            "resolved_at": _iso_or_none(self.resolved_at),
            "next_escalation_at": _iso_or_none(self.next_escalation_at),
        }


@dataclass(frozen=True, slots=True)
class DeliveryRecord:
    """One attempt (or decision not) to notify someone of a page on one channel."""

    id: int
    page_id: str
    level: int
    channel: str
    to: str
    status: DeliveryStatus
    attempts: int
    detail: str | None
    at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "page_id": self.page_id,
            "level": self.level,
            "channel": self.channel,
            "to": self.to,
            "status": self.status,
            "attempts": self.attempts,
            "detail": self.detail,
            "at": _iso(self.at),
        }


@dataclass(frozen=True, slots=True)
class OutboxItem:
    """A notification waiting to be sent, not before ``not_before`` (quiet hours)."""

    id: int
    page_id: str
    level: int
    channels: tuple[str, ...]
    not_before: datetime
    attempts: int
    last_error: str | None
    created: datetime
    claimed_by: str | None
    claimed_until: datetime | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "page_id": self.page_id,
            "level": self.level,
            "channels": list(self.channels),
            "not_before": _iso(self.not_before),
            "attempts": self.attempts,
            "last_error": self.last_error,
            "created": _iso(self.created),
            "claimed_by": self.claimed_by,
            "claimed_until": _iso_or_none(self.claimed_until),
        }


# --------------------------------------------------------------------------- schema

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
)
SCHEMA_VERSION = len(MIGRATIONS)


# --------------------------------------------------------------------------- time & json


def _utc_text(value: datetime, name: str = "time") -> str:
    """Fixed-width ISO 8601 UTC text; naive datetimes are a programming error."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {value.isoformat()}")
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def _utc_text_or_none(value: datetime | None, name: str = "time") -> str | None:
    return None if value is None else _utc_text(value, name)


def _from_text(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def _from_text_or_none(text: str | None) -> datetime | None:
    return None if text is None else _from_text(text)


def _iso(value: datetime) -> str:
    return value.isoformat()


def _iso_or_none(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _dumps(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def _check(value: str, allowed: frozenset[str], what: str) -> None:
    if value not in allowed:
        raise ValueError(f"bad {what} {value!r}: use one of {', '.join(sorted(allowed))}")


def _check_limit(limit: int) -> None:
    if limit < 0:
        raise ValueError(f"limit must be >= 0, got {limit}")


# --------------------------------------------------------------------------- the store

_PAGE_COLUMNS = (
    "page_id, dedup_key, pipeline, target, urgency, severity, summary, details, responder, "
    "escalation, level, round, status, created, updated, acked_at, acked_by, resolved_at, "
    "next_escalation_at"
)
_OUTBOX_COLUMNS = (
    "id, page_id, level, channels, not_before, attempts, last_error, created, "
    "claimed_by, claimed_until"
)


class Store:
    """A handle on the SQLite state file. Open with :meth:`Store.open`; close when done."""

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self._conn = conn

    # ------------------------------------------------------------------ lifecycle

    @classmethod
    def open(cls, path: Path | None = None) -> Store:
        """Open (creating if needed) the store at ``path`` (default: :func:`default_db_path`)."""
        path = default_db_path() if path is None else Path(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"cannot create the state directory {path.parent}: {exc.strerror or exc}; {_FIX}"
            ) from exc
        try:
            conn = sqlite3.connect(
                path,
                timeout=BUSY_TIMEOUT.total_seconds(),
                isolation_level=None,  # no implicit transactions: we BEGIN/COMMIT ourselves
            )
        except sqlite3.Error as exc:
            raise _store_error(path, "open", exc) from exc
        store = cls(path, conn)
        try:
            store._configure()
            store._migrate()
        except BaseException:
            conn.close()
            raise
        return store

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def schema_version(self) -> int:
        with self._guard("read"):
            row = self._conn.execute("PRAGMA user_version").fetchone()
        return int(row[0])

    def _configure(self) -> None:
        with self._guard("open"):
            ms = int(BUSY_TIMEOUT.total_seconds() * 1000)
            self._conn.execute(f"PRAGMA busy_timeout = {ms}")
            self._conn.execute("PRAGMA foreign_keys = ON")
            mode = self._switch_to_wal()
            self._conn.execute("PRAGMA synchronous = FULL")
        if str(mode).lower() != "wal":
            raise StoreError(
                f"cannot use WAL journal mode for the store at {self.path} (got {mode!r}); "
                f"the file system may not support it: {_FIX} on a local disk"
            )

    def _switch_to_wal(self) -> str:
        """Set WAL mode. SQLite answers "locked" at once, without waiting on the busy timeout,
        while another connection is switching a fresh file to WAL; so retry, boundedly."""
        attempts = int(BUSY_TIMEOUT / _WAL_RETRY_PAUSE)
        for attempt in range(attempts):
            try:
                return str(self._conn.execute("PRAGMA journal_mode = WAL").fetchone()[0])
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or attempt == attempts - 1:
                    raise
                time.sleep(_WAL_RETRY_PAUSE.total_seconds())
        raise AssertionError("unreachable")  # pragma: no cover

    def _migrate(self) -> None:
        if self.schema_version() == SCHEMA_VERSION:
            return
        with self._write("upgrade"):
            version = int(self._conn.execute("PRAGMA user_version").fetchone()[0])
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"the store at {self.path} has schema version {version}, newer than this "
                    f"oncall understands ({SCHEMA_VERSION}): upgrade oncall, or {_FIX}"
                )
            for number in range(version, SCHEMA_VERSION):
                for statement in MIGRATIONS[number]:
                    self._conn.execute(statement)
            self._conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    # ------------------------------------------------------------------ transactions

    @contextmanager
    def _guard(self, action: str) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as exc:
            raise _store_error(self.path, action, exc) from exc

    @contextmanager
    def _write(self, action: str = "write to") -> Iterator[sqlite3.Connection]:
        """One short write transaction holding the write lock from the start; committed on exit."""
        with self._guard(action):
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        """A read transaction: several SELECTs see one consistent snapshot."""
        with self._guard("read"):
            self._conn.execute("BEGIN")
            try:
                yield self._conn
            finally:
                self._conn.execute("COMMIT")

    # ------------------------------------------------------------------ runbook runs

    def start_run(
        self,
        *,
        runbook: str,
        pipeline: str,
        operator: str,
        started: datetime,
        run_id: str | None = None,
    ) -> Run:
        """Record a new run in status ``running``; a random id is chosen unless given."""
        started_text = _utc_text(started, "started")
        with self._write() as db:
            chosen = run_id
            if chosen is None:
                chosen = new_run_id()
                while db.execute("SELECT 1 FROM runs WHERE run_id = ?", (chosen,)).fetchone():
                    chosen = new_run_id()
            elif db.execute("SELECT 1 FROM runs WHERE run_id = ?", (chosen,)).fetchone():
                raise StoreError(f"run {chosen!r} already exists in the store at {self.path}")
            db.execute(
                "INSERT INTO runs (run_id, runbook, pipeline, operator, status, started) "
                "VALUES (?, ?, ?, ?, 'running', ?)",
                (chosen, runbook, pipeline, operator, started_text),
            )
            payload = {"runbook": runbook, "pipeline": pipeline, "operator": operator}
            self._event(db, chosen, started_text, "start", payload)
        return Run(
            run_id=chosen,
            runbook=runbook,
            pipeline=pipeline,
            operator=operator,
            status="running",
            started=_from_text(started_text),
        )

    def record_step(
        self,
        run_id: str,
        step_id: str,
        *,
        status: StepStatus,
        title: str,
        checks: Sequence[dict[str, Any]],
        note: str | None,
        finished: datetime,
    ) -> None:
        """Record (or replace, when re-run) a step's outcome; keeps its first position."""
        _check(status, _STEP_STATUSES, "step status")
        finished_text = _utc_text(finished, "finished")
        checks_list = [dict(c) for c in checks]
        with self._write() as db:
            self._require_run(db, run_id)
            existed = db.execute(
                "SELECT 1 FROM steps WHERE run_id = ? AND step_id = ?", (run_id, step_id)
            ).fetchone()
            db.execute(
                """INSERT INTO steps
                       (run_id, step_id, seq, status, title, checks, note, finished)
                   VALUES (?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM steps WHERE run_id = ?),
                           ?, ?, ?, ?, ?)
                   ON CONFLICT (run_id, step_id) DO UPDATE SET
                       status = excluded.status, title = excluded.title,
                       checks = excluded.checks, note = excluded.note,
                       finished = excluded.finished, attempts = attempts + 1""",
                (run_id, step_id, run_id, status, title, _dumps(checks_list), note, finished_text),
            )
            kind: EventKind = "rerun" if existed else "skip" if status == "skipped" else "step"
            payload = {
                "step_id": step_id,
                "status": status,
                "title": title,
                "checks": checks_list,
                "note": note,
            }
            self._event(db, run_id, finished_text, kind, payload)

    def add_note(self, run_id: str, step_id: str | None, text: str, at: datetime) -> None:
        """Append an operator note to a run (optionally about one step)."""
        at_text = _utc_text(at, "at")
        with self._write() as db:
            self._require_run(db, run_id)
            self._event(db, run_id, at_text, "note", {"step_id": step_id, "text": text})

    def finish_run(self, run_id: str, status: FinalRunStatus, finished: datetime) -> None:
        """Mark a run finished with its final status."""
        _check(status, _FINAL_RUN_STATUSES, "run status")
        finished_text = _utc_text(finished, "finished")
        with self._write() as db:
            self._require_run(db, run_id)
            db.execute(
                "UPDATE runs SET status = ?, finished = ? WHERE run_id = ?",
                (status, finished_text, run_id),
            )
            kind: EventKind = "abort" if status == "aborted" else "finish"
            self._event(db, run_id, finished_text, kind, {"status": status})

    def get_run(self, run_id: str) -> Run | None:
        """The run with its steps (in the order first recorded) and notes, or None."""
        with self._read() as db:
            row = db.execute(
                "SELECT run_id, runbook, pipeline, operator, status, started, finished "
                "FROM runs WHERE run_id = ?",
                (run_id,),
            ).fetchone()
            if row is None:
                return None
            return self._load_run(db, row)

    def latest_unfinished_run(self, runbook: str) -> Run | None:
        """The newest run of ``runbook`` still ``running`` (e.g. after a crash), or None."""
        with self._read() as db:
            row = db.execute(
                "SELECT run_id, runbook, pipeline, operator, status, started, finished "
                "FROM runs WHERE runbook = ? AND status = 'running' "
                "ORDER BY started DESC, rowid DESC LIMIT 1",
                (runbook,),
            ).fetchone()
            return None if row is None else self._load_run(db, row)

    def list_runs(self, runbook: str | None = None, limit: int = 50) -> list[Run]:
        """Runs, newest first, optionally of one runbook."""
        _check_limit(limit)
        where, params = ("WHERE runbook = ?", (runbook,)) if runbook is not None else ("", ())
        with self._read() as db:
            rows = db.execute(
                "SELECT run_id, runbook, pipeline, operator, status, started, finished "
                f"FROM runs {where} ORDER BY started DESC, rowid DESC LIMIT ?",
                (*params, limit),
            ).fetchall()
            return [self._load_run(db, row) for row in rows]

    def last_run(self, runbook: str) -> Run | None:
        """The newest run of ``runbook``, finished or not."""
        runs = self.list_runs(runbook, limit=1)
        return runs[0] if runs else None

    def events(self, run_id: str) -> list[Event]:
        """A run's append-only event log, oldest first."""
        with self._guard("read"):
            rows = self._conn.execute(
                "SELECT seq, run_id, at, kind, payload FROM events WHERE run_id = ? ORDER BY seq",
                (run_id,),
            ).fetchall()
        return [
            Event(
                seq=int(r[0]),
                run_id=r[1],
                at=_from_text(r[2]),
                kind=cast(EventKind, r[3]),
                payload=json.loads(r[4]),
            )
            for r in rows
        ]

    def _require_run(self, db: sqlite3.Connection, run_id: str) -> None:
        if db.execute("SELECT 1 FROM runs WHERE run_id = ?", (run_id,)).fetchone() is None:
            raise NotFoundError(f"no run {run_id!r}: see `oncall runbook runs` for run ids")

    @staticmethod
    def _event(
        db: sqlite3.Connection, run_id: str, at_text: str, kind: EventKind, payload: object
    ) -> None:
        db.execute(
            "INSERT INTO events (run_id, at, kind, payload) VALUES (?, ?, ?, ?)",
            (run_id, at_text, kind, _dumps(payload)),
        )

    @staticmethod
    def _load_run(db: sqlite3.Connection, row: Sequence[Any]) -> Run:
        run_id = row[0]
        steps = tuple(
            StepRecord(
                step_id=s[0],
                status=s[1],
                title=s[2],
                checks=tuple(json.loads(s[3])),
                note=s[4],
                finished=_from_text(s[5]),
                attempts=int(s[6]),
            )
            for s in db.execute(
                "SELECT step_id, status, title, checks, note, finished, attempts "
                "FROM steps WHERE run_id = ? ORDER BY seq",
                (run_id,),
            )
        )
        notes = []
        for at_text, payload in db.execute(
            "SELECT at, payload FROM events WHERE run_id = ? AND kind = 'note' ORDER BY seq",
            (run_id,),
        ):
            data = json.loads(payload)
            notes.append(Note(step_id=data["step_id"], text=data["text"], at=_from_text(at_text)))
        return Run(
            run_id=run_id,
            runbook=row[1],
            pipeline=row[2],
            operator=row[3],
            status=row[4],
            started=_from_text(row[5]),
            finished=_from_text_or_none(row[6]),
            steps=steps,
            notes=tuple(notes),
        )

    # ------------------------------------------------------------------ pages

    def open_page_by_dedup(self, dedup_key: str) -> PageRecord | None:
        """The open or acknowledged page with this dedup key, or None."""
        with self._guard("read"):
            row = self._conn.execute(
                f"SELECT {_PAGE_COLUMNS} FROM pages WHERE dedup_key = ? AND status != 'resolved'",
                (dedup_key,),
            ).fetchone()
        return None if row is None else _page_from_row(row)

    def create_page_if_absent(self, record: PageRecord) -> tuple[PageRecord, bool]:
        """Insert ``record`` unless a page with its dedup key is open or acknowledged.

        Returns ``(existing, False)`` or ``(stored, True)``. Racing processes create one page.
        """
        _check(record.status, _PAGE_STATUSES, "page status")
        values = _page_values(record)
        with self._write() as db:
            row = db.execute(
                f"SELECT {_PAGE_COLUMNS} FROM pages WHERE dedup_key = ? AND status != 'resolved'",
                (record.dedup_key,),
            ).fetchone()
            if row is not None:
                return _page_from_row(row), False
            if db.execute("SELECT 1 FROM pages WHERE page_id = ?", (record.page_id,)).fetchone():
                raise StoreError(
                    f"page {record.page_id!r} already exists in the store at {self.path}"
                )
            placeholders = ", ".join("?" * len(values))
            db.execute(f"INSERT INTO pages ({_PAGE_COLUMNS}) VALUES ({placeholders})", values)
            stored = db.execute(
                f"SELECT {_PAGE_COLUMNS} FROM pages WHERE page_id = ?", (record.page_id,)
            ).fetchone()
        return _page_from_row(stored), True

    def get_page(self, page_id_or_dedup_key: str) -> PageRecord | None:
        """A page by id, else the live page with that dedup key, else its newest page."""
        with self._guard("read"):
            row = self._find_page(self._conn, page_id_or_dedup_key)
        return None if row is None else _page_from_row(row)

    def list_pages(self, open_only: bool = False, limit: int = 100) -> list[PageRecord]:
        """Pages, newest first; ``open_only`` keeps open and acknowledged ones."""
        _check_limit(limit)
        where = "WHERE status != 'resolved'" if open_only else ""
        with self._guard("read"):
            rows = self._conn.execute(
                f"SELECT {_PAGE_COLUMNS} FROM pages {where} "
                "ORDER BY created DESC, rowid DESC LIMIT ?",
                (limit,),
            ).fetchall()
        return [_page_from_row(r) for r in rows]

    def acknowledge(self, page_id_or_dedup_key: str, by: str, at: datetime) -> PageRecord:
        """Acknowledge a page (stops escalation). Idempotent: the first ack is kept."""
        at_text = _utc_text(at, "at")
        with self._write() as db:
            page_id = self._page_id(db, page_id_or_dedup_key)
            db.execute(
                "UPDATE pages SET status = 'acknowledged', acked_at = ?, acked_by = ?, "
                "updated = ?, next_escalation_at = NULL WHERE page_id = ? AND status = 'open'",
                (at_text, by, at_text, page_id),
            )
            row = db.execute(
                f"SELECT {_PAGE_COLUMNS} FROM pages WHERE page_id = ?", (page_id,)
            ).fetchone()
        return _page_from_row(row)

    def resolve(self, page_id_or_dedup_key: str, at: datetime) -> PageRecord:
        """Resolve a page. Idempotent: the first resolution time is kept."""
        at_text = _utc_text(at, "at")
        with self._write() as db:
            page_id = self._page_id(db, page_id_or_dedup_key)
            db.execute(
                "UPDATE pages SET status = 'resolved', resolved_at = ?, updated = ?, "
                "next_escalation_at = NULL WHERE page_id = ? AND status != 'resolved'",
                (at_text, at_text, page_id),
            )
            row = db.execute(
                f"SELECT {_PAGE_COLUMNS} FROM pages WHERE page_id = ?", (page_id,)
            ).fetchone()
        return _page_from_row(row)

    def due_escalations(self, now: datetime) -> list[PageRecord]:
        """Open (unacknowledged) pages whose next escalation is due at ``now``, oldest due first."""
        now_text = _utc_text(now, "now")
        with self._guard("read"):
            rows = self._conn.execute(
                f"SELECT {_PAGE_COLUMNS} FROM pages WHERE status = 'open' "
                "AND next_escalation_at IS NOT NULL AND next_escalation_at <= ? "
                "ORDER BY next_escalation_at, rowid",
                (now_text,),
            ).fetchall()
        return [_page_from_row(r) for r in rows]

    def advance_escalation(
        self,
        page_id: str,
        *,
        expected_level: int,
        expected_round: int,
        new_level: int,
        new_round: int,
        next_at: datetime | None,
        now: datetime,
    ) -> bool:
        """Compare-and-swap the escalation position; True only for the caller that won.

        Fails (False) if the page moved on, was acknowledged or resolved, or does not exist.
        """
        next_text = _utc_text_or_none(next_at, "next_at")
        now_text = _utc_text(now, "now")
        with self._write() as db:
            cursor = db.execute(
                "UPDATE pages SET level = ?, round = ?, next_escalation_at = ?, updated = ? "
                "WHERE page_id = ? AND level = ? AND round = ? AND status = 'open'",
                (
                    new_level,
                    new_round,
                    next_text,
                    now_text,
                    page_id,
                    expected_level,
                    expected_round,
                ),
            )
            return cursor.rowcount == 1

    def set_next_escalation(self, page_id: str, next_at: datetime | None) -> None:
        """Set (or clear, with None) when a page next escalates."""
        next_text = _utc_text_or_none(next_at, "next_at")
        with self._write() as db:
            cursor = db.execute(
                "UPDATE pages SET next_escalation_at = ? WHERE page_id = ?", (next_text, page_id)
            )
            if cursor.rowcount == 0:
                raise _page_not_found(page_id)

    def _page_id(self, db: sqlite3.Connection, ref: str) -> str:
        row = self._find_page(db, ref)
        if row is None:
            raise _page_not_found(ref)
        return str(row[0])

    @staticmethod
    def _find_page(db: sqlite3.Connection, ref: str) -> Any:
        row = db.execute(f"SELECT {_PAGE_COLUMNS} FROM pages WHERE page_id = ?", (ref,)).fetchone()
        if row is None:
            row = db.execute(
                f"SELECT {_PAGE_COLUMNS} FROM pages WHERE dedup_key = ? "
                "ORDER BY status = 'resolved', created DESC, rowid DESC LIMIT 1",
                (ref,),
            ).fetchone()
        return row

    # ------------------------------------------------------------------ deliveries

    def record_delivery(
        self,
        page_id: str,
        level: int,
        channel: str,
        to: str,
        status: DeliveryStatus,
        attempts: int,
        detail: str | None,
        at: datetime,
    ) -> DeliveryRecord:
        """Append a delivery outcome for a page."""
        _check(status, _DELIVERY_STATUSES, "delivery status")
        at_text = _utc_text(at, "at")
        with self._write() as db:
            self._require_page(db, page_id)
            cursor = db.execute(
                'INSERT INTO deliveries (page_id, level, channel, "to", status, attempts, detail, '
                "at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (page_id, level, channel, to, status, attempts, detail, at_text),
            )
            item_id = int(cursor.lastrowid or 0)
        return DeliveryRecord(
            id=item_id,
            page_id=page_id,
            level=level,
            channel=channel,
            to=to,
            status=status,
            attempts=attempts,
            detail=detail,
            at=_from_text(at_text),
        )

    def list_deliveries(self, page_id: str) -> list[DeliveryRecord]:
        """A page's deliveries in the order recorded."""
        with self._guard("read"):
            rows = self._conn.execute(
                'SELECT id, page_id, level, channel, "to", status, attempts, detail, at '
                "FROM deliveries WHERE page_id = ? ORDER BY id",
                (page_id,),
            ).fetchall()
        return [
            DeliveryRecord(
                id=int(r[0]),
                page_id=r[1],
                level=int(r[2]),
                channel=r[3],
                to=r[4],
                status=r[5],
                attempts=int(r[6]),
                detail=r[7],
                at=_from_text(r[8]),
            )
            for r in rows
        ]

    # ------------------------------------------------------------------ outbox

    def enqueue(
        self,
        page_id: str,
        level: int,
        channels: Sequence[str],
        not_before: datetime,
        at: datetime,
    ) -> OutboxItem:
        """Queue a notification of ``page_id`` at ``level`` to send from ``not_before`` on."""
        not_before_text = _utc_text(not_before, "not_before")
        at_text = _utc_text(at, "at")
        with self._write() as db:
            self._require_page(db, page_id)
            cursor = db.execute(
                "INSERT INTO outbox (page_id, level, channels, not_before, created) "
                "VALUES (?, ?, ?, ?, ?)",
                (page_id, level, json.dumps(list(channels)), not_before_text, at_text),
            )
            row = db.execute(
                f"SELECT {_OUTBOX_COLUMNS} FROM outbox WHERE id = ?", (cursor.lastrowid,)
            ).fetchone()
        return _outbox_from_row(row)

    def claim_outbox(
        self, worker: str, now: datetime, lease: timedelta, limit: int
    ) -> list[OutboxItem]:
        """Lease up to ``limit`` ready items (due, not claimed or lease expired) to ``worker``."""
        _check_limit(limit)
        if lease <= timedelta(0):
            raise ValueError(f"lease must be positive, got {lease}")
        now_text = _utc_text(now, "now")
        until_text = _utc_text(now + lease, "now")
        with self._write() as db:
            ids = [
                int(r[0])
                for r in db.execute(
                    "SELECT id FROM outbox WHERE not_before <= ? "
                    "AND (claimed_until IS NULL OR claimed_until <= ?) "
                    "ORDER BY not_before, id LIMIT ?",
                    (now_text, now_text, limit),
                )
            ]
            if not ids:
                return []
            marks = ", ".join("?" * len(ids))
            db.execute(
                f"UPDATE outbox SET claimed_by = ?, claimed_until = ? WHERE id IN ({marks})",
                (worker, until_text, *ids),
            )
            rows = db.execute(
                f"SELECT {_OUTBOX_COLUMNS} FROM outbox WHERE id IN ({marks}) "
                "ORDER BY not_before, id",
                ids,
            ).fetchall()
        return [_outbox_from_row(r) for r in rows]

    def complete_outbox(self, item_id: int) -> bool:
        """Remove a sent item; False if it was already gone."""
        with self._write() as db:
            return db.execute("DELETE FROM outbox WHERE id = ?", (item_id,)).rowcount == 1

    def release_outbox(
        self,
        item_id: int,
        error: str,
        now: datetime,
        *,
        not_before: datetime | None = None,
    ) -> bool:
        """Give a claimed item back after a failed attempt (attempts + 1, claim cleared).

        ``not_before`` postpones the next attempt (backoff); ``now`` is when it failed and
        must be aware. False if the item no longer exists.
        """
        _utc_text(now, "now")
        not_before_text = _utc_text_or_none(not_before, "not_before")
        with self._write() as db:
            cursor = db.execute(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ?, claimed_by = NULL, "
                "claimed_until = NULL, not_before = COALESCE(?, not_before) WHERE id = ?",
                (error, not_before_text, item_id),
            )
            return cursor.rowcount == 1

    def outbox_items(self) -> list[OutboxItem]:
        """Every queued item, in send order."""
        with self._guard("read"):
            rows = self._conn.execute(
                f"SELECT {_OUTBOX_COLUMNS} FROM outbox ORDER BY not_before, id"
            ).fetchall()
        return [_outbox_from_row(r) for r in rows]

    def _require_page(self, db: sqlite3.Connection, page_id: str) -> None:
        if db.execute("SELECT 1 FROM pages WHERE page_id = ?", (page_id,)).fetchone() is None:
            raise _page_not_found(page_id)


# --------------------------------------------------------------------------- row mapping


def _page_values(record: PageRecord) -> tuple[object, ...]:
    created = _utc_text(record.created, "created")
    return (
        record.page_id,
        record.dedup_key,
        record.pipeline,
        record.target,
        record.urgency,
        record.severity,
        record.summary,
        _dumps(record.details),
        record.responder,
        json.dumps(list(record.escalation)),
        record.level,
        record.round,
        record.status,
        created,
        _utc_text(record.updated, "updated") if record.updated is not None else created,
        _utc_text_or_none(record.acked_at, "acked_at"),
        record.acked_by,
        _utc_text_or_none(record.resolved_at, "resolved_at"),
        _utc_text_or_none(record.next_escalation_at, "next_escalation_at"),
    )


def _page_from_row(row: Sequence[Any]) -> PageRecord:
    return PageRecord(
        page_id=row[0],
        dedup_key=row[1],
        pipeline=row[2],
        target=row[3],
        urgency=row[4],
        severity=row[5],
        summary=row[6],
        details=json.loads(row[7]),
        responder=row[8],
        escalation=tuple(json.loads(row[9])),
        level=int(row[10]),
        round=int(row[11]),
        status=row[12],
        created=_from_text(row[13]),
        updated=_from_text(row[14]),
        acked_at=_from_text_or_none(row[15]),
        acked_by=row[16],
        resolved_at=_from_text_or_none(row[17]),
        next_escalation_at=_from_text_or_none(row[18]),
    )


def _outbox_from_row(row: Sequence[Any]) -> OutboxItem:
    return OutboxItem(
        id=int(row[0]),
        page_id=row[1],
        level=int(row[2]),
        channels=tuple(json.loads(row[3])),
        not_before=_from_text(row[4]),
        attempts=int(row[5]),
        last_error=row[6],
        created=_from_text(row[7]),
        claimed_by=row[8],
        claimed_until=_from_text_or_none(row[9]),
    )


def _page_not_found(ref: str) -> NotFoundError:
    return NotFoundError(f"no page {ref!r}: use a page id or dedup key from `oncall page list`")


def _store_error(path: Path, action: str, exc: sqlite3.Error) -> StoreError:
    """A StoreError naming the file, what went wrong and how to fix it."""
    text = str(exc)
    lowered = text.lower()
    if "not a database" in lowered or "malformed" in lowered:
        hint = f"the file is corrupt or not an oncall store: move it aside, or {_FIX}"
    elif "locked" in lowered or "busy" in lowered:
        hint = (
            f"another process held the store for over {BUSY_TIMEOUT.total_seconds():g}s: "
            "retry, or find the stuck oncall process"
        )
    elif "readonly" in lowered or "unable to open" in lowered or "permission" in lowered:
        hint = f"check the file and its directory are writable, or {_FIX}"
    elif "disk" in lowered or "full" in lowered or "i/o" in lowered:
        hint = f"check free space and the disk, or {_FIX}"
    else:
        hint = f"if this persists, move the file aside or {_FIX}"
    return StoreError(f"cannot {action} the store at {path}: {text}; {hint}")
