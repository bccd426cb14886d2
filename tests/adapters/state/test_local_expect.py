"""LocalStateSource with expected queries (issue 14): only the points they select are kept,
a query outside them reads everything again, and answers never change."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from oncall.adapters.state import fetch_all
from oncall.adapters.state.local import LocalStateSource, StateDataError
from oncall.domain.checks import SeriesQuery

T0 = datetime(2026, 11, 20, 0, 0, tzinfo=UTC)
A, B, C = "pipeline/a", "pipeline/b", "pipeline/unread"


def line(metric: str, hour: int, value: object = 1, **labels: str) -> str:
    at = (T0 + timedelta(hours=hour)).isoformat()
    return json.dumps(
        {"metric": metric, "labels": labels or {"pipeline": "p1"}, "time": at, "value": value}
    )


def q(metric: str, first: int, last: int, **labels: str) -> SeriesQuery:
    start, end = T0 + timedelta(hours=first), T0 + timedelta(hours=last)
    return SeriesQuery(metric, tuple(sorted((labels or {"pipeline": "p1"}).items())), start, end)


@pytest.fixture
def state(tmp_path: Path) -> Path:
    folder = tmp_path / "state"
    folder.mkdir()
    lines = [line(m, h, h) for h in range(48) for m in (A, B, C)]
    lines += [line(A, h, -h, pipeline="p2") for h in range(48)]
    (folder / "one.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def values(points: list) -> list[object]:  # type: ignore[type-arg]
    return [p.value for p in points]


def test_expected_queries_get_the_same_answers_as_a_full_read(state: Path) -> None:
    queries = [q(A, 10, 20), q(B, 0, 5), q(A, 30, 40, pipeline="p2")]
    full = LocalStateSource(state)
    expected = fetch_all(LocalStateSource(state), queries)
    assert expected == {query: full.fetch(query) for query in queries}
    assert values(expected[queries[0]]) == [float(h) for h in range(11, 21)]


def test_only_the_expected_span_is_kept(state: Path) -> None:
    source = LocalStateSource(state)
    source.expect([q(A, 10, 20)])
    assert values(source.fetch(q(A, 12, 14))) == [13.0, 14.0]
    kept = source._index
    assert kept is not None and set(kept) == {A}  # B and the unread metric are skipped
    assert sum(len(s.points) for s in kept[A]) == 20  # ten hours of two series


def test_a_query_outside_the_span_reads_everything_again(state: Path) -> None:
    source = LocalStateSource(state)
    source.expect([q(A, 10, 20)])
    assert values(source.fetch(q(A, 10, 12))) == [11.0, 12.0]
    assert values(source.fetch(q(B, 40, 42))) == [41.0, 42.0]
    assert values(source.fetch(q(A, 0, 2))) == [1.0, 2.0]


def test_series_of_one_metric_merge_in_time_order(state: Path) -> None:
    source = LocalStateSource(state)
    both = SeriesQuery(A, (), T0, T0 + timedelta(hours=2))
    source.expect([both])
    assert values(source.fetch(both)) == [1.0, -1.0, 2.0, -2.0]


def test_a_malformed_line_of_an_expected_metric_is_located(state: Path) -> None:
    file = state / "one.jsonl"
    file.write_text(file.read_text() + '{"metric": "pipeline/a", "time": 5}\n')
    source = LocalStateSource(state)
    source.expect([q(A, 10, 20)])
    with pytest.raises(StateDataError, match=r"one\.jsonl:193: "):
        source.fetch(q(A, 10, 20))


def test_a_line_in_another_shape_is_judged_in_full(state: Path) -> None:
    file = state / "one.jsonl"
    file.write_text(file.read_text() + '{"value": 1, "metric": "pipeline/unread", "time": 3}\n')
    source = LocalStateSource(state)
    source.expect([q(A, 10, 20)])
    with pytest.raises(StateDataError, match=r"one\.jsonl:193: 'time' must be"):
        source.fetch(q(A, 10, 20))
