"""``oncall store``; two teams on one machine with no store named keep apart; the spool."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from oncall.adapters.store import open_store
from oncall.adapters.store.spool import Spool
from tests.adapters.store.sample import NOW, make_page
from tests.conftest import Run


@pytest.fixture
def state_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("ONCALL_STATE_DB", raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg-state"))
    return tmp_path / "xdg-state" / "oncall"


def test_two_teams_get_their_own_default_store(
    oncall: Run, project: Path, state_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = json.loads(oncall("store", "info", "--json").stdout)
    other = project.parent / "newteam"
    shutil.copytree(project, other)
    owners = other / "config" / "owners.yaml"
    owners.write_text(owners.read_text().replace("team:\n", "team:\n  id: newteam\n", 1))
    monkeypatch.setenv("ONCALL_CONFIG_DIR", str(other / "config"))
    second = json.loads(oncall("store", "info", "--json").stdout)
    assert second["team"] == "newteam" != first["team"]
    assert first["backend"] == second["backend"] == "sqlite"
    assert first["where"] == str(state_home / f"{first['team']}.db")
    assert second["where"] == str(state_home / "newteam.db")
    assert (state_home / "newteam.db").stat().st_mode & 0o777 == 0o600
    with open_store(Path(first["where"]), team=first["team"]) as mine:
        mine.create_page_if_absent(make_page())
    assert json.loads(oncall("store", "info", "--json").stdout)["counts"]["pages"] == 0


def test_legacy_shared_file_records_move_once_to_their_team(oncall: Run, state_home: Path) -> None:
    with open_store(state_home / "oncall.db") as legacy:  # before teams: team ''
        legacy.create_page_if_absent(make_page(pipeline="aggregate-profit"))
        legacy.create_page_if_absent(make_page("other:key", pipeline="not-ours", target="x"))
    done = oncall("store", "info", "--json")
    assert json.loads(done.stdout)["counts"]["pages"] == 1
    assert "moved 0 run(s) and 1 page(s)" in done.stderr
    again = oncall("store", "info", "--json")
    assert json.loads(again.stdout)["counts"]["pages"] == 1 and "moved" not in again.stderr
    with open_store(state_home / "oncall.db") as legacy:
        assert [p.dedup_key for p in legacy.list_pages()] == ["other:key"]


def test_spool_is_written_back_once(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "spool.jsonl")
    with open_store(tmp_path / "scratch.db", team="a") as scratch:
        page, _ = scratch.create_page_if_absent(make_page())
        delivery = scratch.record_delivery(page.page_id, 0, "slack", "de1", "sent", 1, None, NOW)
        item = scratch.enqueue(page.page_id, 0, ["email"], NOW, NOW)
    spool.append(page, [delivery], [item])
    assert spool.path.stat().st_mode & 0o777 == 0o600
    with open_store(tmp_path / "team.db", team="a") as store:
        assert spool.write_back(store) == 1
        assert not spool.pending()
        assert store.get_page(page.page_id) == page
        [back] = store.list_deliveries(page.page_id)
        assert (back.channel, back.status) == ("slack", "sent")
        assert [i.channels for i in store.outbox_items()] == [("email",)]
        spool.append(page, [delivery], [item])  # written twice: stored once
        assert spool.write_back(store) == 0 and len(store.list_deliveries(page.page_id)) == 1
