"""The demo's small SQLite warehouse: what the shipped runbooks' SQL checks query.

Built from the same deterministic demo points as the JSON Lines state, so both agree:

* ``ingested_rows(loaded_at, pipeline, source, row_count)``: hourly ingest batches per source
  system (the ingestion completeness checks);
* ``unit_totals(computed_at, pipeline, unit, amount)``: the unit-level rows (business units,
  regions, platforms) and ``aggregate_totals(computed_at, pipeline, amount)``: the aggregate
  the pipeline publishes (the aggregate-equals-sum reconcile checks).

Times are text ``YYYY-MM-DD HH:MM:SS`` in UTC without a zone, as SQLite keeps them; the
``warehouse`` source reads them in its ``timezone`` (UTC).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from oncall.adapters.files import atomic_write
from oncall.adapters.state.demo import generate_demo_points

__all__ = ["WAREHOUSE_TABLES", "write_demo_warehouse"]

WAREHOUSE_TABLES = ("ingested_rows", "unit_totals", "aggregate_totals")

_SCHEMA = """
CREATE TABLE ingested_rows (
  loaded_at TEXT NOT NULL, pipeline TEXT NOT NULL, source TEXT NOT NULL, row_count INTEGER
);
CREATE INDEX ingested_rows_at ON ingested_rows (pipeline, loaded_at);
CREATE TABLE unit_totals (
  computed_at TEXT NOT NULL, pipeline TEXT NOT NULL, unit TEXT NOT NULL, amount REAL
);
CREATE INDEX unit_totals_at ON unit_totals (pipeline, computed_at);
CREATE TABLE aggregate_totals (computed_at TEXT NOT NULL, pipeline TEXT NOT NULL, amount REAL);
CREATE INDEX aggregate_totals_at ON aggregate_totals (pipeline, computed_at);
"""

# metric -> (table, the label that becomes the row's unit or source column)
_INGESTED = {"pipeline/rows_ingested": "source", "engagement/events_ingested": "platform"}
_UNITS = {
    "profit/unit_total": "unit",
    "growth/new_users": "region",
    "engagement/sessions": "platform",
}
_AGGREGATES = ("profit/aggregate_total", "growth/new_users_total", "engagement/sessions_total")


def _utc_text(iso: str) -> str:
    return datetime.fromisoformat(iso).astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def compute_warehouse_rows(
    points: Sequence[dict[str, Any]],
) -> dict[str, list[tuple[Any, ...]]]:
    """The rows of each warehouse table from demo points. Pure."""
    tables: dict[str, list[tuple[Any, ...]]] = {name: [] for name in WAREHOUSE_TABLES}
    for point in points:
        metric, labels = point["metric"], point["labels"]
        at = _utc_text(point["time"])
        if metric in _INGESTED:
            row = (at, labels["pipeline"], labels[_INGESTED[metric]], point["value"])
            tables["ingested_rows"].append(row)
        elif metric in _UNITS:
            row = (at, labels["pipeline"], labels[_UNITS[metric]], point["value"])
            tables["unit_totals"].append(row)
        elif metric in _AGGREGATES:
            tables["aggregate_totals"].append((at, labels["pipeline"], point["value"]))
    return tables


def write_demo_warehouse(path: Path, now: datetime, team_tz: ZoneInfo) -> dict[str, int]:
    """Write the SQLite warehouse to ``path`` atomically; return the row count per table."""
    tables = compute_warehouse_rows(generate_demo_points(now, team_tz))
    db = sqlite3.connect(":memory:")
    try:
        db.executescript(_SCHEMA)
        db.executemany("INSERT INTO ingested_rows VALUES (?, ?, ?, ?)", tables["ingested_rows"])
        db.executemany("INSERT INTO unit_totals VALUES (?, ?, ?, ?)", tables["unit_totals"])
        db.executemany("INSERT INTO aggregate_totals VALUES (?, ?, ?)", tables["aggregate_totals"])
        db.commit()
        data = db.serialize()
    finally:
        db.close()
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, bytes(data))
    return {name: len(rows) for name, rows in tables.items()}
