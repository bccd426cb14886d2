"""The cache of validated config: hits skip validation, edits miss, old entries are pruned."""

from __future__ import annotations

from pathlib import Path

import pytest

import oncall.config as config
from oncall.config import cache


def test_config_cache_is_used_and_bounded(
    config_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ONCALL_CACHE_DIR", str(tmp_path / "cache"))
    first = config.load_config(config_dir)
    entries = list((tmp_path / "cache" / "config").glob("*.json"))
    assert len(entries) == 1
    # A hit builds the same config without validating again.
    monkeypatch.setattr(config, "validate_config", lambda d: pytest.fail("validated again"))
    again = config.load_config(config_dir)
    assert again.owners.pipelines["aggregate-profit"].secondary == "de4"
    assert again.rotation_specs == first.rotation_specs
    # An edit changes the key: the old entry is not served, and old entries are pruned.
    monkeypatch.undo()
    monkeypatch.setenv("ONCALL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(cache, "CACHE_KEEP", 2)
    owners = config_dir / "owners.yaml"
    for n in range(4):
        owners.write_text(owners.read_text() + f"# edit {n}\n")
        config.load_config(config_dir)
    assert len(list((tmp_path / "cache" / "config").glob("*.json"))) == 2


def test_a_hit_is_the_same_config_as_a_fresh_load(config_dir: Path, tmp_path: Path) -> None:
    fresh = config.load_config(config_dir, use_cache=False)
    entry = cache.entry_path(
        config_dir,
        (config_dir / "owners.yaml").read_bytes(),
        (config_dir / "rotation.yaml").read_bytes(),
    )
    cache.write_entry(entry, config.validate_config(config_dir))
    hit = cache.read_entry(entry, config_dir)
    assert hit is not None
    assert hit.owners == fresh.owners and hit.rotation == fresh.rotation
    assert hit.owners_marks == fresh.owners_marks
    assert [w.render() for w in hit.warnings] == [w.render() for w in fresh.warnings]


def test_a_corrupt_or_foreign_entry_is_a_miss(config_dir: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    assert cache.read_entry(bad, config_dir) is None
    bad.write_text('{"format": "0", "owners": {}}')
    assert cache.read_entry(bad, config_dir) is None
    bad.write_text(f'{{"format": "{cache.CACHE_FORMAT}", "owners": {{}}}}')
    assert cache.read_entry(bad, config_dir) is None


def test_marks_of_a_hit_are_read_on_first_use_and_damaged_ones_point_at_line_1(
    config_dir: Path, tmp_path: Path
) -> None:
    import json

    entry = tmp_path / "entry.json"
    cache.write_entry(entry, config.validate_config(config_dir))
    fresh = config.load_config(config_dir, use_cache=False)
    hit = cache.read_entry(entry, config_dir)
    assert hit is not None
    assert "_raw" in vars(hit.rotation_marks)  # not decoded yet
    where = hit.rotation_marks.locate(("rotations",))
    assert where == fresh.rotation_marks.locate(("rotations",)) != (1, 1)
    assert "_raw" not in vars(hit.rotation_marks)
    assert hit.owners_marks == fresh.owners_marks
    head, owners_line, rotation_line = entry.read_bytes().split(b"\n")
    damaged_marks = json.loads(owners_line)
    damaged_marks["values"] = [["people", 3]]  # valid JSON, wrong shape
    for line in (json.dumps(damaged_marks).encode(), b"{not json", b"[]"):
        entry.write_bytes(b"\n".join((head, line, rotation_line)))
        damaged = cache.read_entry(entry, config_dir)
        assert damaged is not None and damaged.owners == fresh.owners
        problem = damaged.owners_marks.problem(("people", "x"), "gone")
        assert (problem.line, problem.col) == (1, 1)
        assert damaged.rotation_marks == fresh.rotation_marks  # the other file's are intact
    entry.write_bytes(head[: len(head) // 2])  # a torn config line is a miss
    assert cache.read_entry(entry, config_dir) is None


def test_the_key_follows_contents_and_runbook_names(config_dir: Path) -> None:
    key = cache.fingerprint(config_dir, b"a", b"b")
    assert key == cache.fingerprint(config_dir, b"a", b"b")
    assert key != cache.fingerprint(config_dir, b"a", b"c")
    (config_dir.parent / "runbooks" / "extra.yaml").write_text("pipeline: x\n")
    assert key != cache.fingerprint(config_dir, b"a", b"b")


def test_prune_keeps_the_newest(tmp_path: Path) -> None:
    import os

    for i in range(5):
        path = tmp_path / f"{i}.json"
        path.write_text("{}")
        os.utime(path, (1000 + i, 1000 + i))
    cache.prune(tmp_path, keep=2)
    assert sorted(p.name for p in tmp_path.glob("*.json")) == ["3.json", "4.json"]
