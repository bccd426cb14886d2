"""The JSON of every data command, byte for byte, against files recorded before the speed-ups
of issue 14: on the shipped config and on a generated org (``bench/org.py``).

Regenerate (only when an output is meant to change) with
``ONCALL_REGEN_GOLDEN=1 .venv/bin/pytest -p no:cacheprovider tests/cli/test_golden_json.py``.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bench.org import NOW, write_org
from oncall.cli import app

GOLDEN = Path(__file__).resolve().parent / "golden"
REGEN = os.environ.get("ONCALL_REGEN_GOLDEN") == "1"
AT = "2026-11-20T09:00"

pytestmark = pytest.mark.timeout(180)

COMMANDS: dict[str, tuple[str, ...]] = {
    "validate": ("validate", "--json", "--now", AT),
    "who": ("who", "--json", "--at", AT),
    "owners": ("owners", "--json"),
    "schedule": ("schedule", "--from", "2026-01-01", "--to", "2027-12-31", "--format", "json"),
    "schedule-stats": ("schedule", "--from", "2026-06-01", "--weeks", "26", "--stats", "--json"),
    "check": ("check", "--all", "--json", "--now", AT),
}


def _shipped(root: Path) -> Path:
    # The shipped config and runbooks as they were when the files were recorded: the test
    # proves that speed-ups change no output, while the shipped runbooks may grow.
    shutil.copytree(GOLDEN / "shipped-input" / "config", root / "config")
    shutil.copytree(GOLDEN / "shipped-input" / "runbooks", root / "runbooks")
    (root / "config" / "paging.yaml").unlink()
    result = CliRunner().invoke(
        app, ["--config-dir", str(root / "config"), "state", "demo", "--now", AT]
    )
    assert result.exit_code == 0, result.output
    return root / "config"


def _generated(root: Path) -> Path:
    write_org(root, scale=0.05, hours=24 * 30)
    (root / "config" / "paging.yaml").unlink()
    return root / "config"


@pytest.fixture(scope="module", params=["shipped", "org"])
def org(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, Path]:
    root = tmp_path_factory.mktemp(request.param)
    build = _shipped if request.param == "shipped" else _generated
    return request.param, build(root)


@pytest.mark.parametrize("warm", [False, True], ids=["cold", "warm"])
@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_json_is_byte_identical(
    org: tuple[str, Path],
    name: str,
    warm: bool,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    which, config = org
    monkeypatch.chdir(config.parent)  # relative paths in the output, as a user would see them
    args = list(COMMANDS[name])
    if which == "org" and name != "validate":
        args = [a if a != AT else NOW for a in args]
    monkeypatch.setenv("ONCALL_CACHE_DIR", str(tmp_path / "cache"))
    runner = CliRunner()
    first = runner.invoke(app, ["--config-dir", "config", *args])
    result = runner.invoke(app, ["--config-dir", "config", *args]) if warm else first
    golden = GOLDEN / f"{which}-{name}.json"
    if REGEN and not warm:
        golden.parent.mkdir(exist_ok=True)
        golden.write_bytes(result.stdout_bytes)
        golden.with_suffix(".code").write_text(f"{result.exit_code}\n")
    assert result.stdout_bytes == golden.read_bytes()
    assert result.exit_code == first.exit_code == int(golden.with_suffix(".code").read_text())
