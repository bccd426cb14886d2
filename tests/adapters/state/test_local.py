"""LocalStateSource: JSON Lines files on disk, read once, filtered like Cloud Monitoring."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from oncall.adapters.state import build_source, fetch_all
from oncall.adapters.state.local import LocalStateSource, StateDataError
from oncall.config.models.state import LocalSourceSpec
from oncall.domain.checks import SeriesQuery
from oncall.errors import OncallError, StateSourceError

IST = timezone(timedelta(hours=5, minutes=30))
T0 = datetime(2026, 11, 20, 2, 10, tzinfo=IST)
INGEST = "pipeline/ingest_completed"

WriteLines = Callable[..., Path]


@pytest.fixture
def write_lines(tmp_path: Path) -> WriteLines:
    def write(name: str, *records: object, raw: str | None = None) -> Path:
        file = tmp_path / "state" / name
        file.parent.mkdir(parents=True, exist_ok=True)
        text = raw if raw is not None else "".join(json.dumps(r) + "\n" for r in records)
        file.write_text(text, encoding="utf-8")
        return file

    return write


def rec(
    minutes: int,
    value: object = 1,
    metric: str = INGEST,
    **labels: str,
) -> dict[str, object]:
    when = T0 + timedelta(minutes=minutes)
    return {
        "metric": metric,
        "labels": labels or {"pipeline": "aggregate-profit"},
        "time": when.isoformat(),
        "value": value,
    }


def query(
    start: datetime,
    end: datetime,
    metric: str = INGEST,
    extra: Mapping[str, str] | None = None,
    **labels: str,
) -> SeriesQuery:
    """A query for ``labels`` plus ``extra`` (for keys like ``resource.K``)."""
    pairs = tuple(sorted({**labels, **(extra or {})}.items()))
    return SeriesQuery(metric=metric, labels=pairs, start=start, end=end)


def test_interval_is_start_exclusive_end_inclusive(tmp_path: Path, write_lines: WriteLines) -> None:
    write_lines("a.jsonl", rec(0, 10), rec(5, 11), rec(10, 12), rec(15, 13))
    source = LocalStateSource(tmp_path / "state")

    points = source.fetch(query(T0, T0 + timedelta(minutes=10)))

    assert [p.value for p in points] == [11.0, 12.0]
    assert [p.time for p in points] == [T0 + timedelta(minutes=5), T0 + timedelta(minutes=10)]


def test_times_with_different_offsets_compare_as_instants(
    tmp_path: Path, write_lines: WriteLines
) -> None:
    # 02:10+05:30 is 20:40Z the day before; a UTC query around that instant finds it.
    write_lines("a.jsonl", rec(0, 7))
    source = LocalStateSource(tmp_path / "state")
    at_utc = datetime(2026, 11, 19, 20, 40, tzinfo=UTC)

    found = source.fetch(query(at_utc - timedelta(seconds=1), at_utc))
    missed = source.fetch(query(at_utc, at_utc + timedelta(hours=1)))

    assert [p.value for p in found] == [7.0]
    assert found[0].time.utcoffset() == timedelta(hours=5, minutes=30)
    assert missed == []


def test_filters_by_metric_and_label_subset(tmp_path: Path, write_lines: WriteLines) -> None:
    write_lines(
        "a.jsonl",
        rec(1, 1, pipeline="aggregate-profit", env="prod"),
        rec(2, 2, pipeline="aggregate-profit", env="dev"),
        rec(3, 3, pipeline="orders"),
        rec(4, 4, metric="pipeline/rows_written", pipeline="aggregate-profit"),
        rec(5, 5, **{"pipeline": "aggregate-profit", "resource.location": "asia-south1"}),
    )
    source = LocalStateSource(tmp_path / "state")
    day = (T0 - timedelta(hours=1), T0 + timedelta(hours=1))

    by_pipeline = source.fetch(query(*day, pipeline="aggregate-profit"))
    prod_only = source.fetch(query(*day, pipeline="aggregate-profit", env="prod"))
    by_resource = source.fetch(query(*day, extra={"resource.location": "asia-south1"}))
    everything = source.fetch(query(*day))
    other_metric = source.fetch(query(*day, metric="pipeline/rows_written"))
    unknown_metric = source.fetch(query(*day, metric="pipeline/nope"))

    assert [p.value for p in by_pipeline] == [1.0, 2.0, 5.0]
    assert [p.value for p in prod_only] == [1.0]
    assert prod_only[0].labels == {"pipeline": "aggregate-profit", "env": "prod"}
    assert [p.value for p in by_resource] == [5.0]
    assert [p.value for p in everything] == [1.0, 2.0, 3.0, 5.0]
    assert [p.value for p in other_metric] == [4.0]
    assert unknown_metric == []


def test_reads_every_jsonl_file_under_the_directory_sorted_by_time(
    tmp_path: Path, write_lines: WriteLines
) -> None:
    write_lines("b.jsonl", rec(3, 3))
    write_lines("nested/deeper/a.jsonl", rec(1, 1))
    write_lines("notes.txt", raw="not json at all\n")
    write_lines("c.jsonl", raw="\n" + json.dumps(rec(2, 2)) + "\n   \n")
    source = LocalStateSource(tmp_path / "state")

    points = source.fetch(query(T0, T0 + timedelta(minutes=5)))

    assert [p.value for p in points] == [1.0, 2.0, 3.0]


def test_null_and_nan_values_are_kept_as_corrupt_points(
    tmp_path: Path, write_lines: WriteLines
) -> None:
    write_lines(
        "a.jsonl",
        raw="\n".join(
            [
                json.dumps(rec(1, None)),
                json.dumps(rec(2, "NaN")),
                json.dumps(rec(3, 2.5)),
                json.dumps(rec(4, True)),
                json.dumps(rec(5, 0)).replace('"value": 0', '"value": NaN'),
            ]
        ),
    )
    source = LocalStateSource(tmp_path / "state")

    values = [p.value for p in source.fetch(query(T0, T0 + timedelta(minutes=5)))]

    assert len(values) == 5
    assert values[0] is None
    assert isinstance(values[1], float) and math.isnan(values[1])
    assert values[2:4] == [2.5, 1.0]
    assert isinstance(values[4], float) and math.isnan(values[4])


def test_files_are_parsed_once_per_instance(tmp_path: Path, write_lines: WriteLines) -> None:
    file = write_lines("a.jsonl", rec(1, 1))
    source = LocalStateSource(tmp_path / "state")
    window = query(T0, T0 + timedelta(minutes=5))
    first = source.fetch(window)

    file.write_text(json.dumps(rec(1, 99)) + "\n" + json.dumps(rec(2, 100)) + "\n")

    assert [p.value for p in source.fetch(window)] == [p.value for p in first] == [1.0]
    assert [p.value for p in LocalStateSource(tmp_path / "state").fetch(window)] == [99.0, 100.0]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "expected a JSON object"),
        (json.dumps({**rec(1), "metric": 3}), "'metric' must be a non-empty string"),
        (json.dumps({**rec(1), "labels": {"a": 1}}), "'labels' must be an object"),
        (json.dumps({**rec(1), "time": "yesterday"}), "bad time 'yesterday'"),
        (json.dumps({**rec(1), "time": "2026-11-20T02:10:00"}), "has no UTC offset"),
        (json.dumps({**rec(1), "value": "lots"}), "'value' must be a number, null or \"NaN\""),
        (json.dumps({k: v for k, v in rec(1).items() if k != "value"}), "'value' is missing"),
        (json.dumps({**rec(1), "valeu": 1}), "unknown key(s) 'valeu'"),
    ],
)
def test_malformed_line_names_file_and_line(
    tmp_path: Path, write_lines: WriteLines, line: str, expected: str
) -> None:
    file = write_lines("sub/a.jsonl", raw=json.dumps(rec(1)) + "\n\n" + line + "\n")
    source = LocalStateSource(tmp_path / "state")

    with pytest.raises(StateDataError) as caught:
        source.fetch(query(T0, T0 + timedelta(minutes=5)))

    assert str(caught.value).startswith(f"{file}:3: ")
    assert expected in str(caught.value)
    assert caught.value.exit_code == 2
    assert isinstance(caught.value, StateSourceError) and isinstance(caught.value, OncallError)


def test_malformed_file_fails_every_query_the_same_way(
    tmp_path: Path, write_lines: WriteLines
) -> None:
    write_lines("a.jsonl", raw="{oops\n")
    source = LocalStateSource(tmp_path / "state")
    queries = [query(T0, T0 + timedelta(minutes=m)) for m in (1, 2)]

    results = fetch_all(source, queries)

    assert set(results) == set(queries)
    errors = list(results.values())
    assert all(isinstance(e, StateDataError) for e in errors)
    assert errors[0] is errors[1]
    assert "a.jsonl:1: not valid JSON" in str(errors[0])


def test_non_utf8_file_is_a_data_error(tmp_path: Path, write_lines: WriteLines) -> None:
    file = write_lines("a.jsonl", raw="")
    file.write_bytes(b'{"metric": "\xff"}\n')

    with pytest.raises(StateDataError, match=r"a\.jsonl: not UTF-8"):
        LocalStateSource(tmp_path / "state").fetch(query(T0, T0))


def test_missing_directory_says_how_to_create_demo_state(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    source = LocalStateSource(missing, name="demo")

    with pytest.raises(StateSourceError) as caught:
        source.fetch(query(T0, T0 + timedelta(minutes=5)))

    message = str(caught.value)
    assert str(missing) in message and "does not exist" in message
    assert "oncall state demo" in message and "'demo'" in message
    assert caught.value.exit_code == 3
    assert not isinstance(caught.value, StateDataError)


def test_a_file_instead_of_a_directory_is_reported(tmp_path: Path) -> None:
    file = tmp_path / "state.jsonl"
    file.write_text(json.dumps(rec(1)) + "\n")

    with pytest.raises(StateSourceError, match="is not a directory"):
        LocalStateSource(file).fetch(query(T0, T0 + timedelta(minutes=5)))


def test_build_source_resolves_relative_path_against_base_dir(
    tmp_path: Path, write_lines: WriteLines
) -> None:
    write_lines("a.jsonl", rec(1, 42))
    config_dir = tmp_path / "config"
    config_dir.mkdir()

    source = build_source("offline", LocalSourceSpec(kind="local", path="../state"), config_dir)

    assert isinstance(source, LocalStateSource)
    assert source.name == "offline"
    assert source.path.resolve() == (tmp_path / "state").resolve()
    assert [p.value for p in source.fetch(query(T0, T0 + timedelta(minutes=1)))] == [42.0]


def test_build_source_keeps_absolute_paths(tmp_path: Path) -> None:
    source = build_source(
        "x", LocalSourceSpec(kind="local", path=str(tmp_path / "abs")), Path("/else")
    )

    assert isinstance(source, LocalStateSource)
    assert source.path == tmp_path / "abs"
