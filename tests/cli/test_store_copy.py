"""``oncall store copy --to URL`` (SQLite to PostgreSQL and back) and ``oncall store migrate``;
a missing PostgreSQL driver says how to install it."""

from __future__ import annotations

import json
import sys
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from oncall.adapters.store import SCHEMA_VERSION, StoreLocation, open_store, same_store
from tests.adapters.store.sample import NOW, make_page
from tests.conftest import Run
from tests.support.store import open_cli_store


def run_json(oncall: Run, *args: str, code: int = 0) -> Any:
    result = oncall(*args, "--json")
    assert result.exit_code == code, (result.stdout, result.stderr)
    return json.loads(result.stdout)


@pytest.fixture
def team(config_dir: Path) -> str:
    """A team id of this test only: the session's PostgreSQL server is shared."""
    team_id = f"copy-{uuid.uuid4().hex[:10]}"
    owners = config_dir / "owners.yaml"
    owners.write_text(owners.read_text().replace("team:\n", f"team:\n  id: {team_id}\n", 1))
    return team_id


def fill(runs: int = 2, pages: int = 3) -> None:
    """The team's SQLite store: finished runs with steps and notes, pages with deliveries."""
    with open_cli_store() as store:
        for n in range(runs):
            run = store.start_run(runbook="profit", pipeline="aggregate-profit", operator="de1",
                                  started=NOW + timedelta(minutes=n))  # fmt: skip
            store.record_step(run.run_id, "freshness", status="passed", title="Fresh?",
                              checks=[{"name": "lag", "status": "pass"}], note=None,
                              finished=NOW + timedelta(minutes=n, seconds=30))  # fmt: skip
            store.add_note(run.run_id, None, f"note {n}", NOW + timedelta(minutes=n, seconds=40))
            store.finish_run(run.run_id, "passed", NOW + timedelta(minutes=n, seconds=50))
        for n in range(pages):
            page, _ = store.create_page_if_absent(make_page(f"k{n}", created=NOW))
            store.record_delivery(page.page_id, 0, "slack", "de1", "sent", 1, None, NOW)
        store.enqueue(page.page_id, 0, ["email"], NOW, NOW)


def snapshot(where: str | Path, team: str) -> tuple[Any, ...]:
    with open_store(where, team=team) as store:
        runs = sorted((r.run_id, r.status, len(r.steps), len(store.events(r.run_id)))
                      for r in store.list_runs(limit=1000))  # fmt: skip
        pages = sorted((p.page_id, p.dedup_key, p.status, len(store.list_deliveries(p.page_id)))
                       for p in store.list_pages(limit=1000))  # fmt: skip
        return runs, pages, len(store.outbox_items())


def test_copy_to_postgresql_and_back_is_idempotent_and_keeps_the_source(
    oncall: Run, team: str, postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fill()
    source = Path(run_json(oncall, "store", "info")["where"])
    before = snapshot(source, team)
    assert len(before[0]) == 2 and len(before[1]) == 3 and before[2] == 1

    first = run_json(oncall, "store", "copy", "--to", postgres_url)
    assert (first["copied_runs"], first["copied_pages"]) == (2, 3)
    assert first["destination_counts"] == first["source_counts"]
    assert first["destination_counts"] == {"runs": 2, "pages": 3, "queued": 1}
    again = run_json(oncall, "store", "copy", "--to", postgres_url)
    assert (again["copied_runs"], again["copied_pages"]) == (0, 0)
    assert again["destination_counts"] == {"runs": 2, "pages": 3, "queued": 1}
    assert snapshot(postgres_url, team) == before == snapshot(source, team)  # source kept

    monkeypatch.setenv("ONCALL_STATE_URL", postgres_url)
    shown = run_json(oncall, "store", "info")
    assert (shown["backend"], shown["team"]) == ("postgresql", team)
    assert shown["counts"] == {"runs": 2, "pages": 3, "queued": 1}
    back = tmp_path / "back" / "team.db"
    home = run_json(oncall, "store", "copy", "--to", f"sqlite:///{back}")
    assert (home["copied_runs"], home["copied_pages"]) == (2, 3)
    assert snapshot(back, team) == before
    text = oncall("store", "copy", "--to", f"sqlite:///{back}")
    assert text.exit_code == 0 and "copied 0 run(s) and 0 page(s)" in text.stdout


def test_copying_to_the_store_in_use_is_refused_however_it_is_spelt(
    oncall: Run, team: str, postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fill(runs=0, pages=1)
    where = Path(run_json(oncall, "store", "info")["where"])
    link = tmp_path / "link"
    link.symlink_to(where.parent)
    monkeypatch.chdir(where.parent)
    for spelling in (f"sqlite:///{link / where.name}", where.name, f"sqlite:////{where}"):
        refused = oncall("store", "copy", "--to", spelling)
        assert refused.exit_code == 2, (spelling, refused.stdout, refused.stderr)
        assert "is the store in use" in refused.stderr
    assert snapshot(where, team)[1][0][3] == 1  # nothing doubled

    monkeypatch.setenv("ONCALL_STATE_URL", postgres_url)
    oncall("store", "migrate")
    respelt = postgres_url.replace("postgresql://", "postgres://").replace("127.0.0.1", "localhost")
    for spelling in (respelt + "?sslmode=disable&application_name=x", respelt):
        refused = oncall("store", "copy", "--to", spelling)
        assert refused.exit_code == 2 and "is the store in use" in refused.stderr, spelling


def test_same_store_compares_servers_and_files(tmp_path: Path) -> None:
    pg = StoreLocation("a", url="postgresql://u@db.internal:5433/oncall")
    assert same_store(pg, StoreLocation("b", url="postgres://other@db.internal:5433/oncall"))
    assert not same_store(pg, StoreLocation("b", url="postgresql://u@db.internal:5433/other"))
    assert not same_store(pg, StoreLocation("b", url="postgresql://u@db.internal/oncall"))
    proxy = "postgresql://u@/oncall?host=/cloudsql/p:r:i"
    assert same_store(StoreLocation("a", url=proxy), StoreLocation("b", url=proxy + "&x=1"))
    assert not same_store(StoreLocation("a", url=proxy), pg)
    assert not same_store(pg, StoreLocation("c", path=tmp_path / "x.db"))
    assert same_store(
        StoreLocation("c", path=tmp_path / "x.db"), StoreLocation("d", path=tmp_path / "." / "x.db")
    )


def test_migrate_brings_a_new_store_to_the_current_version(
    oncall: Run, team: str, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    done = oncall("store", "migrate")
    assert done.exit_code == 0 and f"schema version {SCHEMA_VERSION}, up to date" in done.stdout
    monkeypatch.setenv("ONCALL_STATE_URL", postgres_url)
    done = oncall("store", "migrate")
    assert done.exit_code == 0, done.stderr
    assert "postgresql://oncall@127.0.0.1:" in done.stdout and "up to date" in done.stdout
    assert run_json(oncall, "store", "info")["schema_version"] >= 1


def test_a_missing_postgresql_driver_says_how_to_install_it(
    oncall: Run, config_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # import psycopg now raises ImportError
    monkeypatch.setenv("ONCALL_STATE_URL", "postgresql://oncall:pw@127.0.0.1:1/oncall")
    result = oncall("store", "info")
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert "pip install 'oncall-cli[postgres]'" in result.stderr
    assert "Traceback" not in result.stderr and ":pw@" not in result.stderr
