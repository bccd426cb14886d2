"""The session's PostgreSQL server (tests/support/postgres.py) answers queries."""

from __future__ import annotations

import psycopg


def test_the_session_server_answers_a_query(postgres_url: str) -> None:
    assert postgres_url.startswith("postgresql://")
    with psycopg.connect(postgres_url, connect_timeout=10) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)
        assert conn.info.dbname == "oncall"
        conn.execute("CREATE TABLE probe (n integer)")
        conn.execute("INSERT INTO probe VALUES (41), (1)")
        assert conn.execute("SELECT sum(n) FROM probe").fetchone() == (42,)
