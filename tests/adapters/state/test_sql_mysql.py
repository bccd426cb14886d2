"""``sql`` state sources on a real MySQL-protocol server (the suite's MariaDB, PyMySQL).

The span arrives as naive DATETIME parameters in the source's zone, DATETIME columns are read in
it, TIMESTAMP columns come back in it (the session's time_zone), the transaction is read-only
with a statement timeout, and no message shows the password.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pydantic import TypeAdapter

from oncall.adapters.state.sql import SqlStateSource
from oncall.domain.checks import Check, CheckResult, SeriesQuery, evaluate_check, required_queries
from oncall.errors import StateSourceError
from tests.support.mysql import PASSWORD, mysql_url  # noqa: F401  (the session fixture)

UTC = ZoneInfo("UTC")
KOLKATA = ZoneInfo("Asia/Kolkata")
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
ROWS = "SELECT at AS time, value, source FROM batches WHERE at > :start AND at <= :end"


def check(**spec: Any) -> Check:
    return TypeAdapter(Check).validate_python(spec)


def one_query(chk: Check) -> SeriesQuery:
    (query,) = required_queries(chk, now=NOW, team_tz=UTC)
    return query


def run(source: SqlStateSource, chk: Check) -> CheckResult:
    data = {q: source.fetch(q) for q in required_queries(chk, now=NOW, team_tz=UTC)}
    return evaluate_check(chk, now=NOW, team_tz=UTC, data=data)


@pytest.fixture
def db(mysql_url: str) -> Iterator[tuple[str, Any]]:  # noqa: F811
    import pymysql

    conn = pymysql.connect(
        host="127.0.0.1", port=int(mysql_url.rsplit(":", 1)[1].split("/")[0]), user="oncall",
        password=PASSWORD, database="fin", autocommit=True,
    )  # fmt: skip
    with conn.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS batches")
        cur.execute(
            "CREATE TABLE batches (at DATETIME, value DECIMAL(12, 2), source VARCHAR(20), "
            "stamped TIMESTAMP NULL)"
        )
    yield mysql_url, conn
    with conn.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS batches")
    conn.close()


def insert(conn: Any, rows: list[tuple[Any, ...]]) -> None:
    with conn.cursor() as cur:
        cur.executemany("INSERT INTO batches (at, value, source) VALUES (%s, %s, %s)", rows)


def hourly(hours: int, zone: ZoneInfo = UTC, value: float | None = 10.0) -> list[tuple[Any, ...]]:
    """One batch per hour before NOW, as naive DATETIME wall times in ``zone``."""
    at = [(NOW - timedelta(hours=h, minutes=30)).astimezone(zone) for h in range(hours)]
    return [(t.replace(tzinfo=None), value, "sap") for t in at]


def test_check_kinds_on_mysql_rows_with_labels_and_nulls(db: tuple[str, Any]) -> None:
    url, conn = db
    insert(conn, [*hourly(24), *[(t, 1, "oracle") for t, _, _ in hourly(24)]])
    source = SqlStateSource("fin", url, timeout=5)
    spec = {"kind": "threshold", "window": "24h", "reduce": "sum"}
    assert run(source, check(id="t", query=ROWS, min=250, **spec)).status == "pass"  # 264
    sap = run(source, check(id="t", query=ROWS, min=250, labels={"source": "sap"}, **spec))
    assert (sap.status, sap.value) == ("fail", 240.0)
    complete = check(id="c", kind="completeness", query=ROWS, window="24h", interval="1h")
    assert run(source, complete).status == "pass"
    insert(conn, [((NOW - timedelta(minutes=5)).replace(tzinfo=None), None, "sap")])
    assert run(source, complete).status == "fail"  # the NULL is corrupt
    fresh = check(id="f", kind="freshness", query=ROWS, fail_after="1h")
    assert run(source, fresh).status == "pass"
    source.probe()


def test_datetimes_and_bounds_are_in_the_source_zone(db: tuple[str, Any]) -> None:
    url, conn = db
    insert(conn, hourly(3, KOLKATA))  # wall times in Asia/Kolkata
    source = SqlStateSource("fin", url, timeout=5, timezone="Asia/Kolkata")
    chk = check(id="b", kind="threshold", query=f"{ROWS} ORDER BY at", window="6h", min=0)
    points = source.fetch(one_query(chk))
    assert [p.time for p in points] == [NOW - timedelta(hours=h, minutes=30) for h in (2, 1, 0)]
    bounds = "SELECT :end AS time, 1 AS value, CAST(:start AS CHAR) AS started"
    (point,) = source.fetch(one_query(check(id="p", kind="threshold", query=bounds,
                                            window="6h", min=0)))  # fmt: skip
    assert point.labels == {"started": "2026-11-20 08:30:00"}  # 03:00 UTC in Kolkata
    assert point.time == NOW


def test_timestamp_columns_come_back_in_the_source_zone(db: tuple[str, Any]) -> None:
    url, conn = db
    with conn.cursor() as cur:  # stored as an instant: 08:00 UTC
        cur.execute("SET time_zone = '+00:00'")
        cur.execute("INSERT INTO batches VALUES ('2026-11-20 08:00:00', 1, 'x', "
                    "'2026-11-20 08:00:00')")  # fmt: skip
    sql = "SELECT stamped AS time, value FROM batches WHERE stamped > :start AND stamped <= :end"
    chk = check(id="s", kind="freshness", query=sql, fail_after="2h")
    for zone in ("UTC", "Asia/Kolkata"):
        (point,) = SqlStateSource("fin", url, timeout=5, timezone=zone).fetch(one_query(chk))
        assert point.time == datetime(2026, 11, 20, 8, 0, tzinfo=UTC), zone


def test_a_write_is_refused_by_the_read_only_transaction(db: tuple[str, Any]) -> None:
    url, conn = db
    insert(conn, hourly(1))
    query = one_query(check(id="w", kind="threshold", query=ROWS, window="1h", min=0))
    from dataclasses import replace

    with pytest.raises(StateSourceError, match="read-only transaction refused it"):
        SqlStateSource("fin", url, timeout=5).fetch(replace(query, sql="DELETE FROM batches"))
    with conn.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM batches")
        assert cur.fetchone() == (1,)


def test_the_statement_timeout_stops_a_slow_query(db: tuple[str, Any]) -> None:
    url, _ = db
    slow = "SELECT NOW() AS time, SLEEP(5) AS value"
    source = SqlStateSource("fin", url, timeout=0.5)
    message = fetch_error(
        source, check(id="slow", kind="threshold", query=slow, window="1h", min=0)
    )
    assert "did not finish within 0.5s" in message


def test_denied_and_unknown_databases_never_show_the_password(db: tuple[str, Any]) -> None:
    url, _ = db
    chk = check(id="d", kind="threshold", query=ROWS, window="1h", min=0)
    for bad, expected in (
        (url.replace(PASSWORD, "wrong-Pw9"), "access denied"),
        (url.rsplit("/", 1)[0] + "/nodb", "access denied"),
        (re.sub(r":\d+/", ":1/", url), "cannot reach the database"),
    ):
        source = SqlStateSource("fin", bad, timeout=3, shown_as="$FIN_URL")
        message = fetch_error(source, chk)
        assert expected in message and "$FIN_URL" in message, message
        assert PASSWORD not in message and "wrong-Pw9" not in message


def fetch_error(source: SqlStateSource, chk: Check) -> str:
    """The message of the StateSourceError that fetching ``chk``'s query raises."""
    try:
        with pytest.raises(StateSourceError) as caught:
            source.fetch(one_query(chk))
    finally:
        source.close()
    return str(caught.value)
