"""Query result rows as points: what the ``sql`` and ``bigquery`` sources share.

A row has a ``time`` column (a timestamp; one without a zone is read in the source's zone; a
date is midnight in the check's zone, ``SeriesQuery.date_tz``), a numeric ``value`` column
(NULL, NaN or text that is not a number is a corrupt point) and any other columns as labels.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from oncall.domain.checks import Point, SeriesQuery
from oncall.domain.timeutil import resolve_wall_time
from oncall.errors import StateSourceError

__all__ = ["MAX_ROWS", "compute_bind_bounds", "rows_to_points"]

MAX_ROWS = 1_000_000
"""A query returning more rows than this is refused: aggregate in the query instead."""


def compute_bind_bounds(query: SeriesQuery, zone: ZoneInfo, *, naive: bool) -> dict[str, Any]:
    """``start`` and ``end`` in the source's zone; without tzinfo for naive columns."""
    start, end = query.start.astimezone(zone), query.end.astimezone(zone)
    if naive:
        start, end = start.replace(tzinfo=None), end.replace(tzinfo=None)
    return {"start": start, "end": end}


def rows_to_points(
    name: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    query: SeriesQuery,
    zone: ZoneInfo,
) -> list[Point]:
    """Points of ``rows`` in ``query``'s span with its labels, oldest first.

    Raises ``StateSourceError`` naming the column at fault when the rows have no ``time`` or
    ``value`` column, a ``time`` that is not a timestamp, or only text that is no number as
    ``value`` (a text column selected as the value), or when ``labels`` filters on a column
    the query does not return.
    """
    lowered = [c.lower() for c in columns]
    what = query.what
    for needed in ("time", "value"):
        if needed not in lowered:
            raise StateSourceError(
                f"state source {name!r}: {what} returned no {needed!r} column (columns: "
                f"{', '.join(columns) or 'none'}); name them with AS time and AS value"
            )
    t_at, v_at = lowered.index("time"), lowered.index("value")
    label_at = [(i, c) for i, c in enumerate(columns) if i not in (t_at, v_at)]
    unknown = [k for k, _ in query.labels if k not in {c for _, c in label_at}]
    if unknown:
        names = ", ".join(c for _, c in label_at) or "none"
        raise StateSourceError(
            f"state source {name!r}: 'labels' filters on the column {unknown[0]!r}, which "
            f"{what} does not return (its label columns: {names}): select it, or fix 'labels'"
        )
    numbers = 0
    texts: list[str] = []
    date_zone = ZoneInfo(query.date_tz) if query.date_tz else zone
    points: list[Point] = []
    for count, row in enumerate(rows, start=1):
        if count > MAX_ROWS:
            raise StateSourceError(
                f"state source {name!r}: {what} returned more than {MAX_ROWS:,} rows; "
                "aggregate in the query (GROUP BY time) instead"
            )
        when = _to_time(row[t_at], zone, date_zone)
        if when is None:
            raise StateSourceError(
                f"state source {name!r}: {what} returned the time {row[t_at]!r}, which is not a "
                "timestamp or a date; cast the time column to TIMESTAMP"
            )
        labels = {column: _to_label(row[i]) for i, column in label_at}
        value = _to_value(row[v_at])
        if value is not None:
            numbers += 1
        elif isinstance(row[v_at], str) and len(texts) < 1:
            texts.append(row[v_at])
        point = Point(time=when, value=value, labels=labels)
        if query.contains(point):
            points.append(point)
    if texts and not numbers:
        raise StateSourceError(
            f"state source {name!r}: {what} returned the value {texts[0]!r} and no number in "
            "any row: the value column must be numeric; select a number AS value (or CAST it)"
        )
    points.sort(key=lambda p: p.time)
    return points


def _to_time(raw: object, zone: ZoneInfo, date_zone: ZoneInfo) -> datetime | None:
    if isinstance(raw, str):
        text = raw.strip().replace("Z", "+00:00")
        try:
            raw = date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
        except ValueError:
            return None
    if isinstance(raw, datetime):
        if raw.tzinfo is None or raw.utcoffset() is None:
            return resolve_wall_time(raw.date(), raw.time(), zone)
        return raw
    if isinstance(raw, date):
        return resolve_wall_time(raw, time(0, 0), date_zone)
    return None


def _to_value(raw: object) -> float | None:
    if raw is None:
        return None
    if isinstance(raw, bool):
        return 1.0 if raw else 0.0
    if isinstance(raw, int | float | Decimal):
        return float(raw)
    if isinstance(raw, str):
        try:
            return float(raw)
        except ValueError:
            return None  # text is no number: a corrupt point
    return None


def _to_label(raw: object) -> str:
    if raw is None:
        return ""
    if isinstance(raw, float) and math.isfinite(raw) and raw == int(raw):
        return str(int(raw))
    return str(raw)
