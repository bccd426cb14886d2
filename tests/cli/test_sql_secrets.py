"""A ``sql`` source's URL comes from an environment variable and is never shown.

``check --json``, ``runbook --dry-run`` (table and ``--json``) and ``doctor --json`` against the
suite's real MariaDB, whose user has a password: right, wrong, or a URL too broken to parse
(whose parser would quote a piece of it). Output and the run records name ``$ONCALL_FIN_URL``.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
from pathlib import Path

import pytest
import yaml

from tests.conftest import Run
from tests.support.mysql import PASSWORD, mysql_url  # noqa: F401  (the session fixture)

T = "2026-11-20T09:00"
ENV = "ONCALL_FIN_URL"
FIN_CHECK = {
    "id": "fin-rows",
    "kind": "threshold",
    "source": "fin",
    "query": "SELECT NOW() AS time, 1 AS value FROM DUAL WHERE :start < :end",
    "window": "24h",
    "min": 0,
}


@pytest.fixture
def fin_project(oncall: Run, project: Path) -> Path:
    (project / "config" / "paging.yaml").unlink(missing_ok=True)
    assert oncall("state", "demo", "--now", T).exit_code == 0
    (project / "config" / "state.yaml").write_text(
        "sources:\n  default: {kind: local, path: ../state}\n"
        "  warehouse: {kind: sql, path: ../state/warehouse.db}\n"
        f"  fin: {{kind: sql, url_env: {ENV}, timeout: 5s}}\n"
    )
    path = project / "runbooks" / "profit.yaml"
    runbook = yaml.safe_load(path.read_text())
    runbook["steps"][0]["checks"].append(FIN_CHECK)
    path.write_text(yaml.safe_dump(runbook, sort_keys=False))
    return project


def outputs(oncall: Run, url: str) -> dict[str, tuple[int, str]]:
    env = {ENV: url}
    runs = {
        "check --json": ("check", "aggregate-profit", "--now", T, "--json"),
        "runbook --dry-run": ("runbook", "profit", "--yes", "--dry-run", "--now", T),
        "runbook --dry-run --json": ("runbook", "profit", "--yes", "--dry-run", "--now", T,
                                     "--json"),
        "doctor --json": ("doctor", "--json"),
    }  # fmt: skip
    found = {}
    for name, args in runs.items():
        result = oncall(*args, env=env)
        found[name] = (result.exit_code, result.stdout + result.stderr)
    return found


def fin_detail(text: str) -> str:
    data = json.loads(text[text.index("{") :])
    checks = [c for p in data["pipelines"] for c in p["checks"]]
    return next(c["detail"] for c in checks if c["id"] == "fin-rows")


def test_the_password_is_never_shown(
    oncall: Run,
    fin_project: Path,
    mysql_url: str,  # noqa: F811
) -> None:
    wrong = mysql_url.replace(PASSWORD, "Wr0ng-pw-x")
    broken = mysql_url.replace(f":{PASSWORD}@", ":p@ss:leak3d/x@")
    for url, secrets, code in (
        (mysql_url, [PASSWORD], None),
        (wrong, [PASSWORD, "Wr0ng-pw-x"], 3),
        (broken, ["leak3d", "p@ss"], 3),
    ):
        for name, (exit_code, text) in outputs(oncall, url).items():
            for secret in secrets:
                assert secret not in text, (name, secret)
            if name == "check --json":
                assert code is None or exit_code == code, (name, text)
                detail = fin_detail(text)
                assert code is None or f"${ENV}" in detail, detail


def test_the_records_of_dry_runs_hold_no_password(
    oncall: Run,
    fin_project: Path,
    mysql_url: str,  # noqa: F811
) -> None:
    wrong = mysql_url.replace(PASSWORD, "Wr0ng-pw-x")
    result = oncall("runbook", "profit", "--yes", "--dry-run", "--now", T, env={ENV: wrong})
    assert result.exit_code == 3, result.stdout
    run_id = re.search(r"r-[0-9a-f]+", result.stdout)
    assert run_id, result.stdout
    shown = oncall("runbook", "show", run_id.group(), "--json")
    assert shown.exit_code == 0, shown.stdout
    assert "access denied" in shown.stdout and f"${ENV}" in shown.stdout
    assert "Wr0ng-pw-x" not in shown.stdout and PASSWORD not in shown.stdout
    with sqlite3.connect(os.environ["ONCALL_STATE_DB"]) as db:  # the store, every table
        dump = "\n".join(db.iterdump())
    assert "access denied" in dump and "Wr0ng-pw-x" not in dump and PASSWORD not in dump
