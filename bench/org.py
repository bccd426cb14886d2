"""A generated organisation for the scale benchmarks and the golden-output tests.

``write_org(dest, scale=1.0)`` writes ``dest/config/`` (owners, rotation and paging files),
``dest/runbooks/`` and ``dest/state/`` (the JSON Lines points of the local ``default``
source). At ``scale=1`` the org has 300 people in 15 countries (valid holiday subdivisions,
numeric ones quoted), 60 rotations (7-, 1- and 14-day shifts, 4 to 8 members, time zones
from Sydney to New York), 400 pipelines of which 124 have a runbook, leave for a fifth of
the people, 100 overrides, and 992 series of 1,008 hourly points each (about a million
points, a fifth of the series in metrics no runbook reads). Every count scales linearly.

Deterministic: the same ``seed`` and ``scale`` always give the same bytes.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

__all__ = ["COUNTRIES", "NOW", "OrgSize", "write_org"]

NOW = "2026-11-20T12:00:00+00:00"
"""The instant the generated state ends at (pass it as ``--now``)."""

COUNTRIES: tuple[tuple[str, str, tuple[str | None, ...]], ...] = (
    ("IN", "Asia/Kolkata", ("MH", "KA", "TN", "WB")),
    ("US", "America/New_York", ("NY", "CA", "TX", "WA")),
    ("GB", "Europe/London", ("ENG", "SCT", "WLS")),
    ("DE", "Europe/Berlin", ("BE", "BY", "HH")),
    ("FR", "Europe/Paris", (None, "57")),
    ("JP", "Asia/Tokyo", (None,)),
    ("AU", "Australia/Sydney", ("NSW", "VIC", "QLD")),
    ("CA", "America/Toronto", ("ON", "BC", "QC")),
    ("BR", "America/Sao_Paulo", ("SP", "RJ")),
    ("SG", "Asia/Singapore", (None,)),
    ("NL", "Europe/Amsterdam", (None,)),
    ("ES", "Europe/Madrid", ("MD", "CT")),
    ("CH", "Europe/Zurich", ("ZH", "GE")),
    ("PL", "Europe/Warsaw", ("14", "02")),
    ("VN", "Asia/Ho_Chi_Minh", (None,)),
)
"""Country, a time zone there, and holiday subdivisions the holidays package knows (all
quoted in the YAML: ``"57"`` or ``"02"`` unquoted would be numbers)."""

_SHIFT_DAYS = (7, 1, 14)
_READ_METRICS = (
    "pipeline/ingest_completed",
    "pipeline/rows_ingested",
    "pipeline/rows_rejected_pct",
    "pipeline/aggregate_total",
    "pipeline/unit_total",
    "pipeline/run_completed",
)
_UNREAD_METRICS = ("pipeline/cpu_seconds", "pipeline/bytes_scanned")


@dataclass(frozen=True)
class OrgSize:
    people: int
    rotations: int
    pipelines: int
    runbooks: int
    overrides: int
    series: int
    points: int


def _n(base: int, scale: float, least: int = 1) -> int:
    return max(least, round(base * scale))


def write_org(dest: Path, scale: float = 1.0, *, seed: int = 14, hours: int = 1008) -> OrgSize:
    """Write the org under ``dest`` (created); ``hours`` points per series."""
    rng = random.Random(seed)
    people_n, rotations_n = _n(300, scale, 8), _n(60, scale)
    pipelines_n, runbooks_n = _n(400, scale), _n(124, scale)
    overrides_n = _n(100, scale)
    for sub in ("config", "runbooks", "state"):
        (dest / sub).mkdir(parents=True, exist_ok=True)

    people = [f"p{i:04d}" for i in range(1, people_n + 1)]
    country_of = {pid: COUNTRIES[i % len(COUNTRIES)] for i, pid in enumerate(people)}
    owners = [
        "# A generated org (bench/org.py)",
        "team:",
        "  name: Generated Org",
        "  timezone: Europe/London",
        "  holidays: {country: GB}",
        "  company_holidays:",
        "    - {date: 2026-12-31, name: Year-end shutdown}",
        f"  manager: {people[0]}",
        "",
        "people:",
    ]
    for i, pid in enumerate(people):
        code, tz, subdivs = country_of[pid]
        subdiv = subdivs[i % len(subdivs)]
        holidays = (
            f"{{country: {code}}}"
            if subdiv is None
            else (f'{{country: {code}, subdiv: "{subdiv}"}}')
        )
        owners += [
            f"  {pid}:",
            f"    name: Person {i + 1}",
            f"    email: {pid}@example.com",
            f"    timezone: {tz}",
            f"    holidays: {holidays}",
        ]
        if i % 5 == 2:
            start = date(2026, 1, 1) + timedelta(days=rng.randrange(0, 700))
            end = start + timedelta(days=rng.randrange(2, 12))
            owners += ["    leave:", f"      - {{from: {start}, to: {end}, reason: vacation}}"]
        owners.append(f"    contacts: {{slack: U{i + 1:08d}}}")

    rotations: list[tuple[str, list[str], int]] = []
    for r in range(rotations_n):
        size = 4 + r % 5
        start_at = (r * 5) % people_n
        members = [people[(start_at + k) % people_n] for k in range(size)]
        rotations.append((f"r{r + 1:03d}", members, _SHIFT_DAYS[r % len(_SHIFT_DAYS)]))

    owners += ["", "pipelines:"]
    for p in range(pipelines_n):
        rid, members, _days = rotations[p % rotations_n]
        owners += [
            f"  pl{p + 1:04d}:",
            f"    name: Pipeline {p + 1}",
            f"    family: family{p % 20}",
            f"    purpose: {'investor-reporting' if p % 3 else 'experiments'}",
            f"    primary: {members[0]}",
            f"    secondary: {members[1]}",
            f"    rotation: {rid}",
        ]
        if p < runbooks_n:
            owners.append(f"    runbook: rb{p + 1:04d}")
    (dest / "config" / "owners.yaml").write_text("\n".join(owners) + "\n", encoding="utf-8")

    rotation_lines = ["# A generated org (bench/org.py)", "rotations:"]
    for r, (rid, members, days) in enumerate(rotations):
        tz = country_of[members[0]][1]
        start = date(2025, 12, 29) + timedelta(days=r % 7)
        rotation_lines += [
            f"  {rid}:",
            f"    members: [{', '.join(members)}]",
            f"    start: {start}",
            f'    handoff: "{9 + r % 3:02d}:{(r % 2) * 30:02d}"',
            f"    timezone: {tz}",
            f"    shift_days: {days}",
            f"    holiday_swap: {{enabled: {'true' if r % 4 else 'false'}, horizon: 8}}",
        ]
    rotation_lines += ["", "overrides:"]
    for o in range(overrides_n):
        rid, members, _days = rotations[o % rotations_n]
        day = date(2026, 1, 12) + timedelta(days=7 * (o // rotations_n) * 3 + o % 7)
        person = members[(o // rotations_n + 1) % len(members)]
        rotation_lines.append(
            f'  - {{rotation: {rid}, start: "{day}T10:00", end: "{day + timedelta(days=1)}T10:00",'
            f" person: {person}, reason: cover {o + 1}}}"
        )
    (dest / "config" / "rotation.yaml").write_text(
        "\n".join(rotation_lines) + "\n", encoding="utf-8"
    )
    (dest / "config" / "paging.yaml").write_text(
        "channels:\n"
        "  hook: {kind: webhook, url_env: ONCALL_WEBHOOK_URL}\n"
        "urgency:\n"
        "  high: {channels: [hook]}\n"
        "  low: {channels: [hook]}\n",
        encoding="utf-8",
    )

    points = 0
    now = datetime.fromisoformat(NOW)
    for p in range(runbooks_n):
        pipeline = f"pl{p + 1:04d}"
        _write_runbook(dest / "runbooks" / f"rb{p + 1:04d}.yaml", pipeline)
        points += _write_points(dest / "state" / f"{pipeline}.jsonl", pipeline, now, hours, p)
    series = runbooks_n * (len(_READ_METRICS) + len(_UNREAD_METRICS))
    return OrgSize(people_n, rotations_n, pipelines_n, runbooks_n, overrides_n, series, points)


def _write_runbook(path: Path, pipeline: str) -> None:
    labels = f"{{pipeline: {pipeline}}}"
    path.write_text(
        f"title: Runbook of {pipeline}\n"
        f"pipeline: {pipeline}\n"
        "source: default\n"
        "steps:\n"
        "  - id: ingest\n"
        "    title: Ingestion is complete\n"
        "    checks:\n"
        "      - {id: fresh, kind: freshness, metric: pipeline/ingest_completed,"
        f" labels: {labels}, warn_after: 25h, fail_after: 27h}}\n"
        "      - {id: hourly, kind: completeness, metric: pipeline/rows_ingested,"
        f" labels: {labels}, window: 24h, interval: 1h, max_missing: 1}}\n"
        "      - {id: rejected, kind: threshold, metric: pipeline/rows_rejected_pct,"
        f" labels: {labels}, window: 26h, reduce: last, max: 2, warn_max: 1.5}}\n"
        "      - {id: vs-last-week, kind: change, metric: pipeline/rows_ingested,"
        f" labels: {labels}, window: 24h, period: 7d, reduce: sum, max_change_pct: 40}}\n"
        "  - id: aggregate\n"
        "    title: The aggregate adds up\n"
        "    checks:\n"
        "      - id: adds-up\n"
        "        kind: reconcile\n"
        "        left: {metric: pipeline/aggregate_total,"
        f" labels: {labels}, reduce: sum, window: 26h}}\n"
        "        right: {metric: pipeline/unit_total,"
        f" labels: {labels}, reduce: sum, window: 26h}}\n"
        "        tolerance_pct: 0.01\n"
        "      - {id: anomaly, kind: anomaly, metric: pipeline/aggregate_total,"
        f" labels: {labels}, reduce: last, lookback: 28d, z_warn: 3, z_fail: 4}}\n"
        "      - {id: on-time, kind: sla, metric: pipeline/run_completed,"
        f' labels: {labels}, deadline: "06:00"}}\n',
        encoding="utf-8",
    )


def _write_points(path: Path, pipeline: str, now: datetime, hours: int, index: int) -> int:
    rng = random.Random(f"{pipeline}|points")
    end = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    lines: list[str] = []
    base = 1000 + 37 * index
    for h in range(hours, 0, -1):
        at = (end - timedelta(hours=h - 1)).isoformat()
        rows = base + rng.randrange(-20, 21)
        unit = round(base * 3.5 + rng.uniform(-5, 5), 2)
        values = (
            1,
            rows,
            round(rng.uniform(0, 1.2), 3),
            unit,
            unit,
            1,
            rng.randrange(100, 200),
            rng.randrange(10**6, 10**7),
        )
        for metric, value in zip(_READ_METRICS + _UNREAD_METRICS, values, strict=True):
            lines.append(
                f'{{"metric": "{metric}", "labels": {{"pipeline": "{pipeline}", "env": "prod"}},'
                f' "time": "{at}", "value": {value}}}'
            )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines)


if __name__ == "__main__":
    import sys

    size = write_org(Path(sys.argv[1]), float(sys.argv[2]) if len(sys.argv) > 2 else 1.0)
    print(size)
