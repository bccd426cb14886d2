"""Issue 15, items 9 and 10 through the CLI: a dry run applies the URL rules of a real send to
URLs read from the environment; the store is private; files replacing a symlink get the
default mode; init never writes through a symlinked directory."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from oncall.cli import app
from tests.conftest import Run

T = "2026-12-02T10:00"
ONLY_URLS = """\
channels:
  slack: {kind: slack, webhook_url_env: ONCALL_SLACK_WEBHOOK}
  hook: {kind: webhook, url_env: ONCALL_WEBHOOK_URL}
urgency:
  high: {channels: [slack]}
  low: {channels: [slack]}
  by_purpose: {investor-reporting: high, experiments: low}
"""
GOOD_URL = "https://hooks.slack.com/services/T000/B000/xyzzy"


@pytest.fixture
def url_paging(config_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (config_dir / "paging.yaml").write_text(ONLY_URLS)
    monkeypatch.setenv("ONCALL_WEBHOOK_URL", "http://127.0.0.1:9/hook")  # loopback: allowed
    return config_dir


def dry_run(oncall: Run) -> tuple[int, str, str]:
    result = oncall("page", "aggregate-profit", "--summary", "x", "--dry-run", "--now", T)
    return result.exit_code, " ".join(result.stdout.split()), result.stderr


def test_a_good_webhook_url_passes_the_dry_run(
    oncall: Run, url_paging: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ONCALL_SLACK_WEBHOOK", GOOD_URL)
    monkeypatch.setenv("ONCALL_WEBHOOK_URL", "https://hooks.example.com/x")
    code, out, err = dry_run(oncall)
    assert code == 0, err
    assert "would fail" not in out and err == ""


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://10.1.2.3/hook", "URL must use https (http is allowed only for 127.0.0.1"),
        ("file:///etc/passwd", "ONCALL_SLACK_WEBHOOK: URL must"),
        ("gopher://example.com/1", "ONCALL_SLACK_WEBHOOK: URL must"),
    ],
    ids=["private-http", "file", "gopher"],
)
def test_a_dry_run_refuses_the_urls_a_real_send_refuses(
    oncall: Run,
    url_paging: Path,
    monkeypatch: pytest.MonkeyPatch,
    url: str,
    reason: str,
) -> None:
    monkeypatch.setenv("ONCALL_SLACK_WEBHOOK", url)
    monkeypatch.setenv("ONCALL_WEBHOOK_URL", url)
    code, out, err = dry_run(oncall)
    assert code == 2, (out, err)
    assert "slack de4 dry-run 0" in out and "would fail: ONCALL_SLACK_WEBHOOK: URL must" in out
    assert "would fail: ONCALL_WEBHOOK_URL: URL must" in out
    (line,) = err.splitlines()
    assert "no channel could deliver this page (slack, hook would fail" in line
    assert reason in line
    assert "passwd" not in err and "10.1.2.3" not in err  # the URL itself is never echoed


def test_the_store_file_is_created_private(
    oncall: Run, config_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "fresh" / "oncall.db"
    monkeypatch.setenv("ONCALL_STATE_DB", str(db))
    old = os.umask(0o022)
    try:
        result = oncall("page", "aggregate-profit", "--summary", "x", "--now", T)
    finally:
        os.umask(old)
    assert result.exit_code in (1, 3), result.output  # recorded, then not delivered
    assert db.is_file() and db.stat().st_mode & 0o777 == 0o600


def test_calendar_export_replacing_a_symlink_gives_the_default_mode(
    oncall: Run, tmp_path: Path
) -> None:
    out = tmp_path / "public"
    out.mkdir()
    private = tmp_path / "private.ics"
    private.write_text("mine")
    private.chmod(0o755)
    (out / "person-de1.ics").symlink_to(private)
    old = os.umask(0o022)
    try:
        result = oncall("calendar", "export", str(out), "--from", "2026-01-01", "--weeks", "4")
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.output
    written = out / "person-de1.ics"
    assert not written.is_symlink() and written.read_text().startswith("BEGIN:VCALENDAR")
    assert written.stat().st_mode & 0o777 == 0o644
    assert private.read_text() == "mine" and private.stat().st_mode & 0o777 == 0o755


def test_init_through_a_symlinked_config_directory_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    root = tmp_path / "team"
    root.mkdir()
    (root / "config").symlink_to(outside)
    result = CliRunner().invoke(
        app, ["init", str(root), "--yes"], catch_exceptions=False, env={"ONCALL_DEBUG": None}
    )
    assert result.exit_code == 2, result.output
    (line,) = result.stderr.splitlines()
    assert "refusing to write through symbolic links" in line and "Traceback" not in line
    assert list(outside.iterdir()) == []
    assert [p.name for p in root.iterdir()] == ["config"]
