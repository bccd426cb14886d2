"""``bigquery`` state sources: the real client against a local REST server on 127.0.0.1."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pydantic import TypeAdapter

from oncall.adapters.state.bigquery import BigQuerySource
from oncall.adapters.state.sql import SqlStateSource
from oncall.domain.checks import Check, evaluate_check, required_queries
from oncall.errors import StateSourceError
from oncall.services.runbook.engine import CheckEngine
from tests.support.bigquery_server import BigQueryServer, serve

UTC = ZoneInfo("UTC")
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
SQL = (
    "SELECT TIMESTAMP_TRUNC(loaded_at, HOUR) AS time, COUNT(*) AS value FROM finance.profit_raw "
    "WHERE loaded_at >= @start AND loaded_at < @end GROUP BY time"
)
CHECK: Check = TypeAdapter(Check).validate_python(
    {"id": "profit-raw-rows", "kind": "threshold", "source": "warehouse", "query": SQL,
     "window": "24h", "reduce": "sum", "min": 500}
)  # fmt: skip


@pytest.fixture
def bq() -> Iterator[tuple[BigQueryServer, str]]:
    server = BigQueryServer()
    server.rows = [(NOW - timedelta(hours=h), 100.0) for h in range(1, 8)]
    for endpoint in serve(server):
        yield server, endpoint


def source(endpoint: str, **kw: Any) -> BigQuerySource:
    options: dict[str, Any] = {"location": "asia-south1", "maximum_bytes_billed": 2_000_000_000}
    options.update(kw)
    return BigQuerySource(
        "warehouse", "my-gcp-project", endpoint=endpoint, insecure=True, **options
    )


def planned() -> Any:
    (query,) = required_queries(CHECK, now=NOW, team_tz=UTC)
    from dataclasses import replace

    return replace(query, origin=("profit", CHECK.id))


def test_query_with_dry_run_parameters_labels_and_paging(bq: tuple[BigQueryServer, str]) -> None:
    server, endpoint = bq
    src = source(endpoint)
    points = src.fetch(planned())
    assert [p.value for p in points] == [100.0] * 7
    assert points[-1].time == NOW - timedelta(hours=1)
    (dry,) = server.calls("dry-run")
    (run,) = server.calls("query")
    pages = server.calls("results")
    assert len(pages) == 3  # 7 rows, 2 a page: the first page came with jobs.query
    assert [p.query["pageToken"] for p in pages] == [["2"], ["4"], ["6"]]
    for body in (dry.body["configuration"]["query"], run.body):
        assert body["query"] == SQL
        params = {p["name"]: p["parameterValue"]["value"] for p in body["queryParameters"]}
        assert set(params) == {"start", "end"}
        assert params["end"].startswith("2026-11-20 09:00:00")
        assert params["start"].startswith("2026-11-19 09:00:00")
        assert all(p["parameterType"]["type"] == "TIMESTAMP" for p in body["queryParameters"])
        assert body["maximumBytesBilled"] == "2000000000"
        assert body["useLegacySql"] is False
    assert dry.body["configuration"]["dryRun"] is True
    assert run.body["labels"] == {"app": "oncall", "runbook": "profit", "check": "profit-raw-rows"}
    assert run.body["location"] == "asia-south1"
    src.close()


def test_a_dry_run_over_the_limit_runs_nothing(bq: tuple[BigQueryServer, str]) -> None:
    server, endpoint = bq
    server.bytes_processed = 5_000_000_000
    with pytest.raises(StateSourceError, match=r"would scan 5,000,000,000 bytes.*nothing was run"):
        source(endpoint).fetch(planned())
    assert server.calls("query") == []


@pytest.mark.parametrize(
    ("status", "reason", "expected"),
    [
        (403, "accessDenied", "access denied .*roles/bigquery.jobUser"),
        (404, "notFound", "not found .*project id 'my-gcp-project'"),
        (400, "bytesBilledLimitExceeded", "would bill more than maximum_bytes_billed"),
    ],
)
def test_errors_say_what_to_do(
    bq: tuple[BigQueryServer, str], status: int, reason: str, expected: str
) -> None:
    server, endpoint = bq
    server.fail_with(status, reason, f"{reason}: denied by the test")
    with pytest.raises(StateSourceError, match=expected) as info:
        source(endpoint).fetch(planned())
    assert str(info.value).startswith("state source 'warehouse' (BigQuery")


def test_a_timeout_is_an_error_within_the_bound(bq: tuple[BigQueryServer, str]) -> None:
    server, endpoint = bq
    server.block()
    with pytest.raises(StateSourceError, match=r"no answer from http://127.0.0.1:\d+ within 0.3s"):
        source(endpoint, timeout=0.3).fetch(planned())


def test_insecure_needs_a_loopback_endpoint() -> None:
    with pytest.raises(ValueError, match="loopback"):
        BigQuerySource("w", "p", endpoint="http://10.0.0.1:9050", insecure=True)


class Named:
    """The engine's view of the configured sources: by name."""

    def __init__(self, **sources: Any) -> None:
        self.sources = sources

    def get(self, name: str) -> Any:
        return self.sources[name]


def test_cross_source_reconcile_sqlite_against_bigquery(
    bq: tuple[BigQueryServer, str], tmp_path: Path
) -> None:
    server, endpoint = bq
    server.columns = [("time", "TIMESTAMP"), ("value", "NUMERIC")]
    server.rows = [(NOW - timedelta(hours=2), "1000.50")]  # the BigQuery aggregate
    path = tmp_path / "finance.db"  # stands in for the MySQL unit-level rows
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE unit_profit (at TEXT, unit TEXT, amount REAL)")
        db.executemany(
            "INSERT INTO unit_profit VALUES ('2026-11-20 06:00:00', ?, ?)",
            [("na", 600.25), ("emea", 400.25)],
        )
    spec = {
        "id": "profit-adds-up",
        "kind": "reconcile",
        "left": {"source": "warehouse", "query": "SELECT 1 AS time, 2 AS value", "reduce": "sum",
                 "window": "26h"},
        "right": {"source": "finance-db", "reduce": "sum", "window": "26h", "query":
                  "SELECT at AS time, amount AS value, unit FROM unit_profit "
                  "WHERE at > :start AND at <= :end"},
        "tolerance_pct": 0.01,
    }  # fmt: skip
    check: Check = TypeAdapter(Check).validate_python(spec)
    sources = Named(
        warehouse=source(endpoint), **{"finance-db": SqlStateSource.for_sqlite("f", path)}
    )
    engine = CheckEngine(sources, "default", UTC, runbook="profit")  # type: ignore[arg-type]
    (result,) = engine.run([check], NOW)
    assert result.status == "pass", result.detail
    assert "the left query on warehouse is 1,000," in result.detail and result.value == 0.0
    assert "the right query on finance-db is 1,000:" in result.detail
    server.rows = [(NOW - timedelta(hours=2), "1100")]
    again = CheckEngine(sources, "default", UTC, runbook="profit")  # type: ignore[arg-type]
    (failed,) = again.run([check], NOW)
    assert failed.status == "fail"
    assert evaluate_check(check, now=NOW, team_tz=UTC, data={}).status == "fail"


def test_sql_source_parameters_are_named_before_any_request(
    bq: tuple[BigQueryServer, str],
) -> None:
    server, endpoint = bq
    from dataclasses import replace

    query = replace(planned(), sql="SELECT t AS time, v AS value FROM x WHERE t > :start")
    with pytest.raises(
        StateSourceError, match=r":start, a sql source's form: BigQuery binds @start"
    ):
        source(endpoint).fetch(query)
    assert server.requests == []


def test_labels_filter_bigquery_label_columns(bq: tuple[BigQueryServer, str]) -> None:
    server, endpoint = bq
    server.columns = [("time", "TIMESTAMP"), ("value", "FLOAT"), ("unit", "STRING")]
    server.rows = [
        (NOW - timedelta(hours=h), 100.0, "na" if h % 2 else "emea") for h in range(1, 7)
    ]
    from dataclasses import replace

    src = source(endpoint)
    assert [p.labels["unit"] for p in src.fetch(replace(planned(), labels=(("unit", "na"),)))] == [
        "na"
    ] * 3
    with pytest.raises(StateSourceError, match=r"'region'.*label columns: unit"):
        src.fetch(replace(planned(), labels=(("region", "na"),)))
