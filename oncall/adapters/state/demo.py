"""Demo pipeline state: six weeks of realistic points for the three investor pipelines.

``generate_demo_points`` is deterministic: the value of a point depends only on its series and
its time (seeded per point), and the set of points only on ``now`` and the team's time zone.
The data makes every check in ``runbooks/`` pass or warn except one planted problem, so a demo
shows what a failure looks like:

    the growth source ``partner_api`` has been offline for the last six hours
    (check ``growth-sources-up`` fails; everything else copes with the gap).

The points run on for ``DEMO_VALID_FOR`` (a day) past ``now``: a check only sees the points
up to its own present, so the demo behaves the same for a day after it was generated (the
planted outage goes on), instead of going stale within minutes.

``write_demo_state`` writes one JSON Lines file per pipeline (``profit.jsonl``, ...), the
format ``oncall.adapters.state.local`` reads.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from oncall.adapters.files import atomic_write
from oncall.domain.timeutil import resolve_wall_time

__all__ = [
    "DEMO_DAYS",
    "DEMO_FILES",
    "DEMO_VALID_FOR",
    "PLANTED_FAILURE",
    "generate_demo_points",
    "write_demo_state",
]

DEMO_DAYS = 42
"""How far back the demo state reaches from ``now``."""
DEMO_VALID_FOR = timedelta(days=1)
"""How long after ``now`` the demo's points go on (and the demo behaves the same)."""

DEMO_FILES = {
    "aggregate-profit": "profit.jsonl",
    "aggregate-growth": "growth.jsonl",
    "aggregate-engagement": "engagement.jsonl",
}
"""The file each pipeline's points go to."""

PLANTED_FAILURE = "growth-sources-up"
"""The one runbook check the demo state makes fail."""

_UTC = ZoneInfo("UTC")
_OUTAGE_SOURCE = "partner_api"
_OUTAGE = timedelta(hours=6)
_EPOCH = date(2026, 1, 1)  # the slow growth trend is anchored here, not at ``now``
_CYCLE = (0, 2, -1, 1, -2)  # day-to-day variation in percent; any 5 days hold each value once


def _rng(*key: object) -> random.Random:
    """A generator seeded by ``key``: the same series and time always give the same value."""
    return random.Random("|".join(str(part) for part in key))


def _trend(day: date, per_day: float) -> float:
    return 1 + per_day * (day - _EPOCH).days


def _daily_cycle(day: date) -> float:
    return _CYCLE[day.toordinal() % len(_CYCLE)] / 100


def _weekly_cycle(day: date) -> float:
    """Variation that moves week to week but keeps each weekday comparable with itself."""
    return _CYCLE[(day.toordinal() // 7) % len(_CYCLE)] / 100


class _Demo:
    """Collects points for one ``now``: those in ``(now - DEMO_DAYS, until]`` are kept."""

    def __init__(self, now: datetime, tz: ZoneInfo, until: datetime) -> None:
        self.now = now.astimezone(_UTC)  # UTC: arithmetic on ZoneInfo datetimes is wall-clock
        self.until = until.astimezone(_UTC)
        self.tz = tz
        self.start = now - timedelta(days=DEMO_DAYS)
        self.points: list[dict[str, Any]] = []

    def emit(self, metric: str, labels: dict[str, str], at: datetime, value: float | int) -> None:
        if self.start < at <= self.until:
            self.points.append(
                {
                    "metric": metric,
                    "labels": labels,
                    "time": at.astimezone(self.tz).isoformat(timespec="seconds"),
                    "value": value,
                }
            )

    def hours(self, minute: int) -> Iterator[datetime]:
        """Every UTC hour plus ``minute`` in the span, oldest first."""
        at = self.start.replace(minute=minute, second=0, microsecond=0)
        while at <= self.until:
            yield at
            at += timedelta(hours=1)

    def days(self) -> Iterator[date]:
        """Every local date the span touches, oldest first."""
        first = self.start.astimezone(self.tz).date()
        last = self.until.astimezone(self.tz).date()
        for n in range((last - first).days + 1):
            yield first + timedelta(days=n)

    def at(self, day: date, hour: int, minute: int, *key: object) -> datetime:
        """Local ``hour:minute`` on ``day`` plus a few minutes of seeded run-time jitter."""
        jitter = _rng("jitter", day, *key).randint(0, 9)
        local = resolve_wall_time(day, time(hour, minute), self.tz)
        return local.astimezone(_UTC) + timedelta(minutes=jitter)

    def busy(self, at: datetime) -> float:
        """Diurnal load factor: low at night, high in local office hours."""
        hour = at.astimezone(self.tz).hour
        return 1.4 if 9 <= hour < 19 else 0.9 if 7 <= hour < 23 else 0.5


def _profit(demo: _Demo) -> None:
    base = {"pipeline": "aggregate-profit"}
    sources = {"sap_gl": 42_000, "netsuite": 9_000, "billing_db": 15_000}
    for at in demo.hours(5):
        for source, rows in sources.items():
            noise = _rng("profit-rows", source, at).uniform(0.92, 1.08)
            value = round(rows * demo.busy(at) * noise)
            demo.emit("pipeline/rows_ingested", {**base, "source": source}, at, value)
    units = {"na": 410_000.0, "emea": 265_000.0, "apac": 180_000.0, "latam": 62_000.0}
    for day in demo.days():
        ingest = demo.at(day, 2, 10, "profit-ingest")
        demo.emit("pipeline/ingest_completed", base, ingest, 1)
        rejected = _rng("profit-rejected", day).uniform(0.08, 0.35)
        demo.emit("pipeline/rows_rejected_pct", base, ingest, round(rejected, 3))
        aggregated = demo.at(day, 3, 5, "profit-aggregate")
        scale = _trend(day, 0.001) * (1 + _daily_cycle(day))
        amounts = []
        for unit, amount in units.items():
            jitter = _rng("profit-unit", unit, day).uniform(0.997, 1.003)
            amounts.append(round(amount * scale * jitter, 2))
            demo.emit("profit/unit_total", {**base, "unit": unit}, aggregated, amounts[-1])
        demo.emit(
            "profit/aggregate_total",
            {**base, "currency": "USD"},
            aggregated,
            round(sum(amounts), 2),
        )
        loaded = demo.at(day, 3, 15, "profit-load")
        table = {**base, "table": "reporting.investor_profit_daily"}
        demo.emit(
            "pipeline/table_loaded", table, loaded, 1_200 + _rng("profit-load", day).randint(0, 80)
        )
        demo.emit("pipeline/run_completed", base, demo.at(day, 3, 25, "profit-done"), 1)


def _growth(demo: _Demo) -> None:
    base = {"pipeline": "aggregate-growth"}
    sources = {
        "app_store": 1_800,
        "play_store": 2_600,
        "web_analytics": 5_200,
        "crm": 400,
        _OUTAGE_SOURCE: 350,
    }
    outage_from = demo.now - _OUTAGE
    for at in demo.hours(12):
        for source, rows in sources.items():
            if source == _OUTAGE_SOURCE and at > outage_from:
                continue  # the planted problem
            noise = _rng("growth-rows", source, at).uniform(0.85, 1.15)
            value = round(rows * demo.busy(at) * noise)
            demo.emit("pipeline/rows_ingested", {**base, "source": source}, at, value)
        rejects = _rng("growth-rejects", at).randint(0, 12)
        demo.emit("growth/unify_rejected_rows", base, at + timedelta(minutes=3), rejects)
    regions = {"na": 5_200, "emea": 4_100, "apac": 6_900, "latam": 1_800}
    for day in demo.days():
        demo.emit("pipeline/ingest_completed", base, demo.at(day, 1, 40, "growth-ingest"), 1)
        aggregated = demo.at(day, 3, 20, "growth-aggregate")
        scale = _trend(day, 0.001) * (1 + _daily_cycle(day))
        users = []
        for region, count in regions.items():
            jitter = _rng("growth-region", region, day).uniform(0.997, 1.003)
            users.append(round(count * scale * jitter))
            demo.emit("growth/new_users", {**base, "region": region}, aggregated, users[-1])
        demo.emit("growth/new_users_total", base, aggregated, sum(users))
        mom = _rng("growth-mom", day).uniform(4.0, 9.0)
        demo.emit("growth/mom_growth_pct", base, aggregated, round(mom, 2))
        activation = _rng("growth-activation", day).uniform(38.0, 46.0)
        demo.emit("growth/activation_rate_pct", base, aggregated, round(activation, 2))
        table = {**base, "table": "investor_dash.growth_daily"}
        demo.emit("pipeline/table_loaded", table, demo.at(day, 3, 40, "growth-load"), sum(users))
        demo.emit("pipeline/run_completed", base, demo.at(day, 3, 50, "growth-done"), 1)


_WEEKDAY = (1.0, 1.02, 1.03, 1.02, 0.97, 0.82, 0.78)  # Monday first: weekends are quieter


def _engagement(demo: _Demo) -> None:
    base = {"pipeline": "aggregate-engagement"}
    platforms = {"ios": 310_000, "android": 450_000, "web": 120_000}
    for at in demo.hours(3):
        for platform, events in platforms.items():
            noise = _rng("engagement-events", platform, at).uniform(0.9, 1.1)
            value = round(events * demo.busy(at) * noise)
            demo.emit("engagement/events_ingested", {**base, "platform": platform}, at, value)
    sessions = {"ios": 1_150_000, "android": 1_700_000, "web": 420_000}
    for day in demo.days():
        ingest = demo.at(day, 1, 20, "engagement-ingest")
        demo.emit("pipeline/ingest_completed", base, ingest, 1)
        duplicates = _rng("engagement-duplicates", day).uniform(2.5, 4.5)
        demo.emit("engagement/duplicate_rate_pct", base, ingest, round(duplicates, 2))
        # Daily metrics describe the previous day: weekday effects follow that day.
        # No trend here: DAU is judged against only five same-weekday values.
        scale = _WEEKDAY[(day - timedelta(days=1)).weekday()] * (1 + _weekly_cycle(day))
        clean = 21_000_000 * scale * _rng("engagement-clean", day).uniform(0.998, 1.002)
        demo.emit(
            "engagement/events_clean", base, demo.at(day, 2, 40, "engagement-clean"), round(clean)
        )
        computed = demo.at(day, 4, 0, "engagement-metrics")
        dau = round(2_100_000 * scale * _rng("engagement-dau", day).uniform(0.998, 1.002))
        demo.emit("engagement/dau", base, computed, dau)
        mau = 9_500_000 * _trend(day, 0.0005)
        demo.emit("engagement/mau", base, computed, round(mau))
        demo.emit("engagement/dau_mau_ratio", base, computed, round(dau / mau, 4))
        counts = []
        for platform, count in sessions.items():
            jitter = _rng("engagement-sessions", platform, day).uniform(0.98, 1.02)
            counts.append(round(count * scale * jitter))
            demo.emit("engagement/sessions", {**base, "platform": platform}, computed, counts[-1])
        demo.emit("engagement/sessions_total", base, computed, sum(counts))
        report = {**base, "report": "engagement_daily"}
        demo.emit("report/generated", report, demo.at(day, 4, 30, "engagement-report"), 1)
        demo.emit("pipeline/run_completed", base, demo.at(day, 4, 35, "engagement-done"), 1)


def generate_demo_points(
    now: datetime, team_tz: ZoneInfo, *, ahead: timedelta = DEMO_VALID_FOR
) -> list[dict[str, Any]]:
    """Points for the three investor pipelines in ``(now - DEMO_DAYS, now + ahead]``.

    Each point is ``{"metric", "labels", "time", "value"}`` with ``time`` in ISO 8601 in the
    team's time zone. Ordered by pipeline, then time.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    demo = _Demo(now, team_tz, now + ahead)
    for build in (_profit, _growth, _engagement):
        build(demo)
    order = list(DEMO_FILES)
    return sorted(
        demo.points,
        key=lambda p: (order.index(p["labels"]["pipeline"]), datetime.fromisoformat(p["time"])),
    )


def write_demo_state(directory: Path, now: datetime, team_tz: ZoneInfo) -> list[Path]:
    """Write one JSON Lines file per pipeline into ``directory``; return their paths.

    Each file is written to a temporary name and moved into place, so a reader never sees
    a half-written file.
    """
    directory.mkdir(parents=True, exist_ok=True)
    by_file: dict[str, list[dict[str, Any]]] = {name: [] for name in DEMO_FILES.values()}
    for point in generate_demo_points(now, team_tz):
        by_file[DEMO_FILES[point["labels"]["pipeline"]]].append(point)
    written = []
    for name, points in by_file.items():
        target = directory / name
        text = "".join(json.dumps(point, separators=(", ", ": ")) + "\n" for point in points)
        atomic_write(target, text.encode("utf-8"))
        written.append(target)
    return written
