"""Both validation caches are keyed by the code of the rules too: an entry written before a
rule changed is a miss, even within one oncall version (issue 15)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import oncall.config as config
from oncall.config import cache, findings_cache


@pytest.fixture
def package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A stand-in for the oncall package directory, with a few rule files."""
    root = tmp_path / "pkg"
    for rel in ("config/models/rotation.py", "domain/rotation.py", "errors.py"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("# rules\n")
    monkeypatch.setattr(cache, "PACKAGE", root)
    return root


def test_the_stamp_changes_with_any_rule_file(package: Path) -> None:
    first = cache.code_stamp(("config", "domain", "errors.py"))
    assert cache.code_stamp(("config", "domain", "errors.py")) == first

    rule = package / "config/models/rotation.py"
    rule.write_text("# rules, edited\n")  # another size
    edited = cache.code_stamp(("config", "domain", "errors.py"))
    assert edited != first

    stat = rule.stat()
    os.utime(rule, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))  # same size
    touched = cache.code_stamp(("config", "domain", "errors.py"))
    assert touched != edited

    (package / "domain/new_rule.py").write_text("")
    added = cache.code_stamp(("config", "domain", "errors.py"))
    assert added != touched

    (package / "domain/__pycache__").mkdir()
    (package / "domain/__pycache__/rotation.cpython-312.pyc").write_bytes(b"x")
    (package / "domain/notes.txt").write_text("not code")
    assert cache.code_stamp(("config", "domain", "errors.py")) == added


def test_the_real_stamp_reads_the_models_and_the_domain(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []
    real = os.scandir

    def spy(path: str) -> object:
        seen.append(os.path.relpath(path, cache.PACKAGE))
        return real(path)

    monkeypatch.setattr(os, "scandir", spy)
    cache.code_stamp()
    assert {"config", "config/models", "domain", "domain/checks"} <= set(seen)
    assert (cache.PACKAGE / "config/models/rotation.py").is_file()


def test_a_rule_change_is_a_config_cache_miss(
    config_dir: Path, tmp_path: Path, package: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ONCALL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(cache, "RULE_CODE", ("config", "domain", "errors.py"))
    config.load_config(config_dir)
    calls: list[Path] = []
    real = config.validate_config

    def counted(directory: Path) -> config.Config:
        calls.append(directory)
        return real(directory)

    monkeypatch.setattr(config, "validate_config", counted)
    config.load_config(config_dir)
    assert calls == []  # a hit: same files, same code

    (package / "domain/rotation.py").write_text("# a new rule\n")
    config.load_config(config_dir)
    assert calls == [config_dir]  # the entry of the old rules is not served


def test_a_rule_change_is_a_findings_cache_miss(config_dir: Path, package: Path) -> None:
    for folder in ("services", "adapters"):
        (package / folder).mkdir()
        (package / folder / "x.py").write_text("")
    first = findings_cache.findings_key(config_dir)
    assert first is not None and findings_cache.findings_key(config_dir) == first

    (package / "services/x.py").write_text("# a new publish rule\n")
    assert findings_cache.findings_key(config_dir) != first
