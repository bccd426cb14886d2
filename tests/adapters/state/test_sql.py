"""``sql`` state sources on real databases: SQLite files and the suite's PostgreSQL server.

Every check kind evaluates query rows as it does metric points; the span arrives as bound
parameters; the transaction is read-only; dates, naive timestamps and NULLs are read as the
docs say.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pydantic import TypeAdapter, ValidationError

from oncall.adapters.state.sql import SqlStateSource, mask_url
from oncall.domain.checks import Check, CheckResult, evaluate_check, required_queries
from oncall.errors import StateSourceError

UTC = ZoneInfo("UTC")
NEW_YORK = ZoneInfo("America/New_York")
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
CHECKS = TypeAdapter(Check)

ROWS_SQL = (
    "SELECT at AS time, value, source FROM batches WHERE at > :start AND at <= :end ORDER BY at"
)


def check(**spec: Any) -> Check:
    return CHECKS.validate_python(spec)


def run(source: SqlStateSource, chk: Check, now: datetime = NOW, tz: ZoneInfo = UTC) -> CheckResult:
    data = {q: source.fetch(q) for q in required_queries(chk, now=now, team_tz=tz)}
    return evaluate_check(chk, now=now, team_tz=tz, data=data)


def hourly_rows(hours: int, value: float | None = 100.0) -> list[tuple[str, float | None, str]]:
    """One batch per hour before NOW (UTC text, as SQLite keeps it), newest first."""
    return [
        ((NOW - timedelta(hours=h, minutes=30)).strftime("%Y-%m-%d %H:%M:%S"), value, "sap")
        for h in range(hours)
    ]


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[tuple[Path, sqlite3.Connection]]:
    path = tmp_path / "wh.db"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE batches (at TEXT, value REAL, source TEXT)")
    yield path, db
    db.close()


def fill(db: sqlite3.Connection, rows: list[tuple[Any, ...]]) -> None:
    db.executemany("INSERT INTO batches VALUES (?, ?, ?)", rows)
    db.commit()


# -- every check kind on SQLite rows ------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "rows", "status"),
    [
        ({"kind": "threshold", "window": "24h", "reduce": "sum", "min": 2000}, 24, "pass"),
        (
            {"kind": "threshold", "window": "24h", "reduce": "sum", "min": 1000, "warn_min": 3000},
            24,
            "warn",
        ),
        ({"kind": "threshold", "window": "24h", "reduce": "sum", "min": 3000}, 24, "fail"),
        ({"kind": "threshold", "window": "24h", "reduce": "sum", "min": 1}, 0, "fail"),
        ({"kind": "freshness", "fail_after": "2h"}, 3, "pass"),
        ({"kind": "freshness", "warn_after": "10m", "fail_after": "2h"}, 3, "warn"),
        ({"kind": "completeness", "window": "24h", "interval": "1h"}, 24, "pass"),
        ({"kind": "completeness", "window": "24h", "interval": "1h"}, 20, "fail"),
        (
            {"kind": "source_up", "group_by": "source", "sources": ["sap"], "fail_after": "2h"},
            3,
            "pass",
        ),
        (
            {
                "kind": "change",
                "window": "24h",
                "period": "1d",
                "reduce": "sum",
                "max_change_pct": 10,
            },
            48,
            "pass",
        ),
    ],
)
def test_each_check_kind_on_sqlite_rows(
    sqlite_db: tuple[Path, sqlite3.Connection], spec: dict[str, Any], rows: int, status: str
) -> None:
    path, db = sqlite_db
    fill(db, hourly_rows(rows))
    source = SqlStateSource.for_sqlite("wh", path)
    result = run(source, check(id="c", query=ROWS_SQL, **spec))
    assert result.status == status, result.detail


def test_null_value_is_corrupt(sqlite_db: tuple[Path, sqlite3.Connection]) -> None:
    path, db = sqlite_db
    fill(db, [*hourly_rows(22), *hourly_rows(2, None)])
    spec = {"kind": "completeness", "window": "24h", "interval": "1h"}
    result = run(SqlStateSource.for_sqlite("wh", path), check(id="c", query=ROWS_SQL, **spec))
    assert result.status == "fail"
    assert "null" in result.detail.lower() or "corrupt" in result.detail.lower(), result.detail


def test_anomaly_sla_and_reconcile_on_sqlite(sqlite_db: tuple[Path, sqlite3.Connection]) -> None:
    path, db = sqlite_db
    days = [(NOW - timedelta(days=d, hours=6)).strftime("%Y-%m-%d %H:%M:%S") for d in range(30)]
    fill(db, [(at, 1000.0 + (i % 3), "agg") for i, at in enumerate(days)])
    source = SqlStateSource.for_sqlite("wh", path)
    daily = "SELECT at AS time, value FROM batches WHERE at > :start AND at <= :end"
    anomaly = check(id="a", kind="anomaly", query=daily, lookback="28d", z_warn=3, z_fail=4)
    assert run(source, anomaly).status == "pass"
    sla = check(id="s", kind="sla", query=daily, deadline="06:00")
    assert run(source, sla).status == "pass"  # 03:00 UTC today
    side = {"query": daily, "reduce": "sum", "window": "26h"}
    same = check(id="r", kind="reconcile", left=side, right=side, tolerance_pct=0.01)
    assert run(source, same).status == "pass"


def test_the_span_arrives_as_parameters(sqlite_db: tuple[Path, sqlite3.Connection]) -> None:
    path, _ = sqlite_db
    source = SqlStateSource.for_sqlite("wh", path)
    sql = "SELECT :end AS time, 1 AS value, :start AS started"
    chk = check(id="p", kind="threshold", query=sql, window="6h", reduce="last", min=0)
    (query,) = required_queries(chk, now=NOW, team_tz=UTC)
    (point,) = source.fetch(query)
    assert point.labels == {"started": "2026-11-20 03:00:00"}
    assert point.time == NOW


def test_a_date_column_is_midnight_in_the_checks_zone_on_a_dst_day(tmp_path: Path) -> None:
    path = tmp_path / "d.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE runs (day TEXT, n INTEGER)")
        db.execute("INSERT INTO runs VALUES ('2026-03-08', 7)")  # spring forward in New York
    source = SqlStateSource.for_sqlite("wh", path)
    chk = check(
        id="d", kind="threshold", query="SELECT day AS time, n AS value FROM runs",
        window="2d", reduce="last", min=1,
    )  # fmt: skip
    now = datetime(2026, 3, 9, 12, 0, tzinfo=NEW_YORK)
    (query,) = required_queries(chk, now=now, team_tz=NEW_YORK)
    (point,) = source.fetch(query)
    assert point.time == datetime(2026, 3, 8, 5, 0, tzinfo=UTC)  # midnight EST, UTC-5
    assert run(source, chk, now, NEW_YORK).status == "pass"


def test_naive_timestamps_are_read_in_the_source_zone(
    sqlite_db: tuple[Path, sqlite3.Connection],
) -> None:
    path, db = sqlite_db
    fill(db, [("2026-11-20 14:00:00", 5.0, "x")])  # 14:00 IST = 08:30 UTC
    source = SqlStateSource.for_sqlite("wh", path, timezone="Asia/Kolkata")
    chk = check(id="n", kind="freshness", query=ROWS_SQL, fail_after="1h")
    (query,) = required_queries(chk, now=NOW, team_tz=UTC)
    (point,) = source.fetch(query)
    assert point.time == datetime(2026, 11, 20, 8, 30, tzinfo=UTC)


def test_a_write_that_got_past_validate_is_refused_by_sqlite(
    sqlite_db: tuple[Path, sqlite3.Connection],
) -> None:
    path, db = sqlite_db
    fill(db, hourly_rows(1))
    source = SqlStateSource.for_sqlite("wh", path)
    chk = check(id="w", kind="threshold", query=ROWS_SQL, window="1h", min=0)
    (query,) = required_queries(chk, now=NOW, team_tz=UTC)
    sneaky = query.__class__(**{**_fields(query), "sql": "UPDATE batches SET value = 0"})
    with pytest.raises(StateSourceError, match=r"read-only|readonly"):
        source.fetch(sneaky)
    assert db.execute("SELECT value FROM batches").fetchone() == (100.0,)


def test_validate_refuses_anything_but_one_select() -> None:
    for sql in (
        "UPDATE batches SET value = 0",
        "SELECT 1; DELETE FROM batches",
        "WITH x AS (DELETE FROM batches RETURNING *) SELECT * FROM x",
        "SELECT * INTO copy FROM batches",
    ):
        with pytest.raises(ValidationError):
            check(id="v", kind="threshold", query=sql, window="1h", min=0)
    ok = "SELECT 'update; drop' AS time, REPLACE(x, 'a', 'b') AS value -- DELETE\nFROM t;"
    assert check(id="v", kind="threshold", query=ok, window="1h", min=0).query == ok


def test_missing_columns_and_missing_file_are_clear(tmp_path: Path) -> None:
    path = tmp_path / "wh.db"
    sqlite3.connect(path).close()
    source = SqlStateSource.for_sqlite("wh", path)
    chk = check(id="m", kind="threshold", query="SELECT 1 AS v", window="1h", min=0)
    (query,) = required_queries(chk, now=NOW, team_tz=UTC)
    with pytest.raises(StateSourceError, match="no 'time' column"):
        source.fetch(query)
    gone = SqlStateSource.for_sqlite("wh", tmp_path / "nope.db")
    with pytest.raises(StateSourceError, match="state source 'wh'"):
        gone.fetch(query)
    assert not (tmp_path / "nope.db").exists()


def test_labels_filter_the_label_columns(sqlite_db: tuple[Path, sqlite3.Connection]) -> None:
    path, db = sqlite_db
    fill(db, [*hourly_rows(24), *[(at, 5.0, "oracle") for at, _, _ in hourly_rows(24)]])
    source = SqlStateSource.for_sqlite("wh", path)
    spec = {"kind": "threshold", "window": "24h", "reduce": "sum", "min": 0}
    found = {
        name: run(source, check(id="l", query=ROWS_SQL, labels=labels, **spec)).value
        for name, labels in (
            ("all", {}),
            ("sap", {"source": "sap"}),
            ("oracle", {"source": "oracle"}),
        )
    }
    assert found == {"all": 2520.0, "sap": 2400.0, "oracle": 120.0}
    none = run(source, check(id="l", query=ROWS_SQL, labels={"source": "db2"}, **spec))
    assert (none.status, none.value) == ("fail", None)


def test_labels_on_a_column_the_query_lacks_name_the_columns(
    sqlite_db: tuple[Path, sqlite3.Connection],
) -> None:
    path, db = sqlite_db
    fill(db, hourly_rows(3))
    source = SqlStateSource.for_sqlite("wh", path)
    chk = check(id="typo", kind="threshold", query=ROWS_SQL, labels={"sorce": "sap"},
                window="6h", min=0)  # fmt: skip
    (query,) = required_queries(chk, now=NOW, team_tz=UTC)
    with pytest.raises(StateSourceError, match=r"'sorce'.*label columns: source"):
        source.fetch(query)


def test_a_text_value_column_is_named_and_text_among_numbers_is_corrupt(
    sqlite_db: tuple[Path, sqlite3.Connection],
) -> None:
    path, db = sqlite_db
    fill(db, hourly_rows(3))
    source = SqlStateSource.for_sqlite("wh", path)
    wrong = "SELECT at AS time, source AS value FROM batches WHERE at > :start AND at <= :end"
    chk = check(id="t", kind="threshold", query=wrong, window="6h", reduce="sum", min=0)
    (query,) = required_queries(chk, now=NOW, team_tz=UTC)
    with pytest.raises(StateSourceError, match=r"returned the value 'sap'.*must be numeric"):
        source.fetch(query)
    fill(db, [(hourly_rows(1)[0][0], "n/a", "sap")])  # SQLite keeps text in a REAL column
    points = source.fetch(replace(query, sql=ROWS_SQL))
    assert sorted(p.value is None for p in points) == [False, False, False, True]


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("SELECT at AS time, value FROM batches WHERE at > @start", r"@start, BigQuery's form"),
        ("SELECT at AS time, value FROM batches WHERE at > :since", r":since, which is not bound"),
    ],
)
def test_parameters_other_than_start_and_end_are_named(
    sqlite_db: tuple[Path, sqlite3.Connection], sql: str, message: str
) -> None:
    path, _ = sqlite_db
    chk = check(id="p", kind="threshold", query=sql, window="6h", min=0)
    (query,) = required_queries(chk, now=NOW, team_tz=UTC)
    with pytest.raises(StateSourceError, match=message):
        SqlStateSource.for_sqlite("wh", path).fetch(query)


def test_casts_quotes_and_comments_are_not_parameters() -> None:
    from oncall.domain.checks.sqltext import compute_parameter_problem

    sql = "SELECT x::timestamp AS time, ':since' AS v, @@x -- @start\nWHERE t > :start"
    assert compute_parameter_problem(sql, ":") is None
    assert compute_parameter_problem("SELECT @start, @end, @@session.x", "@") is None
    assert "BigQuery binds @start" in (compute_parameter_problem("SELECT :start", "@") or "")


def test_mask_url_hides_the_password() -> None:
    assert mask_url("mysql+pymysql://u:s3cret@db:3306/fin") == "mysql+pymysql://u:***@db:3306/fin"
    assert mask_url("sqlite:///x.db") == "sqlite:///x.db"


def _fields(query: Any) -> dict[str, Any]:
    return {name: getattr(query, name) for name in query.__dataclass_fields__}


# -- PostgreSQL (the suite's real server) --------------------------------------------------


@pytest.fixture
def pg_source(postgres_url: str) -> Iterator[tuple[SqlStateSource, Any]]:
    import psycopg

    url = postgres_url.replace("postgresql://", "postgresql+psycopg://", 1)
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS batches")
        conn.execute("CREATE TABLE batches (at timestamptz, value numeric, source text)")
        source = SqlStateSource("fin", url, timeout=5)
        yield source, conn
        source.close()
        conn.execute("DROP TABLE IF EXISTS batches")


def test_postgres_rows_parameters_and_read_only(pg_source: tuple[SqlStateSource, Any]) -> None:
    source, conn = pg_source
    for h in range(24):
        conn.execute(
            "INSERT INTO batches VALUES (%s, %s, 'sap')", (NOW - timedelta(hours=h, minutes=5), 10)
        )
    conn.execute("INSERT INTO batches VALUES (%s, NULL, 'sap')", (NOW - timedelta(minutes=1),))
    spec = {"kind": "threshold", "window": "24h", "reduce": "sum"}
    assert run(source, check(id="t", query=ROWS_SQL, min=200, **spec)).status == "pass"
    assert run(source, check(id="t", query=ROWS_SQL, min=300, **spec)).status == "fail"
    complete = check(id="c", kind="completeness", query=ROWS_SQL, window="24h", interval="1h")
    assert run(source, complete).status == "fail"  # the newest hour holds a NULL: corrupt
    chk = check(
        id="p", kind="threshold", query="SELECT :end AS time, 1 AS value", window="1h", min=0
    )
    (query,) = required_queries(chk, now=NOW, team_tz=UTC)
    assert [p.time for p in source.fetch(query)] == [NOW]
    sneaky = query.__class__(**{**_fields(query), "sql": "DELETE FROM batches"})
    with pytest.raises(StateSourceError, match="read-only"):
        source.fetch(sneaky)
    assert conn.execute("SELECT count(*) FROM batches").fetchone() == (25,)
    source.probe()


def test_postgres_statement_timeout(postgres_url: str) -> None:
    url = postgres_url.replace("postgresql://", "postgresql+psycopg://", 1)
    source = SqlStateSource("fin", url, timeout=0.2)
    chk = check(
        id="slow", kind="threshold", query="SELECT now() AS time, 1 AS value FROM pg_sleep(5)",
        window="1h", min=0,
    )  # fmt: skip
    (query,) = required_queries(chk, now=NOW, team_tz=UTC)
    with pytest.raises(StateSourceError, match=r"did not finish within 0\.2s"):
        source.fetch(query)
    source.close()


@pytest.mark.parametrize(
    ("change", "expected", "secret"),
    [
        (lambda u: u.rsplit("/", 1)[0] + "/nodb", "cannot connect to the database", "pw-Leak1"),
        (
            lambda u: u.replace("@127.0.0.1", ":p@ss:leak3d/x@127.0.0.1"),
            "percent-encoded",
            "leak3d",
        ),
        (lambda u: u.replace("postgresql+psycopg", "postgresql+nodriver"), "driver", "pw-Leak1"),
    ],
)
def test_postgres_connection_problems_are_named_without_the_password(
    postgres_url: str, change: Any, expected: str, secret: str
) -> None:
    url = postgres_url.replace("postgresql://oncall@", "postgresql+psycopg://oncall:pw-Leak1@", 1)
    source = SqlStateSource("fin", change(url), timeout=5, shown_as="$FIN_URL")
    chk = check(id="c", kind="threshold", query=ROWS_SQL, window="1h", min=0)
    (query,) = required_queries(chk, now=NOW, team_tz=UTC)
    with pytest.raises(StateSourceError) as caught:
        source.fetch(query)
    message = str(caught.value)
    assert expected in message and "check the SQL" not in message, message
    assert secret not in message and "$FIN_URL" in message
