"""Shared fixtures: the CLI runner, a temporary copy of the shipped config, a pinned clock."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from oncall.cli import app

# Fixtures shared beyond one directory: ``postgres_url`` (a real server, started on first use).
pytest_plugins = ("tests.support.postgres",)

REPO = Path(__file__).resolve().parents[1]
SHIPPED_CONFIG = REPO / "config"
SHIPPED_RUNBOOKS = REPO / "runbooks"

Run = Callable[..., Result]


@pytest.fixture(autouse=True)
def _isolated_env(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No test reads the developer's own config, cache, store or secrets."""
    for var in (
        "ONCALL_CONFIG_DIR",
        "ONCALL_STATE_URL",
        "ONCALL_DEBUG",
        "ONCALL_ME",
        "ONCALL_OPERATOR",
        "ONCALL_PAGERDUTY_ROUTING_KEY",
        "ONCALL_SLACK_WEBHOOK",
        "ONCALL_SMTP_USER",
        "ONCALL_SMTP_PASSWORD",
        "ONCALL_WEBHOOK_URL",
    ):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    state = tmp_path_factory.mktemp("state")
    monkeypatch.setenv("ONCALL_STATE_DB", str(state / "oncall.db"))
    # The user state dir (team stores, the spool) too: never the developer's own.
    monkeypatch.setenv("XDG_STATE_HOME", str(state / "xdg"))
    monkeypatch.setenv("ONCALL_CACHE_DIR", str(_shared_cache(tmp_path_factory)))


def _shared_cache(factory: pytest.TempPathFactory) -> Path:
    # One holiday cache per test session: a real cache, shared so tests stay fast.
    base = factory.getbasetemp() / "holiday-cache"
    base.mkdir(exist_ok=True)
    return base


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the shipped config and runbooks in a temporary project directory."""
    shutil.copytree(SHIPPED_CONFIG, tmp_path / "config")
    if SHIPPED_RUNBOOKS.is_dir():
        shutil.copytree(SHIPPED_RUNBOOKS, tmp_path / "runbooks")
    return tmp_path


@pytest.fixture
def config_dir(project: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ONCALL_CONFIG_DIR", str(project / "config"))
    return project / "config"


@pytest.fixture
def oncall(config_dir: Path) -> Iterator[Run]:
    """Run the CLI in-process against the temporary project."""
    runner = CliRunner()

    def run(
        *args: str,
        input: str | None = None,
        env: dict[str, str] | None = None,
        obj: dict[str, object] | None = None,
    ) -> Result:
        # ``obj`` reaches the commands (e.g. {"sleep": fake}): nothing is patched.
        return runner.invoke(app, list(args), input=input, env=env, obj=obj, catch_exceptions=False)

    yield run


@pytest.fixture
def edit_config(config_dir: Path) -> Callable[[str, str, str], None]:
    """Replace text in a config file, failing loudly when the text is not there."""

    def edit(name: str, old: str, new: str) -> None:
        path = config_dir / name
        text = path.read_text()
        assert old in text, f"{old!r} not in {name}"
        path.write_text(text.replace(old, new, 1))

    return edit
