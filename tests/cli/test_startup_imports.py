"""Start-up cost: commands that do not need a heavy module never import it.

Each case runs ``oncall.cli.main([...])`` in a fresh interpreter and reports which of the
watched modules ended up in ``sys.modules``.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.timeout(120)

PROBE = """
import json, sys
from oncall.cli import main
code = main(json.loads(sys.argv[1]))
watched = ("google.cloud", "grpc", "holidays", "rich", "sqlalchemy")
loaded = sorted(w for w in watched if any(m == w or m.startswith(w + ".") for m in sys.modules))
with open(sys.argv[2], "w") as out:
    json.dump({"code": code, "loaded": loaded}, out)
"""


def loaded_after(args: list[str], tmp_path: Path, cwd: Path, *, any_exit: bool = False) -> set[str]:
    """The modules loaded by ``oncall ARGS``; with ``any_exit`` the command may fail."""
    report = tmp_path / "report.json"
    probe = PROBE.replace("code = main", "code = 0; main") if any_exit else PROBE
    done = subprocess.run(
        [sys.executable, "-c", probe, json.dumps(args), str(report)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(report.read_text())
    assert data["code"] == 0, (args, done.stdout, done.stderr)
    return set(data["loaded"])


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["who", "--at", "2026-03-02T10:00"],
        ["runbook", "list"],
        ["runbook", "show", "profit"],
        ["runbook", "--help"],
        ["check", "--help"],
    ],
    ids=" ".join,
)
def test_no_monitoring_client(args: list[str], config_dir: Path, tmp_path: Path) -> None:
    loaded = loaded_after(args, tmp_path, config_dir.parent)
    assert "google.cloud" not in loaded
    assert "grpc" not in loaded
    assert "sqlalchemy" not in loaded  # the runbooks' SQL checks: only when one is queried


def test_sqlalchemy_is_loaded_when_a_sql_source_is_queried(
    config_dir: Path, tmp_path: Path
) -> None:
    (config_dir.parent / "state").mkdir()
    sqlite3.connect(config_dir.parent / "state" / "warehouse.db").close()  # no tables: errors
    check = ["check", "aggregate-profit", "--now", "2026-11-20T09:00", "--json"]
    assert "sqlalchemy" in loaded_after(check, tmp_path, config_dir.parent, any_exit=True)


def test_monitoring_client_is_loaded_when_queried(config_dir: Path, tmp_path: Path) -> None:
    # The probe itself: the same process does load google.cloud once a source is queried.
    (config_dir / "state.yaml").write_text(
        "sources:\n  default: {kind: cloud-monitoring, project: p, endpoint: '127.0.0.1:9',"
        " insecure: true, timeout: 1s}\n"
        "  warehouse: {kind: sql, path: ../state/warehouse.db}\n"
    )
    check = ["check", "aggregate-profit", "--now", "2026-11-20T09:00", "--json"]
    assert "google.cloud" in loaded_after(check, tmp_path, config_dir.parent, any_exit=True)


def test_warm_who_skips_holidays_and_json_skips_rich(config_dir: Path, tmp_path: Path) -> None:
    cwd = config_dir.parent
    args = ["who", "--at", "2026-03-02T10:00", "--json"]
    loaded_after(args, tmp_path, cwd)  # warms the holiday and config caches
    loaded = loaded_after(args, tmp_path, cwd)
    assert "holidays" not in loaded
    assert "rich" not in loaded
    human = loaded_after(["who", "--at", "2026-03-02T10:00"], tmp_path, cwd)
    assert "holidays" not in human
