"""The test PostgreSQL servers (tests/support/postgres.py): the session's answers queries; a
private one stops, starts again and is removed; under CI a missing server is a failure."""

from __future__ import annotations

import os
from pathlib import Path

import psycopg
import pytest

from tests.support.postgres import PostgresServer, started_server


def test_the_session_server_answers_a_query(postgres_url: str) -> None:
    assert postgres_url.startswith("postgresql://")
    with psycopg.connect(postgres_url, connect_timeout=10) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)
        assert conn.info.dbname == "oncall"
        conn.execute("CREATE TABLE probe (n integer)")
        conn.execute("INSERT INTO probe VALUES (41), (1)")
        assert conn.execute("SELECT sum(n) FROM probe").fetchone() == (42,)


def test_a_private_server_stops_starts_again_and_is_removed(own_postgres: PostgresServer) -> None:
    with psycopg.connect(own_postgres.url, connect_timeout=10) as conn:
        conn.execute("CREATE TABLE kept (n integer)")
        conn.execute("INSERT INTO kept VALUES (7)")
        owner = conn.execute("SELECT current_setting('data_directory')").fetchone()
    assert owner is not None
    data_dir = Path(owner[0])
    if os.geteuid() == 0:  # PostgreSQL refuses root: the cluster belongs to someone else
        assert data_dir.stat().st_uid != 0
    own_postgres.halt()
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(own_postgres.url, connect_timeout=2)
    own_postgres.resume()
    with psycopg.connect(own_postgres.url, connect_timeout=10) as conn:
        assert conn.execute("SELECT n FROM kept").fetchone() == (7,)
    own_postgres.stop()
    assert not own_postgres.root.exists()
    own_postgres.stop()  # twice is fine (the fixture's teardown does it again)


def test_under_ci_a_missing_server_fails_instead_of_skipping(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("tests.support.postgres.find_bindir", lambda: None)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="required under CI"):
        started_server()
    monkeypatch.setenv("CI", "")
    with pytest.raises(pytest.skip.Exception):
        started_server()
