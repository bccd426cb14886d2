"""Atomic writes keep ordinary permissions; unusable output paths are user errors."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from oncall.adapters.files import atomic_write
from tests.conftest import Run


def test_new_file_gets_ordinary_permissions(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        target = tmp_path / "out" / "de1.ics"
        atomic_write(target, b"BEGIN:VCALENDAR\r\n")
    finally:
        os.umask(old)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert target.read_bytes() == b"BEGIN:VCALENDAR\r\n"
    assert [p.name for p in target.parent.iterdir()] == ["de1.ics"]  # no temporary left


def test_existing_file_keeps_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "private.json"
    target.write_text("{}")
    target.chmod(0o600)
    atomic_write(target, b"[]")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert target.read_text() == "[]"


def test_unusable_output_path_is_a_usage_error(oncall: Run, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    result = oncall("calendar", "export", str(blocker / "sub"))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"oncall: cannot use {blocker / 'sub'}")
    assert "internal error" not in result.stderr


def test_a_replaced_symlink_gets_the_default_mode_not_its_targets(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere"
    target.write_text("private")
    target.chmod(0o755)
    link = tmp_path / "out.ics"
    link.symlink_to(target)
    old = os.umask(0o022)
    try:
        atomic_write(link, b"new")
    finally:
        os.umask(old)
    assert not link.is_symlink()
    assert link.stat().st_mode & 0o777 == 0o644
    assert target.read_text() == "private" and target.stat().st_mode & 0o777 == 0o755


def test_durable_writes_fsync_and_cache_writes_do_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: list[int] = []
    monkeypatch.setattr(os, "fsync", synced.append)
    atomic_write(tmp_path / "a", b"1")
    assert len(synced) == 1
    atomic_write(tmp_path / "b", b"2", durable=False)
    assert len(synced) == 1
    assert (tmp_path / "b").read_bytes() == b"2"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
