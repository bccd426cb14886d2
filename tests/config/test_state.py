"""``config/state.yaml``: one model per source kind, and each bad value located."""

from __future__ import annotations

from pathlib import Path

import pytest

from oncall.config import load_config
from oncall.config.models.state import LocalSourceSpec, MonitoringSourceSpec, SqlSourceSpec
from oncall.config.state import load_state_config
from oncall.errors import ConfigError


def write_state(config_dir: Path, source: str) -> None:
    (config_dir / "state.yaml").write_text(f"sources:\n  other: {source}\n")


def problems(config_dir: Path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_state_config(load_config(config_dir))
    return [p.render() for p in caught.value.problems]


def test_without_state_yaml_the_default_is_local_state(config_dir: Path) -> None:
    state = load_state_config(load_config(config_dir))

    assert state.path is None
    assert state.sources == {
        "default": LocalSourceSpec(kind="local", path="state"),
        "warehouse": SqlSourceSpec(kind="sql", path="state/warehouse.db"),
    }
    assert state.local_path() == config_dir.parent / "state"


def test_the_kind_picks_the_model(config_dir: Path) -> None:
    (config_dir / "state.yaml").write_text(
        "sources:\n"
        "  files: {kind: local, path: ../live}\n"
        "  gcp: {kind: cloud-monitoring, project: p, timeout: 5s}\n"
    )
    state = load_state_config(load_config(config_dir))

    assert isinstance(state.sources["files"], LocalSourceSpec)
    assert isinstance(state.sources["gcp"], MonitoringSourceSpec)
    assert state.sources["gcp"].timeout == "5s"
    assert state.local_path("files") == config_dir / "../live"
    assert state.local_path("gcp") is None
    assert state.describe("gcp") == "Cloud Monitoring, project p"


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("{kind: local}", "'path' is required for kind 'local'"),
        ("{kind: local, path: ''}", "'path' is required for kind 'local'"),
        ("{kind: local, pth: x}", "sources.other: unknown key 'pth' (did you mean 'path'?)"),
        ("{kind: local, path: s, project: p}", "sources.other: unknown key 'project'"),
        ("{kind: cloud-monitoring, project: p, path: x}", "unknown key 'path'"),
        (
            "{kind: files, path: s}",
            "sources.other: kind must be 'local', 'cloud-monitoring', 'sql' or 'bigquery'",
        ),
        (
            "{path: s}",
            "sources.other: kind must be 'local', 'cloud-monitoring', 'sql' or 'bigquery'",
        ),
        (
            "{kind: cloud-monitoring}",
            "'project' (the Google Cloud project id) is required for kind 'cloud-monitoring'",
        ),
        ("{kind: cloud-monitoring, project: p, timeout: true}", "sources.other.timeout"),
        ("{kind: cloud-monitoring, project: p, endpoint: 50051}", "sources.other.endpoint"),
    ],
)
def test_bad_sources_are_located(config_dir: Path, source: str, message: str) -> None:
    write_state(config_dir, source)

    found = problems(config_dir)

    assert found and all(f.startswith(f"{config_dir / 'state.yaml'}:2:") for f in found), found
    assert message in found[0]
    assert all("sources.other" in f for f in found)


def test_source_names_follow_the_id_rule(config_dir: Path) -> None:
    (config_dir / "state.yaml").write_text("sources:\n  Bad Name: {kind: local, path: s}\n")

    (found,) = problems(config_dir)

    assert ":2:3: error: sources.Bad Name: source names use lowercase letters" in found
