"""Where the team's store is: ONCALL_STATE_URL, then ONCALL_STATE_DB, then ``store:`` of
config/state.yaml (``url`` or ``url_env``), else the team's own file; first found wins."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Run


def info(oncall: Run, code: int = 0) -> Any:
    result = oncall("store", "info", "--json")
    assert result.exit_code == code, (result.stdout, result.stderr)
    return json.loads(result.stdout) if code == 0 else result


@pytest.fixture
def state_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("ONCALL_STATE_DB", raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg-state"))
    return tmp_path / "xdg-state" / "oncall"


def test_nothing_named_is_the_teams_own_file(oncall: Run, state_home: Path) -> None:
    data = info(oncall)
    assert data["named_by"] == "default" and data["backend"] == "sqlite"
    assert data["where"] == str(state_home / f"{data['team']}.db")


def test_store_only_state_yaml_is_accepted_with_the_default_sources(
    oncall: Run, config_dir: Path, state_home: Path, tmp_path: Path
) -> None:
    db = tmp_path / "elsewhere" / "team.db"
    (config_dir / "state.yaml").write_text(f"store: {{url: 'sqlite:///{db}'}}\n")
    data = info(oncall)
    assert (data["named_by"], data["where"]) == ("state.yaml", str(db))
    assert db.is_file() and db.stat().st_mode & 0o777 == 0o600
    sources = oncall("state", "sources", "--json")
    assert sources.exit_code == 0, sources.stderr
    names = [s["name"] for s in json.loads(sources.stdout)["sources"]]
    assert names == ["default", "warehouse"]
    assert oncall("validate").exit_code == 0


def test_store_url_env_names_the_variable(
    oncall: Run, config_dir: Path, state_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (config_dir / "state.yaml").write_text("store: {url_env: TEAM_STORE_URL}\n")
    unset = info(oncall, code=2)
    assert "TEAM_STORE_URL" in unset.stderr and "not set" in unset.stderr
    monkeypatch.setenv("TEAM_STORE_URL", f"sqlite:///{tmp_path / 'from-env.db'}")
    data = info(oncall)
    assert (data["named_by"], data["where"]) == ("state.yaml", str(tmp_path / "from-env.db"))


def test_a_password_in_state_yaml_is_refused_at_its_line(
    oncall: Run, config_dir: Path, state_home: Path
) -> None:
    (config_dir / "state.yaml").write_text(
        "# the team's store\nstore:\n  url: postgresql://oncall:hunter2@10.1.2.3/oncall\n"
    )
    result = info(oncall, code=2)
    assert "state.yaml:2:" in result.stderr or "state.yaml:3:" in result.stderr, result.stderr
    assert "must not hold a password" in result.stderr and "PGPASSWORD" in result.stderr
    assert "hunter2" not in result.stderr + result.stdout


def test_state_db_beats_state_yaml_and_state_url_beats_both(
    oncall: Run,
    config_dir: Path,
    state_home: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    (config_dir / "state.yaml").write_text(f"store: {{url: 'sqlite:///{tmp_path / 'yaml.db'}'}}\n")
    assert info(oncall)["named_by"] == "state.yaml"
    monkeypatch.setenv("ONCALL_STATE_DB", str(tmp_path / "env.db"))
    data = info(oncall)
    assert (data["named_by"], data["where"]) == ("ONCALL_STATE_DB", str(tmp_path / "env.db"))
    monkeypatch.setenv("ONCALL_STATE_URL", f"sqlite:///{tmp_path / 'url.db'}")
    data = info(oncall)
    assert (data["named_by"], data["where"]) == ("ONCALL_STATE_URL", str(tmp_path / "url.db"))
    assert not (tmp_path / "yaml.db").exists() or data["where"] != str(tmp_path / "yaml.db")


def test_state_url_reaches_postgresql_with_the_password_masked(
    oncall: Run, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The test server trusts its user; the password only has to stay out of every output.
    with_password = postgres_url.replace("://oncall@", "://oncall:s3cretPW@", 1)
    monkeypatch.setenv("ONCALL_STATE_URL", with_password)
    result = oncall("store", "info", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["backend"] == "postgresql" and data["named_by"] == "ONCALL_STATE_URL"
    assert data["where"] == postgres_url.replace("://oncall@", "://oncall:***@", 1)
    assert data["schema_version"] >= 1
    text = oncall("store", "info")
    assert "s3cretPW" not in result.stdout + result.stderr + text.stdout + text.stderr


def test_an_unreachable_postgresql_server_exits_3_saying_what_to_check(
    oncall: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.support.mailbox import free_port

    monkeypatch.setenv("ONCALL_STATE_URL", f"postgresql://oncall:pw@127.0.0.1:{free_port()}/x")
    result = oncall("store", "info")
    assert result.exit_code == 3
    assert "cannot reach the PostgreSQL store" in result.stderr and "PGPASSWORD" in result.stderr
    assert "Traceback" not in result.stderr and ":pw@" not in result.stderr
