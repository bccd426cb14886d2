"""Runbook runs of one team: the ``runs`` and ``steps`` tables and the append-only ``events``."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from oncall.adapters.store.records import (
    FINAL_RUN_STATUSES,
    STEP_STATUSES,
    Event,
    EventKind,
    FinalRunStatus,
    Note,
    Run,
    StepRecord,
    StepStatus,
    new_run_id,
)
from oncall.adapters.store.rules import check_choice, check_limit, run_not_found
from oncall.adapters.store.sql.base import Db, SqlBase
from oncall.adapters.store.sql.codec import dumps, from_text, from_text_or_none, utc_text
from oncall.errors import StoreError

__all__ = ["SqlRunStore"]

_RUN_COLUMNS = "run_id, runbook, pipeline, operator, status, started, finished"


class SqlRunStore(SqlBase):
    """The :class:`~oncall.adapters.store.protocol.RunStore` part of a SQL store."""

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
        started_text = utc_text(started, "started")
        with self._write() as db:
            chosen = run_id
            if chosen is None:
                chosen = new_run_id()
                while db.execute("SELECT 1 FROM runs WHERE run_id = ?", (chosen,)).fetchone():
                    chosen = new_run_id()
            elif db.execute("SELECT 1 FROM runs WHERE run_id = ?", (chosen,)).fetchone():
                raise StoreError(f"run {chosen!r} already exists in {self.describe()}")
            db.execute(
                "INSERT INTO runs (run_id, team, runbook, pipeline, operator, status, started) "
                "VALUES (?, ?, ?, ?, ?, 'running', ?)",
                (chosen, self.team, runbook, pipeline, operator, started_text),
            )
            payload = {"runbook": runbook, "pipeline": pipeline, "operator": operator}
            _event(db, chosen, started_text, "start", payload)
        return Run(
            run_id=chosen,
            runbook=runbook,
            pipeline=pipeline,
            operator=operator,
            status="running",
            started=from_text(started_text),
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
        check_choice(status, STEP_STATUSES, "step status")
        finished_text = utc_text(finished, "finished")
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
                       finished = excluded.finished, attempts = steps.attempts + 1""",
                (run_id, step_id, run_id, status, title, dumps(checks_list), note, finished_text),
            )
            kind: EventKind = "rerun" if existed else "skip" if status == "skipped" else "step"
            payload = {
                "step_id": step_id,
                "status": status,
                "title": title,
                "checks": checks_list,
                "note": note,
            }
            _event(db, run_id, finished_text, kind, payload)

    def add_note(self, run_id: str, step_id: str | None, text: str, at: datetime) -> None:
        """Append an operator note to a run (optionally about one step)."""
        at_text = utc_text(at, "at")
        with self._write() as db:
            self._require_run(db, run_id)
            _event(db, run_id, at_text, "note", {"step_id": step_id, "text": text})

    def finish_run(self, run_id: str, status: FinalRunStatus, finished: datetime) -> None:
        """Mark a run finished with its final status."""
        check_choice(status, FINAL_RUN_STATUSES, "run status")
        finished_text = utc_text(finished, "finished")
        with self._write() as db:
            self._require_run(db, run_id)
            db.execute(
                "UPDATE runs SET status = ?, finished = ? WHERE run_id = ?",
                (status, finished_text, run_id),
            )
            kind: EventKind = "abort" if status == "aborted" else "finish"
            _event(db, run_id, finished_text, kind, {"status": status})

    def reopen_run(self, run_id: str, at: datetime) -> Run:
        """Put an aborted run back to ``running`` so that it can be resumed."""
        at_text = utc_text(at, "at")
        with self._write() as db:
            self._require_run(db, run_id)
            changed = db.execute(
                "UPDATE runs SET status = 'running', finished = NULL "
                "WHERE run_id = ? AND team = ? AND status = 'aborted'",
                (run_id, self.team),
            ).rowcount
            if changed != 1:
                raise StoreError(f"run '{run_id}' is not aborted: only an aborted run reopens")
            _event(db, run_id, at_text, "reopen", {"status": "running"})
        found = self.get_run(run_id)
        assert found is not None
        return found

    def get_run(self, run_id: str) -> Run | None:
        """The run with its steps (in the order first recorded) and notes, or None."""
        with self._read() as db:
            row = db.execute(
                f"SELECT {_RUN_COLUMNS} FROM runs WHERE run_id = ? AND team = ?",
                (run_id, self.team),
            ).fetchone()
            if row is None:
                return None
            return _load_run(db, row)

    def latest_unfinished_run(self, runbook: str) -> Run | None:
        """The newest run of ``runbook`` still ``running`` (e.g. after a crash), or None."""
        with self._read() as db:
            row = db.execute(
                f"SELECT {_RUN_COLUMNS} FROM runs WHERE runbook = ? AND status = 'running' "
                "AND team = ? ORDER BY started DESC, rowid DESC LIMIT 1",
                (runbook, self.team),
            ).fetchone()
            return None if row is None else _load_run(db, row)

    def list_runs(self, runbook: str | None = None, limit: int = 50) -> list[Run]:
        """Runs, newest first, optionally of one runbook."""
        check_limit(limit)
        where, params = (" AND runbook = ?", (runbook,)) if runbook is not None else ("", ())
        with self._read() as db:
            rows = db.execute(
                f"SELECT {_RUN_COLUMNS} FROM runs WHERE team = ?{where} "
                "ORDER BY started DESC, rowid DESC LIMIT ?",
                (self.team, *params, limit),
            ).fetchall()
            return [_load_run(db, row) for row in rows]

    def last_run(self, runbook: str) -> Run | None:
        """The newest run of ``runbook``, finished or not."""
        runs = self.list_runs(runbook, limit=1)
        return runs[0] if runs else None

    def events(self, run_id: str) -> list[Event]:
        """A run's append-only event log, oldest first."""
        with self._read() as db:
            rows = db.execute(
                "SELECT seq, run_id, at, kind, payload FROM events WHERE run_id = ? AND run_id "
                "IN (SELECT run_id FROM runs WHERE team = ?) ORDER BY seq",
                (run_id, self.team),
            ).fetchall()
        return [
            Event(
                seq=int(r[0]),
                run_id=r[1],
                at=from_text(r[2]),
                kind=cast(EventKind, r[3]),
                payload=json.loads(r[4]),
            )
            for r in rows
        ]

    def _require_run(self, db: Db, run_id: str) -> None:
        found = db.execute(
            "SELECT 1 FROM runs WHERE run_id = ? AND team = ?", (run_id, self.team)
        ).fetchone()
        if found is None:
            raise run_not_found(run_id)


def _event(db: Db, run_id: str, at_text: str, kind: EventKind, payload: object) -> None:
    db.execute(
        "INSERT INTO events (run_id, at, kind, payload) VALUES (?, ?, ?, ?)",
        (run_id, at_text, kind, dumps(payload)),
    )


def _load_run(db: Db, row: Sequence[Any]) -> Run:
    run_id = row[0]
    steps = tuple(
        StepRecord(
            step_id=s[0],
            status=s[1],
            title=s[2],
            checks=tuple(json.loads(s[3])),
            note=s[4],
            finished=from_text(s[5]),
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
        notes.append(Note(step_id=data["step_id"], text=data["text"], at=from_text(at_text)))
    return Run(
        run_id=run_id,
        runbook=row[1],
        pipeline=row[2],
        operator=row[3],
        status=row[4],
        started=from_text(row[5]),
        finished=from_text_or_none(row[6]),
        steps=steps,
        notes=tuple(notes),
    )
