"""The fast paths of the evaluators (issue 14) give what the plain definitions give:
``select`` against a point-by-point filter, ``reduce_points`` against ``max``/``fsum`` over
every point, ``make_point`` against the dataclass."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from oncall.domain.checks import Point, SeriesQuery
from oncall.domain.checks.common import reduce_points, select
from oncall.domain.checks.series import make_point

T0 = datetime(2026, 11, 20, tzinfo=UTC)
ZONES = [UTC, ZoneInfo("UTC"), timezone(timedelta(hours=5, minutes=30)), ZoneInfo("Asia/Kolkata")]
LABELS = [{"pipeline": "a"}, {"pipeline": "b"}, {"pipeline": "a", "env": "prod"}, {}]

points = st.lists(
    st.builds(
        lambda minutes, zone, value, labels: Point(
            (T0 + timedelta(minutes=minutes)).astimezone(zone), value, labels
        ),
        st.integers(-120, 120),
        st.sampled_from(ZONES),
        st.sampled_from([None, math.nan, 0.0, -0.0, 1.5, -2.0, 7.0]),
        st.sampled_from(LABELS),
    ),
    max_size=30,
)


def plain_select(found: list[Point], query: SeriesQuery) -> list[Point]:
    out = []
    for p in found:
        if not query.start < p.time <= query.end:
            continue
        if not all(p.labels.get(k) == v for k, v in query.labels):
            continue
        kept = p.time.tzinfo is UTC or p.time.tzinfo is ZoneInfo("UTC")
        out.append(p if kept else Point(p.time.astimezone(ZoneInfo("UTC")), p.value, p.labels))
    return out


@settings(max_examples=300, deadline=None)
@given(found=points, labels=st.sampled_from([(), (("pipeline", "a"),), (("env", "prod"),)]))
def test_select_is_the_plain_filter(
    found: list[Point], labels: tuple[tuple[str, str], ...]
) -> None:
    query = SeriesQuery(
        "m",
        labels,
        (T0 - timedelta(minutes=60)).astimezone(ZoneInfo("UTC")),
        (T0 + timedelta(minutes=60)).astimezone(ZoneInfo("UTC")),
    )
    got, want = select({query: found}, query), plain_select(found, query)
    assert [(p.time, p.time.utcoffset(), repr(p.value), p.labels) for p in got] == [
        (p.time, p.time.utcoffset(), repr(p.value), p.labels) for p in want
    ]


@settings(max_examples=300, deadline=None)
@given(found=points, how=st.sampled_from(["last", "sum", "mean", "min", "max", "count"]))
def test_reduce_points_is_the_plain_reduction(found: list[Point], how: str) -> None:
    valid = [p for p in found if p.value is not None and math.isfinite(p.value)]
    got = reduce_points(found, how)  # type: ignore[arg-type]
    assert (got.points, got.corrupt) == (len(found), len(found) - len(valid))
    if how == "count":
        want: float | None = float(len(found))
    elif not valid:
        want = None
    elif how == "last":
        newest = max(valid, key=lambda p: (p.time, sorted(p.labels.items())))
        want = newest.value
    else:
        values = [p.value for p in valid if p.value is not None]
        want = {
            "sum": math.fsum(values),
            "mean": math.fsum(values) / len(values) if values else None,
            "min": min(values),
            "max": max(values),
        }[how]
    assert repr(got.value) == repr(want)


def test_make_point_is_the_dataclass() -> None:
    made = make_point(T0, -0.0, {"a": "b"})
    assert made == Point(T0, -0.0, {"a": "b"}) and type(made) is Point
    assert repr(made) == repr(Point(T0, -0.0, {"a": "b"}))
    assert made.value is not None and math.copysign(1, made.value) == -1
