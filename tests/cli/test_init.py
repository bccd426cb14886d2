"""``oncall init``: a new team's project that validates, from flags or prompts."""

from __future__ import annotations

import json
import os
import sys
from datetime import date
from pathlib import Path

import jsonschema
import pytest
import yaml
from typer.testing import CliRunner, Result

from oncall.cli import app
from oncall.config.schema import SCHEMA_FILES, compute_schema, schema_comment
from tests.conftest import REPO

YAML_FILES = {
    "config/owners.yaml": "owners",
    "config/rotation.yaml": "rotation",
    "config/state.yaml": "state",
    "config/paging.yaml": "paging",
    "runbooks/example.yaml": "runbook",
}
FLAGS = (
    "--team",
    "Data Engineering",
    "--timezone",
    "Asia/Kolkata",
    "--country",
    "in",
    "--subdiv",
    "MH",
    "--member",
    "de1=Asha: Lead",
    "--member",
    "de2",
    "--member",
    "no",
)


def run(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(app, list(args), input=input, catch_exceptions=False)


def all_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_flags_give_a_project_that_validates(tmp_path: Path) -> None:
    root = tmp_path / "team"
    result = run("init", str(root), *FLAGS, "--yes")
    assert result.exit_code == 0, result.stderr
    config = root / "config"
    check = run("--config-dir", str(config), "validate", "--json")
    assert check.exit_code == 0, check.stdout
    assert json.loads(check.stdout)["errors"] == 0
    owners = yaml.safe_load((config / "owners.yaml").read_text())
    assert owners["team"] == {
        "name": "Data Engineering",
        "timezone": "Asia/Kolkata",
        "holidays": {"country": "IN", "subdiv": "MH"},
        "company_holidays": [],
    }
    assert owners["people"]["de1"]["name"] == "Asha: Lead"
    assert "no" in owners["people"]  # quoted: YAML 1.1 would read a bare no as false
    rotation = yaml.safe_load((config / "rotation.yaml").read_text())
    entry = rotation["rotations"]["primary"]
    assert entry["members"] == ["de1", "de2", "no"]
    assert entry["start"].weekday() == 0 and entry["start"] <= date.today()
    show = run("--config-dir", str(config), "runbook", "show", "example")
    assert show.exit_code == 0, show.stderr
    assert "ingest-fresh" in show.stdout
    # The local state source state.yaml names exists, so `doctor` does not fail on it.
    assert (root / "state").is_dir()


def test_every_yaml_file_names_its_schema_and_matches_it(tmp_path: Path) -> None:
    root = tmp_path / "team"
    assert run("init", str(root), "--yes").exit_code == 0
    for rel, name in YAML_FILES.items():
        text = (root / rel).read_text()
        assert text.splitlines()[0] == schema_comment(name), rel
        schema_file = (root / rel).parent / text.splitlines()[0].split("$schema=")[1]
        assert json.loads(schema_file.read_text()) == compute_schema(name)
        data = json.loads(json.dumps(yaml.safe_load(text), default=str))
        jsonschema.validate(data, compute_schema(name))
    written = sorted(p.name for p in (root / "schemas").iterdir())
    assert written == sorted(f"{n}.schema.json" for n in SCHEMA_FILES)
    for name in written:  # the same files the project ships
        assert (root / "schemas" / name).read_text() == (REPO / "schemas" / name).read_text()


def test_defaults_without_a_terminal(tmp_path: Path) -> None:
    root = tmp_path / "payments"
    result = run("init", str(root), "--json")  # CliRunner's stdin is not a TTY: no prompts
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["team"] == "payments"
    assert report["timezone"] == "UTC" and report["country"] is None
    assert report["members"] == ["alice", "bob"]
    assert sorted(report["files"]) == [str(p) for p in all_files(root)]
    assert run("--config-dir", str(root / "config"), "validate").exit_code == 0


def test_refuses_to_overwrite_and_writes_nothing(tmp_path: Path) -> None:
    root = tmp_path / "team"
    (root / "runbooks").mkdir(parents=True)
    (root / "runbooks" / "example.yaml").write_text("mine\n")
    result = run("init", str(root), "--yes")
    assert result.exit_code == 2
    assert "refusing to overwrite" in result.stderr
    assert str(root / "runbooks" / "example.yaml") in result.stderr
    assert all_files(root) == [root / "runbooks" / "example.yaml"]
    assert (root / "runbooks" / "example.yaml").read_text() == "mine\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--timezone", "Asia/Kolkatta"), "did you mean 'Asia/Kolkata'?"),
        (("--country", "XX"), "--country:"),
        (("--country", "IN", "--subdiv", "XX"), "--subdiv:"),
        (("--subdiv", "MH"), "--subdiv needs --country"),
        (("--member", "de1"), "at least two members"),
        (("--member", "de1", "--member", "de1"), "given twice"),
        (("--member", "De 1", "--member", "de2"), "bad member id"),
        (("--team", "  "), "must not be empty"),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, tuple) else v,
)
def test_bad_input_is_refused_before_writing(
    tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    root = tmp_path / "team"
    result = run("init", str(root), *args, "--yes")
    assert result.exit_code == 2
    assert message in result.stderr
    assert not root.exists()


def test_prompts_on_a_terminal(tmp_path: Path) -> None:
    pexpect = pytest.importorskip("pexpect")
    root = tmp_path / "team"
    child = pexpect.spawn(
        sys.executable,
        ["-m", "oncall", "init", str(root)],
        env={**os.environ, "NO_COLOR": "1"},
        encoding="utf-8",
        timeout=60,
    )
    child.expect("Team name")
    child.sendline("Data Engineering")
    child.expect(r"Timezone \(IANA name\)")
    child.sendline("Asia/Kolkatta")
    child.expect("did you mean 'Asia/Kolkata'")
    child.expect(r"Timezone \(IANA name\)")
    child.sendline("Asia/Kolkata")
    child.expect("Holiday country")
    child.sendline("IN")
    child.expect("Holiday subdivision of IN")
    child.sendline("KA")
    child.expect("Members")
    child.sendline("de1=Data Engineer 1, de2, de3")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    owners = yaml.safe_load((root / "config" / "owners.yaml").read_text())
    assert owners["team"]["name"] == "Data Engineering"
    assert owners["team"]["holidays"] == {"country": "IN", "subdiv": "KA"}
    assert list(owners["people"]) == ["de1", "de2", "de3"]
    assert owners["people"]["de1"]["name"] == "Data Engineer 1"
    assert run("--config-dir", str(root / "config"), "validate").exit_code == 0
