"""The paging.yaml cache: a hit is the same model and marks as reading the YAML, without
reading it; an edit, a moved file, a corrupt entry or data JSON cannot hold exactly all
miss; invalid files are never cached and keep their located errors."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from oncall.config import load_config
from oncall.config import paging as paging_config
from oncall.config.marks import Marks
from oncall.config.paging import load_paging_config
from oncall.errors import ConfigError, PagingNotConfiguredError

VARIANTS = {
    "durations as numbers and text, quiet hours, purposes": """
channels:
  pagerduty: {kind: pagerduty, routing_key_env: PD_KEY, retry_budget: 90, timeout: 2.5}
  slack: {kind: slack, webhook_url_env: SLACK_URL, retry_budget: 1m}
urgency:
  high: {channels: [pagerduty, slack], ack_timeout: 15m, repeat: 2}
  low: {channels: [slack], quiet_hours: "21:00-08:00"}
  by_purpose: {reporting: high, experiments: low}
""",
    "email with the from alias and a login": """
channels:
  mail: {kind: email, host: smtp.example.com, port: 2525, starttls: false,
         username_env: SMTP_USER, password_env: SMTP_PASSWORD, from: oncall@example.com}
  hook: {kind: webhook, url: "http://127.0.0.1:8080/hook"}
urgency:
  high: {channels: [hook, mail]}
  low: {channels: [mail]}
""",
    "a trailing comment": """
channels:
  hook: {kind: webhook, url_env: HOOK_URL}
urgency:
  high: {channels: [hook]}
  low: {channels: [hook], quiet_hours: "22:00-07:00"}
# comment
""",
}


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ONCALL_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache" / "paging"


def _entries(cache_dir: Path) -> list[Path]:
    return sorted(cache_dir.glob("*.json"))


@pytest.mark.parametrize("text", [None, *VARIANTS.values()], ids=["shipped", *VARIANTS])
def test_a_hit_is_the_same_model_and_marks_as_the_yaml(
    config_dir: Path, cache_dir: Path, text: str | None
) -> None:
    if text is not None:
        (config_dir / "paging.yaml").write_text(text)
    cfg = load_config(config_dir)
    plain = load_paging_config(cfg, use_cache=False)
    assert _entries(cache_dir) == []
    first = load_paging_config(cfg)
    assert len(_entries(cache_dir)) == 1
    hit = load_paging_config(cfg)
    assert hit == first == plain
    assert hit[1].path == config_dir / "paging.yaml"
    assert hit[0].model_dump() == plain[0].model_dump()
    assert [type(c) for c in hit[0].channels.values()] == [
        type(c) for c in plain[0].channels.values()
    ]


def test_a_hit_reads_no_yaml(
    config_dir: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = load_config(config_dir)
    load_paging_config(cfg)
    import oncall.config.yamlfile as yamlfile

    monkeypatch.setattr(yamlfile, "load_yaml", lambda *a, **k: pytest.fail("read the YAML"))
    config, marks = load_paging_config(cfg)
    assert "hook" in config.channels and marks.keys


def test_a_hit_in_a_fresh_process_does_not_import_pyyaml(config_dir: Path, cache_dir: Path) -> None:
    load_paging_config(load_config(config_dir))  # both caches written
    probe = (
        "import sys\nfrom pathlib import Path\nfrom oncall.config import load_config\n"
        "from oncall.config.paging import load_paging_config\n"
        f"config, _ = load_paging_config(load_config(Path({str(config_dir)!r})))\n"
        "print(sorted(config.channels), 'yaml' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.split("] ")[1].strip() == "False", done.stdout


def test_an_edit_misses_and_the_new_file_is_read(config_dir: Path, cache_dir: Path) -> None:
    cfg = load_config(config_dir)
    load_paging_config(cfg)
    path = config_dir / "paging.yaml"
    path.write_text(path.read_text().replace("repeat: 1", "repeat: 2"))
    config, _ = load_paging_config(cfg)
    assert config.urgency.high.repeat == 2
    assert len(_entries(cache_dir)) == 2


def test_an_invalid_file_is_never_cached_and_keeps_its_located_error(
    config_dir: Path, cache_dir: Path
) -> None:
    path = config_dir / "paging.yaml"
    path.write_text(path.read_text().replace("repeat: 1", "repeat: 99"))
    cfg = load_config(config_dir)
    for _ in range(2):
        with pytest.raises(ConfigError) as caught:
            load_paging_config(cfg)
        assert str(path) in str(caught.value) and "repeat" in str(caught.value)
    assert _entries(cache_dir) == []
    path.unlink()
    with pytest.raises(PagingNotConfiguredError):
        load_paging_config(cfg)


@pytest.mark.parametrize(
    "corrupt",
    [
        "not json",
        json.dumps({"format": "0"}),
        json.dumps({"format": paging_config.PAGING_CACHE_FORMAT, "data": []}),
        json.dumps({"format": paging_config.PAGING_CACHE_FORMAT, "values": [], "keys": []}),
        json.dumps(
            {
                "format": paging_config.PAGING_CACHE_FORMAT,
                "data": {"channels": {}, "urgency": {}},
                "values": [],
                "keys": [],
            }
        ),
    ],
    ids=["not-json", "old-format", "data-not-a-mapping", "no-data", "data-invalid"],
)
def test_a_corrupt_entry_only_costs_a_full_read(
    config_dir: Path, cache_dir: Path, corrupt: str
) -> None:
    cfg = load_config(config_dir)
    plain = load_paging_config(cfg, use_cache=False)
    load_paging_config(cfg)
    [entry] = _entries(cache_dir)
    entry.write_text(corrupt)
    assert load_paging_config(cfg) == plain


@pytest.mark.parametrize(
    "data",
    [{"when": date(2026, 1, 1)}, {"budget": float("inf")}, {"pair": (1, 2)}, {1: "one"}],
    ids=["yaml-date", "infinity", "tuple", "int-key"],
)
def test_data_json_cannot_hold_exactly_is_not_cached(
    config_dir: Path, cache_dir: Path, data: dict[Any, Any]
) -> None:
    path = config_dir / "paging.yaml"
    entry = paging_config._entry_path(path, path.read_bytes())
    paging_config._write_entry(entry, path, data, Marks(path))
    assert not entry.exists()
    paging_config._write_entry(entry, path, {"plain": [1, 2.5, "x", None, True]}, Marks(path))
    assert entry.exists()  # the same call with plain data does write


def test_a_file_changed_while_read_is_not_cached(config_dir: Path, cache_dir: Path) -> None:
    path = config_dir / "paging.yaml"
    entry = paging_config._entry_path(path, path.read_bytes())
    path.write_text(path.read_text() + "# edited meanwhile\n")
    paging_config._write_entry(entry, path, {"channels": {}}, Marks(path))
    assert not entry.exists()
