"""Check evaluators: every kind at pass, warn, fail, no data and the edges of its window."""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from oncall.domain.checks import (
    Check,
    CheckResult,
    CheckStatus,
    Point,
    SeriesQuery,
    error_result,
    evaluate_check,
    required_queries,
    worst_status,
)
from oncall.domain.timeutil import format_duration, resolve_wall_time

KOLKATA = ZoneInfo("Asia/Kolkata")
NEW_YORK = ZoneInfo("America/New_York")
UTC = ZoneInfo("UTC")
NOW = datetime(2026, 11, 20, 9, 30, tzinfo=KOLKATA)
H = timedelta(hours=1)
D = timedelta(days=1)
LABELS = {"pipeline": "aggregate-profit"}
CHECK: TypeAdapter[Check] = TypeAdapter(Check)

Sample = tuple[str, Point]


def make(**spec: object) -> Check:
    return CHECK.validate_python(spec)


def pt(metric: str, at: datetime, value: float | None = 1.0, **labels: str) -> Sample:
    return metric, Point(at, value, {**LABELS, **labels})


def answer(
    check: Check, samples: Sequence[Sample], now: datetime, tz: ZoneInfo
) -> dict[SeriesQuery, list[Point]]:
    """What a state source answers: metric equal, labels a subset, start < time <= end."""
    out: dict[SeriesQuery, list[Point]] = {}
    for q in required_queries(check, now=now, team_tz=tz):
        out[q] = [
            p
            for m, p in samples
            if m == q.metric
            and q.start < p.time <= q.end
            and all(p.labels.get(k) == v for k, v in q.labels)
        ]
    return out


def run(
    check: Check, samples: Sequence[Sample], now: datetime = NOW, tz: ZoneInfo = KOLKATA
) -> CheckResult:
    result = evaluate_check(check, now=now, team_tz=tz, data=answer(check, samples, now, tz))
    assert result.id == check.id and result.kind == check.kind
    assert result.detail and "\n" not in result.detail
    return result


# ---------------------------------------------------------------------------- freshness


def fresh(**extra: object) -> Check:
    spec: dict[str, object] = {
        "id": "ingest-fresh",
        "kind": "freshness",
        "metric": "pipeline/ingest_completed",
        "labels": LABELS,
        "warn_after": "25h",
        "fail_after": "27h",
    }
    return make(**{**spec, **extra})


@pytest.mark.parametrize(
    ("age", "status"),
    [
        (3 * H, "pass"),
        (25 * H, "pass"),
        (25 * H + timedelta(seconds=1), "warn"),
        (27 * H, "warn"),
        (27 * H + timedelta(seconds=1), "fail"),
    ],
)
def test_freshness_status_follows_age(age: timedelta, status: CheckStatus) -> None:
    samples = [
        pt("pipeline/ingest_completed", NOW - age),
        pt("pipeline/ingest_completed", NOW - 3 * D),
    ]
    result = run(fresh(), samples)
    assert result.status == status
    assert result.value == age.total_seconds()  # seconds; the words are in the detail
    assert f"newest point is {format_duration(age)} old" in result.detail


def test_freshness_reports_age_and_bound() -> None:
    result = run(
        fresh(), [pt("pipeline/ingest_completed", NOW - (28 * H + 5 * timedelta(minutes=1)))]
    )
    assert result.status == "fail"
    assert result.value == (28 * H + 5 * timedelta(minutes=1)).total_seconds()
    assert "newest point is 1d 4h old" in result.detail
    assert "past fail_after 1d 3h" in result.detail
    assert result.bound == "warn after 1d 1h, fail after 1d 3h"


def test_freshness_no_data_fails() -> None:
    result = run(fresh(), [])
    assert result.status == "fail" and result.value is None
    assert "no data" in result.detail and "pipeline=aggregate-profit" in result.detail


def test_freshness_ignores_other_series_and_the_future() -> None:
    samples = [
        pt("pipeline/ingest_completed", NOW - H, pipeline="aggregate-growth"),
        pt("pipeline/other", NOW - H),
        pt("pipeline/ingest_completed", NOW + H),
        pt("pipeline/ingest_completed", NOW - 30 * H),
    ]
    assert run(fresh(), samples).status == "fail"


def test_freshness_point_exactly_at_now_counts() -> None:
    assert run(fresh(), [pt("pipeline/ingest_completed", NOW)]).value == 0.0


def test_evaluator_refilters_a_lenient_answer() -> None:
    check = fresh()
    too_much = [Point(NOW + H, 1.0, LABELS), Point(NOW - 30 * H, 1.0, LABELS)]
    data = {q: too_much for q in required_queries(check, now=NOW, team_tz=KOLKATA)}
    assert evaluate_check(check, now=NOW, team_tz=KOLKATA, data=data).status == "fail"


def test_series_query_contains_is_half_open_and_matches_labels() -> None:
    q = SeriesQuery("m", (("pipeline", "aggregate-profit"),), NOW - D, NOW)
    assert not q.contains(Point(NOW - D, 1.0, LABELS))
    assert q.contains(Point(NOW - D + timedelta(microseconds=1), 1.0, LABELS))
    assert q.contains(Point(NOW, 1.0, {**LABELS, "source": "sap_gl"}))
    assert not q.contains(Point(NOW + timedelta(microseconds=1), 1.0, LABELS))
    assert not q.contains(Point(NOW, 1.0, {"pipeline": "aggregate-growth"}))
    assert not q.contains(Point(NOW, 1.0, {}))


def test_evaluator_excludes_the_window_start_even_if_a_source_returns_it() -> None:
    check = threshold(metric="m", reduce="count", min=None, max=1, warn_max=None)
    points = [Point(NOW - D, 1.0, LABELS), Point(NOW, 1.0, LABELS)]
    data = {q: points for q in required_queries(check, now=NOW, team_tz=KOLKATA)}
    result = evaluate_check(check, now=NOW, team_tz=KOLKATA, data=data)
    assert result.value == 1 and result.status == "pass"


def test_missing_query_counts_as_no_data() -> None:
    assert evaluate_check(fresh(), now=NOW, team_tz=KOLKATA, data={}).status == "fail"


# ---------------------------------------------------------------------------- threshold


def threshold(**extra: object) -> Check:
    spec: dict[str, object] = {
        "id": "rejected",
        "kind": "threshold",
        "metric": "pipeline/rows_rejected_pct",
        "labels": LABELS,
        "window": "1d",
        "min": 0,
        "max": 2,
        "warn_max": 0.5,
    }
    return make(**{**spec, **extra})


@pytest.mark.parametrize(
    ("value", "status"),
    [(0.2, "pass"), (0.5, "pass"), (0.7, "warn"), (2.0, "warn"), (2.5, "fail"), (-1, "fail")],
)
def test_threshold_status_follows_bounds(value: float, status: CheckStatus) -> None:
    samples = [
        pt("pipeline/rows_rejected_pct", NOW - 2 * H, 9.0),
        pt("pipeline/rows_rejected_pct", NOW - H, value),
    ]
    result = run(threshold(), samples)
    assert result.status == status
    assert result.value == value


@pytest.mark.parametrize(
    ("how", "func"),
    [
        ("sum", math.fsum),
        ("mean", statistics.fmean),
        ("min", min),
        ("max", max),
        ("count", len),
        ("last", lambda vs: vs[-1]),
    ],
)
def test_threshold_reducers(how: str, func: Callable[[list[float]], float]) -> None:
    values = [3.0, 11.0, 7.0, 5.0]
    samples = [pt("m", NOW - (len(values) - i) * H, v, unit=f"u{i}") for i, v in enumerate(values)]
    result = run(threshold(metric="m", reduce=how, min=None, max=1000, warn_max=None), samples)
    assert result.value == pytest.approx(func(values))


def test_threshold_last_is_newest_across_series() -> None:
    samples = [pt("m", NOW - H, 5.0, unit="a"), pt("m", NOW - 2 * H, 50.0, unit="b")]
    assert run(threshold(metric="m", max=10), samples).value == 5.0


def test_threshold_window_edges() -> None:
    check = threshold(metric="m", reduce="count", min=2, max=None, warn_max=None)
    at_start = pt("m", NOW - D, 1.0)
    at_now = pt("m", NOW, 1.0)
    inside = pt("m", NOW - D + timedelta(seconds=1), 1.0)
    assert run(check, [at_start, at_now]).value == 1
    assert run(check, [at_start, at_now]).status == "fail"
    assert run(check, [inside, at_now]).status == "pass"


def test_threshold_no_data_fails() -> None:
    result = run(threshold(), [pt("pipeline/rows_rejected_pct", NOW - 2 * D, 0.1)])
    assert result.status == "fail" and "no data" in result.detail


def test_threshold_ignores_corrupt_values_and_says_so() -> None:
    samples = [pt("m", NOW - 2 * H, 1.0), pt("m", NOW - H, math.nan), pt("m", NOW - H, None)]
    result = run(threshold(metric="m", reduce="mean"), samples)
    assert result.value == 1.0
    assert "2 null/NaN values ignored" in result.detail
    only_bad = run(threshold(metric="m"), samples[1:])
    assert only_bad.status == "fail" and "only null/NaN" in only_bad.detail


# ---------------------------------------------------------------------------- change


def change(**extra: object) -> Check:
    spec: dict[str, object] = {
        "id": "rows-vs-last-week",
        "kind": "change",
        "metric": "pipeline/rows_ingested",
        "labels": LABELS,
        "window": "1d",
        "period": "7d",
        "reduce": "sum",
        "max_change_pct": 40,
        "warn_change_pct": 20,
    }
    return make(**{**spec, **extra})


def weeks(current: float, previous: float | None) -> list[Sample]:
    out = [
        pt("pipeline/rows_ingested", NOW - 3 * H, current / 2),
        pt("pipeline/rows_ingested", NOW - H, current / 2),
    ]
    if previous is not None:
        out.append(pt("pipeline/rows_ingested", NOW - 7 * D - 2 * H, previous))
    return out


@pytest.mark.parametrize(
    ("current", "previous", "status"),
    [(1050, 1000, "pass"), (1250, 1000, "warn"), (500, 1000, "fail"), (1500, 1000, "fail")],
)
def test_change_status_follows_percent(
    current: float, previous: float, status: CheckStatus
) -> None:
    result = run(change(), weeks(current, previous))
    assert result.status == status
    assert result.value == pytest.approx((current - previous) / previous * 100)


def test_change_negative_baseline_uses_its_magnitude() -> None:
    result = run(change(max_change_pct=500), weeks(-50, -100))
    assert result.value == pytest.approx(50.0)


def test_change_direction_specific_limits() -> None:
    check = change(
        max_change_pct=None, warn_change_pct=None, max_increase_pct=50, max_decrease_pct=10
    )
    assert run(check, weeks(1400, 1000)).status == "pass"
    assert run(check, weeks(1600, 1000)).status == "fail"
    assert run(check, weeks(850, 1000)).status == "fail"
    assert "decrease" in run(check, weeks(850, 1000)).detail


@pytest.mark.parametrize("previous", [0.0, None])
def test_change_without_baseline_warns(previous: float | None) -> None:
    result = run(change(), weeks(1000, previous))
    assert result.status == "warn"
    assert "no baseline" in result.detail


def test_change_without_current_data_fails() -> None:
    samples = [pt("pipeline/rows_ingested", NOW - 7 * D - H, 1000)]
    assert run(change(), samples).status == "fail"


def test_change_windows_are_half_open() -> None:
    # At now - 1d: outside the current window. At now - 7d: the newest instant of the previous.
    samples = [
        pt("m", NOW, 100.0),
        pt("m", NOW - D, 1e6),
        pt("m", NOW - 7 * D, 100.0),
        pt("m", NOW - 8 * D, 1e6),
    ]
    result = run(change(metric="m"), samples)
    assert result.status == "pass" and result.value == 0.0


# ---------------------------------------------------------------------------- anomaly


def anomaly(**extra: object) -> Check:
    spec: dict[str, object] = {
        "id": "profit-anomaly",
        "kind": "anomaly",
        "metric": "profit/aggregate_total",
        "labels": LABELS,
        "lookback": "28d",
    }
    return make(**{**spec, **extra})


def daily(
    values: Sequence[float], *, last_day: date, tz: ZoneInfo = KOLKATA, at: time = time(3, 0)
) -> list[Sample]:
    """One point per local day, the last value on ``last_day``."""
    n = len(values)
    return [
        pt("profit/aggregate_total", resolve_wall_time(last_day - (n - 1 - i) * D, at, tz), v)
        for i, v in enumerate(values)
    ]


BASE = [90.0, 110.0] * 14  # median 100, MAD 10: robust sigma 14.826


@pytest.mark.parametrize(
    ("z", "status"),
    [(0.0, "pass"), (2.9, "pass"), (3.5, "warn"), (-3.5, "warn"), (4.5, "fail"), (-6, "fail")],
)
def test_anomaly_robust_z(z: float, status: CheckStatus) -> None:
    x = 100 + z * 1.4826 * 10
    result = run(anomaly(), daily([*BASE, x], last_day=NOW.date()))
    assert result.status == status
    assert result.value == pytest.approx(x)
    if status == "fail":
        assert ("spike" if z > 0 else "drop") in result.detail


def test_anomaly_baseline_is_only_the_lookback_days_before_x() -> None:
    # Days older than the lookback would make x=300 look normal if they were included.
    old = [300.0] * 10
    result = run(anomaly(lookback="28d"), daily([*old, *BASE, 300.0], last_day=NOW.date()))
    assert result.status == "fail"
    assert "of 28 days" in result.detail


def test_anomaly_x_is_the_newest_day_with_data() -> None:
    last = NOW.date() - 3 * D
    result = run(anomaly(), daily([*BASE, 100.0], last_day=last))
    assert result.status == "pass"
    assert last.isoformat() in result.detail


def test_anomaly_mad_zero() -> None:
    flat = [50.0] * 20
    same = run(anomaly(), daily([*flat, 50.0], last_day=NOW.date()))
    assert same.status == "pass"
    differs = run(anomaly(), daily([*flat, 50.5], last_day=NOW.date()))
    assert differs.status == "fail" and "MAD 0" in differs.detail


def test_anomaly_short_history_warns() -> None:
    result = run(anomaly(), daily([90, 100, 110, 5000], last_day=NOW.date()))
    assert result.status == "warn"
    assert "only 3 baseline days" in result.detail


def test_anomaly_no_data_fails() -> None:
    assert run(anomaly(), []).status == "fail"


def test_anomaly_weekly_seasonality_compares_the_same_weekday() -> None:
    # Weekends are ten times lower: only same-weekday comparison sees a normal value.
    last = NOW.date()
    days = [last - (56 - i) * D for i in range(57)]
    values = [
        100.0 + (i % 3) if d.weekday() == last.weekday() else 10.0 for i, d in enumerate(days)
    ]
    values[-1] = 101.0
    samples = daily(values, last_day=last)
    weekly = run(anomaly(lookback="49d", seasonality="weekly"), samples)
    assert weekly.status == "pass"
    assert f"{last.strftime('%a')}s" in weekly.detail
    assert run(anomaly(lookback="49d"), samples).status == "fail"


def hourly(start: datetime, end: datetime, metric: str = "m") -> list[Sample]:
    out: list[Sample] = []
    at = start
    while at <= end:
        out.append(pt(metric, at, 1.0))
        at += H
    return out


@pytest.mark.parametrize(("day", "hours"), [(date(2026, 11, 1), 25), (date(2026, 3, 8), 23)])
def test_anomaly_daily_buckets_are_local_dates_across_dst(day: date, hours: int) -> None:
    now = resolve_wall_time(day, time(23, 59), NEW_YORK)
    start = resolve_wall_time(day - 20 * D, time(0, 0), NEW_YORK)
    samples = hourly(start.astimezone(UTC), now)
    check = anomaly(metric="m", reduce="count", lookback="14d")
    result = run(check, samples, now=now, tz=NEW_YORK)
    # Every other date has 24 hourly points; the DST date has 23 or 25 of them.
    assert result.value == hours
    assert result.status == "fail" and "MAD 0" in result.detail
    # The next day has 24 again and counts the DST date as one baseline day among 24s.
    next_day = run(check, samples + hourly(now, now + D), now=now + D, tz=NEW_YORK)
    assert next_day.status == "pass" and next_day.value == 24


@given(
    scale=st.floats(min_value=0.01, max_value=1000),
    shift=st.floats(min_value=-1e4, max_value=1e4),
    x=st.floats(min_value=-20, max_value=20),
)
def test_anomaly_status_is_invariant_under_positive_affine_maps(
    scale: float, shift: float, x: float
) -> None:
    base = [float(v) for v in (3, 7, 1, 4, 9, 2, 6, 5, 8, 4, 3, 6)]
    plain = run(anomaly(), daily([*base, x], last_day=NOW.date()))
    mapped = run(anomaly(), daily([v * scale + shift for v in [*base, x]], last_day=NOW.date()))
    median = statistics.median(base)
    z = abs(x - median) / (1.4826 * statistics.median(abs(v - median) for v in base))
    if abs(z - 3) > 1e-6 and abs(z - 4) > 1e-6:  # away from the bounds, rounding cannot matter
        assert mapped.status == plain.status


# ---------------------------------------------------------------------------- completeness


def complete(**extra: object) -> Check:
    spec: dict[str, object] = {
        "id": "rows-complete",
        "kind": "completeness",
        "metric": "pipeline/rows_ingested",
        "labels": LABELS,
        "window": "24h",
        "interval": "1h",
    }
    return make(**{**spec, **extra})


def every_hour(
    skip: Sequence[int] = (), value: Callable[[int], float | None] = float
) -> list[Sample]:
    """One point in each hourly slot of the last day (slot 0 oldest), 10 minutes into it."""
    start = NOW - D
    return [
        pt("pipeline/rows_ingested", start + k * H + timedelta(minutes=10), value(k))
        for k in range(24)
        if k not in skip
    ]


def test_completeness_all_slots_pass() -> None:
    result = run(complete(), every_hour())
    assert result.status == "pass" and result.value == 0


def test_completeness_missing_slots() -> None:
    result = run(complete(), every_hour(skip=(20, 21)))
    assert result.status == "fail" and result.value == 2
    gap_start = (NOW - D + 20 * H).astimezone(KOLKATA)
    assert gap_start.strftime("%Y-%m-%d %H:%M") in result.detail
    assert run(complete(max_missing=2), every_hour(skip=(20, 21))).status == "pass"
    assert run(complete(max_missing=3, warn_missing=1), every_hour(skip=(20, 21))).status == "warn"


def test_completeness_gap_shows_both_dates_when_they_differ() -> None:
    # Every slot empty: one gap spanning the whole 24h window, from yesterday to today.
    result = run(complete(), [])
    assert "empty: 2026-11-19 09:30 IST to 2026-11-20 09:30 IST)" in result.detail
    same_day = run(complete(), every_hour(skip=(20, 21)))
    assert "empty: 2026-11-20 05:30 IST to 07:30)" in same_day.detail
    # Clocks fall back at 02:00 EDT on 2026-11-01: a same-day gap across it names both zones.
    dst_now = datetime(2026, 11, 1, 3, 30, tzinfo=NEW_YORK)
    night = [
        pt("pipeline/rows_ingested", dst_now - D + k * H + timedelta(minutes=10))
        for k in range(24)
        if k < 20
    ]
    across = run(complete(window="4h"), night, now=dst_now, tz=NEW_YORK)
    assert "empty: 2026-11-01 00:30 EDT to 03:30 EST" in across.detail, across.detail


@pytest.mark.parametrize("bad", [math.nan, None])
def test_completeness_corrupt_value_fails(bad: float | None) -> None:
    result = run(complete(max_missing=5), every_hour(value=lambda k: bad if k == 7 else 1.0))
    assert result.status == "fail"
    assert "corrupt" in result.detail and result.value == 1


def test_completeness_no_data_fails_every_slot() -> None:
    result = run(complete(), [])
    assert result.status == "fail" and result.value == 24


def test_completeness_window_edges() -> None:
    slots = [pt("pipeline/rows_ingested", NOW - D + k * H, 1.0) for k in range(25)]
    # k=0 lies exactly at now - window: excluded, and it is the only point of no slot.
    # k=24 lies exactly at now: it fills the newest slot.
    assert run(complete(), slots).status == "pass"
    assert run(complete(), slots[:-1]).value == 1
    assert run(complete(), slots[1:]).status == "pass"


# ---------------------------------------------------------------------------- source_up


SOURCES = ["app_store", "play_store", "partner_api"]


def sources_up(**extra: object) -> Check:
    spec: dict[str, object] = {
        "id": "sources-up",
        "kind": "source_up",
        "metric": "pipeline/rows_ingested",
        "labels": {"pipeline": "aggregate-growth"},
        "sources": SOURCES,
        "fail_after": "3h",
        "warn_after": "90m",
    }
    return make(**{**spec, **extra})


def heartbeats(ages: dict[str, timedelta]) -> list[Sample]:
    return [
        (
            "pipeline/rows_ingested",
            Point(NOW - age - k * H, 1.0, {"pipeline": "aggregate-growth", "source": s}),
        )
        for s, age in ages.items()
        for k in range(3)
    ]


def test_source_up_all_recent_passes() -> None:
    result = run(sources_up(), heartbeats(dict.fromkeys(SOURCES, 20 * timedelta(minutes=1))))
    assert result.status == "pass" and result.value == 3.0
    assert result.detail.startswith("3/3 up")


def test_source_up_names_offline_sources() -> None:
    ages = {"app_store": 10 * timedelta(minutes=1), "play_store": 6 * H + 10 * timedelta(minutes=1)}
    result = run(sources_up(), heartbeats(ages))
    assert result.status == "fail" and result.value == 1.0
    assert result.detail.startswith("1/3 up")
    assert "play_store (last seen 6h 10m ago)" in result.detail
    assert "partner_api (no data" in result.detail
    assert "app_store" not in result.detail


def test_source_up_late_source_warns() -> None:
    ages = dict.fromkeys(SOURCES, 5 * timedelta(minutes=1)) | {"crm": H}
    ages["partner_api"] = 2 * H
    result = run(sources_up(), heartbeats(ages))
    assert result.status == "warn" and "partner_api" in result.detail


def test_source_up_edge_of_fail_after() -> None:
    ages = dict.fromkeys(SOURCES, timedelta(0)) | {"partner_api": 3 * H}
    assert run(sources_up(warn_after=None), heartbeats(ages)).status == "pass"
    ages["partner_api"] = 3 * H + timedelta(seconds=1)
    assert run(sources_up(warn_after=None), heartbeats(ages)).status == "fail"


def test_source_up_uses_group_by_label() -> None:
    samples = [
        ("m", Point(NOW - H, 1.0, {"pipeline": "aggregate-growth", "resource.job": s}))
        for s in SOURCES
    ]
    assert run(sources_up(metric="m", group_by="resource.job"), samples).status == "pass"
    assert run(sources_up(metric="m"), samples).status == "fail"


# ---------------------------------------------------------------------------- reconcile


def reconcile(**extra: object) -> Check:
    spec: dict[str, object] = {
        "id": "profit-adds-up",
        "kind": "reconcile",
        "left": {
            "metric": "profit/aggregate_total",
            "labels": LABELS,
            "reduce": "sum",
            "window": "26h",
        },
        "right": {
            "metric": "profit/unit_total",
            "labels": LABELS,
            "reduce": "sum",
            "window": "26h",
        },
        "tolerance_pct": 0.5,
        "warn_tolerance_pct": 0.1,
    }
    return make(**{**spec, **extra})


def books(total: float, units: Sequence[float], at: datetime = NOW - 5 * H) -> list[Sample]:
    return [pt("profit/aggregate_total", at, total)] + [
        pt("profit/unit_total", at, v, unit=f"bu{i}") for i, v in enumerate(units)
    ]


@pytest.mark.parametrize(
    ("total", "status"),
    [(600.0, "pass"), (600.3, "pass"), (601.2, "warn"), (604.0, "fail"), (590.0, "fail")],
)
def test_reconcile_aggregate_equals_sum_of_units(total: float, status: CheckStatus) -> None:
    result = run(reconcile(), books(total, [100.0, 200.0, 300.0]))
    assert result.status == status
    assert result.value == pytest.approx(abs(total - 600) / 600 * 100)


def test_reconcile_missing_side_fails() -> None:
    result = run(reconcile(), [pt("profit/aggregate_total", NOW - H, 10.0)])
    assert result.status == "fail" and result.detail.startswith("right: no data")


def test_reconcile_zero_right() -> None:
    assert run(reconcile(), books(0.0, [0.0, 0.0])).status == "pass"
    assert run(reconcile(), books(5.0, [0.0])).status == "fail"


def test_reconcile_window_edges() -> None:
    edge = NOW - 26 * H
    samples = books(600.0, [100.0, 200.0, 300.0], at=edge) + books(10.0, [10.0], at=NOW)
    assert run(reconcile(), samples).status == "pass"
    assert run(reconcile(), samples).value == 0.0
    samples += [pt("profit/unit_total", edge + timedelta(seconds=1), 1.0, unit="late")]
    assert run(reconcile(), samples).status == "fail"


# ---------------------------------------------------------------------------- sla


def sla(**extra: object) -> Check:
    spec: dict[str, object] = {
        "id": "report-sla",
        "kind": "sla",
        "metric": "pipeline/run_completed",
        "labels": LABELS,
        "deadline": "06:00",
    }
    return make(**{**spec, **extra})


def done(day: date, at: time, tz: ZoneInfo = KOLKATA) -> Sample:
    return pt("pipeline/run_completed", resolve_wall_time(day, at, tz))


TODAY = NOW.date()


def at_local(day: date, hour: int, minute: int = 0, tz: ZoneInfo = KOLKATA) -> datetime:
    return resolve_wall_time(day, time(hour, minute), tz)


def test_sla_finished_before_deadline_passes() -> None:
    result = run(sla(), [done(TODAY, time(3, 10))])
    assert result.status == "pass"
    assert result.value == -(2 * H + timedelta(minutes=50)).total_seconds()  # 2h 50m early
    assert "finished at 03:10" in result.detail
    assert "2h 50m before" in result.detail


def test_sla_finished_late_fails_with_delay() -> None:
    result = run(sla(), [done(TODAY, time(7, 20))])
    assert result.status == "fail"
    assert "late by 1h 20m" in result.detail


def test_sla_pending_then_missed() -> None:
    yesterday = [done(TODAY - D, time(3, 0))]
    pending = run(sla(), yesterday, now=at_local(TODAY, 4))
    assert pending.status == "warn" and pending.detail.startswith("pending")
    missed = run(sla(), yesterday, now=at_local(TODAY, 7, 30))
    assert missed.status == "fail" and missed.detail.startswith("missed")
    assert "1h 30m past" in missed.detail


def test_sla_deadline_instant_is_on_time() -> None:
    assert run(sla(), [done(TODAY, time(6, 0))]).status == "pass"
    assert run(sla(), [done(TODAY, time(6, 1))]).status == "fail"
    assert run(sla(), [], now=at_local(TODAY, 6)).status == "warn"


def test_sla_uses_check_timezone() -> None:
    # 03:00 in New York on the 19th is 13:30 on the 19th in Kolkata; now is 20th 09:30 Kolkata,
    # which is still the 19th in New York.
    samples = [done(TODAY - D, time(3, 0), NEW_YORK)]
    assert run(sla(timezone="America/New_York"), samples).status == "pass"
    assert run(sla(), samples).status == "fail"


def test_sla_spring_forward_day() -> None:
    day = date(2026, 3, 8)  # New York skips 02:00-03:00
    late = [done(day, time(6, 30), NEW_YORK)]
    now = at_local(day, 9, tz=NEW_YORK)
    result = run(sla(), late, now=now, tz=NEW_YORK)
    assert result.status == "fail" and "late by 30m" in result.detail
    # A deadline in the gap moves to the end of the gap (03:00 EDT).
    gap = sla(deadline="02:30")
    assert run(gap, [done(day, time(3, 0), NEW_YORK)], now=now, tz=NEW_YORK).status == "pass"
    assert run(gap, [done(day, time(3, 1), NEW_YORK)], now=now, tz=NEW_YORK).status == "fail"


def test_sla_fall_back_day() -> None:
    day = date(2026, 11, 1)  # New York repeats 01:00-02:00
    now = at_local(day, 9, tz=NEW_YORK)
    early = [done(day, time(0, 30), NEW_YORK)]  # still EDT
    assert run(sla(), early, now=now, tz=NEW_YORK).status == "pass"
    on_time = [done(day, time(5, 30), NEW_YORK)]
    assert run(sla(), on_time, now=now, tz=NEW_YORK).status == "pass"
    before_midnight = [
        (
            "pipeline/run_completed",
            Point(at_local(day, 0, tz=NEW_YORK) - timedelta(minutes=1), 1.0, LABELS),
        )
    ]
    assert run(sla(), before_midnight, now=now, tz=NEW_YORK).status == "fail"


# ---------------------------------------------------------------------------- the rest


def test_now_in_a_dst_zone_counts_real_hours() -> None:
    # 2026-03-09 02:15 EDT: 24 wall-clock hours back is only 23 real hours back. Points and
    # now share the ZoneInfo, where Python's own arithmetic would be wall-clock arithmetic.
    now = datetime(2026, 3, 9, 2, 15, tzinfo=NEW_YORK)
    real = now.astimezone(UTC)
    hourly_points = [
        pt("pipeline/rows_ingested", (real - k * H + timedelta(minutes=10)).astimezone(NEW_YORK))
        for k in range(1, 25)
    ]
    assert run(complete(), hourly_points, now=now, tz=NEW_YORK).status == "pass"
    assert run(complete(), hourly_points[:-1], now=now, tz=NEW_YORK).status == "fail"
    stale = [pt("pipeline/ingest_completed", (real - 26 * H).astimezone(NEW_YORK))]
    result = run(fresh(), stale, now=now, tz=NEW_YORK)
    assert result.status == "warn" and result.value == (26 * H).total_seconds()


def test_worst_status_orders_pass_warn_error_fail() -> None:
    assert worst_status([]) == "pass"
    assert worst_status(["pass", "warn"]) == "warn"
    assert worst_status(["warn", "error", "pass"]) == "error"
    assert worst_status(["error", "fail", "warn"]) == "fail"


def test_error_result_carries_the_reason() -> None:
    result = error_result(fresh(), "state source 'default' is unreachable")
    assert (result.status, result.id, result.kind) == ("error", "ingest-fresh", "freshness")
    assert "unreachable" in result.detail


def test_identical_queries_dedupe_across_checks() -> None:
    a = threshold(metric="m", labels={"b": "2", "a": "1"}, window="26h")
    b = reconcile(
        left={"metric": "m", "labels": {"a": "1", "b": "2"}, "reduce": "sum", "window": "26h"}
    )
    qa = required_queries(a, now=NOW, team_tz=KOLKATA)
    qb = required_queries(b, now=NOW, team_tz=KOLKATA)
    assert qa[0] == qb[0] and hash(qa[0]) == hash(qb[0])
    assert qa[0].labels == (("a", "1"), ("b", "2"))
    later = required_queries(a, now=NOW + H, team_tz=KOLKATA)
    assert later[0] != qa[0]


def test_queries_cover_what_each_kind_needs() -> None:
    (q,) = required_queries(fresh(), now=NOW, team_tz=KOLKATA)
    assert (q.start, q.end) == (NOW - 7 * D, NOW)
    cur, prev = required_queries(change(), now=NOW, team_tz=KOLKATA)
    assert (cur.start, cur.end, prev.start, prev.end) == (NOW - D, NOW, NOW - 8 * D, NOW - 7 * D)
    (q,) = required_queries(sla(), now=NOW, team_tz=KOLKATA)
    assert q.start == at_local(TODAY - D, 0) and q.end == NOW
    (q,) = required_queries(anomaly(), now=NOW, team_tz=KOLKATA)
    assert q.start == at_local(TODAY - 35 * D, 0)


def test_naive_now_is_rejected() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        required_queries(fresh(), now=NOW.replace(tzinfo=None), team_tz=KOLKATA)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (
            {"kind": "freshness", "fail_after": "2h", "warn_after": "3h"},
            "must be shorter than fail_after",
        ),
        ({"kind": "freshness", "fail_after": 5}, "add a unit"),
        ({"kind": "freshness", "fail_after": "0m"}, "longer than zero"),
        ({"kind": "threshold", "window": "1d"}, "give min, max or both"),
        ({"kind": "threshold", "window": "1d", "min": 5, "warn_min": 2}, "inside the fail range"),
        ({"kind": "change", "window": "1d", "period": "7d"}, "give max_change_pct"),
        ({"kind": "change", "window": "7d", "period": "1d", "max_change_pct": 5}, "overlap"),
        ({"kind": "anomaly", "lookback": "36h"}, "whole days"),
        ({"kind": "anomaly", "lookback": "28d", "seasonality": "weekly"}, "raise lookback to 49d"),
        ({"kind": "anomaly", "lookback": "28d", "z_warn": 5}, "below z_fail"),
        ({"kind": "completeness", "window": "25h", "interval": "2h"}, "whole multiple"),
        ({"kind": "source_up", "sources": ["a", "a"], "fail_after": "1h"}, "listed twice"),
        ({"kind": "sla", "deadline": 360}, 'quote it, like deadline: "06:00"'),
        ({"kind": "sla", "deadline": "25:00"}, "HH:MM"),
        ({"kind": "sla", "deadline": "06:00", "timezone": "Mars/Olympus"}, "IANA"),
        ({"kind": "sla", "deadline": "06:00", "labels": {"on": True}}, 'quote it, like on: "true"'),
        ({"kind": "sla", "deadline": "06:00", "color": "red"}, "Extra inputs"),
        ({"kind": "pagerank"}, "set kind to one of freshness"),
    ],
)
def test_bad_specs_say_how_to_fix_them(spec: dict[str, object], message: str) -> None:
    base = {"id": "x", "metric": "m"} if spec["kind"] != "pagerank" else {"id": "x"}
    with pytest.raises(ValidationError) as info:
        make(**{**base, **spec})
    assert message in str(info.value)


def test_durations_round_trip_through_json() -> None:
    check = fresh(fail_after="1d2h30m", warn_after="90m")
    dumped = check.model_dump(mode="json")
    assert dumped["fail_after"] == "1d2h30m" and dumped["warn_after"] == "1h30m"
    assert CHECK.validate_python(dumped) == check
