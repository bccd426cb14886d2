"""``oncall state``: demo state where the default local source reads, and the source list."""

from __future__ import annotations

import json
from pathlib import Path

from oncall.adapters.state.demo import DEMO_FILES, PLANTED_FAILURE
from tests.conftest import Run

T = "2026-11-20T09:00"


def test_demo_writes_beside_config(oncall: Run, project: Path) -> None:
    result = oncall("state", "demo", "--now", T)
    assert result.exit_code == 0, result.stderr
    state = project / "state"
    assert sorted(p.name for p in state.iterdir()) == sorted([*DEMO_FILES.values(), "warehouse.db"])
    assert f"except {PLANTED_FAILURE}," in result.stdout
    assert "Wrote 42 days of demo state up to 2026-11-20 09:00 IST" in result.stdout
    first = json.loads((state / "profit.jsonl").read_text().splitlines()[0])
    assert set(first) == {"metric", "labels", "time", "value"}
    assert all(len(line) <= 80 for line in result.stdout.splitlines() if str(project) not in line)


def test_demo_json_and_output_dir(oncall: Run, tmp_path: Path) -> None:
    target = tmp_path / "elsewhere"
    result = oncall("state", "demo", "--now", T, "--output", str(target), "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["directory"] == str(target)
    assert data["now"] == "2026-11-20T09:00:00+05:30"
    assert data["planted_failure"] == PLANTED_FAILURE
    counts = {Path(f["path"]).name: f["points"] for f in data["files"]}
    for name, count in counts.items():
        assert count == len((target / name).read_text().splitlines()) > 1000


def test_demo_follows_state_yaml(oncall: Run, config_dir: Path, project: Path) -> None:
    (config_dir / "state.yaml").write_text("sources:\n  default: {kind: local, path: ../live}\n")
    assert oncall("state", "demo", "--now", T).exit_code == 0
    assert (project / "live" / "growth.jsonl").is_file()
    assert not (project / "state").exists()
    sources = json.loads(oncall("state", "sources", "--json").stdout)
    assert sources["sources"] == [
        {"name": "default", "kind": "local", "where": f"local files in {config_dir / '../live'}"}
    ]


def test_demo_needs_output_for_cloud_default(oncall: Run, config_dir: Path) -> None:
    (config_dir / "state.yaml").write_text(
        "sources:\n  default: {kind: cloud-monitoring, project: my-gcp-project}\n"
    )
    result = oncall("state", "demo", "--now", T)
    assert result.exit_code == 2
    assert "pass --output DIR" in result.stderr
    listed = oncall("state", "sources")
    assert "Cloud Monitoring, project my-gcp-project" in listed.stdout


def test_sources_without_state_yaml(oncall: Run) -> None:
    result = oncall("state", "sources")
    assert result.exit_code == 0
    assert "no config/state.yaml" in result.stdout
    assert "default    local" in result.stdout
    assert "warehouse  sql" in result.stdout


def test_demo_labels_an_explicit_offset_with_the_team_zone(oncall: Run) -> None:
    # --now with an offset (or Z) is a fixed-offset time: shown in the team zone, as IST.
    for now in ("2026-11-20T10:00+05:30", "2026-11-20T04:30Z"):
        result = oncall("state", "demo", "--now", now)
        assert result.exit_code == 0, result.stderr
        assert "up to 2026-11-20 10:00 IST to " in result.stdout, result.stdout
        assert "UTC" not in result.stdout
