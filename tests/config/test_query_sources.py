"""``state.yaml`` entries of kind ``sql`` and ``bigquery``: each bad value located."""

from __future__ import annotations

from pathlib import Path

import pytest

from oncall.config import load_config
from oncall.config.models.query_sources import compute_bytes
from oncall.errors import ConfigError
from oncall.services.runbook.sources import load_state_sources


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("{kind: sql}", "give exactly one of 'url_env'"),
        ("{kind: sql, url_env: lower_case}", "url_env"),
        ("{kind: sql, path: x.db, timezone: Mars/Base}", "timezone 'Mars/Base'"),
        ("{kind: bigquery, project: p, maximum_bytes_billed: lots}", "not a size"),
        ("{kind: bigquery}", "'project'"),
        (
            "{kind: bigquery, project: p, endpoint: 'http://10.1.1.1:9', insecure: true}",
            "only allowed to a loopback endpoint",
        ),
        ("{kind: sql, path: x.db, timeout: soon}", "sources.wh.timeout: bad duration 'soon'"),
    ],
)
def test_bad_entries_are_located(config_dir: Path, entry: str, message: str) -> None:
    (config_dir / "state.yaml").write_text(
        f"sources:\n  default: {{kind: local, path: ../state}}\n  wh: {entry}\n"
    )
    with pytest.raises(ConfigError) as info:
        load_state_sources(load_config(config_dir))
    (problem,) = info.value.problems
    assert (Path(problem.path).name, problem.line) == ("state.yaml", 3), problem.render()
    assert message in problem.message, problem.message


def test_good_entries_and_the_password_is_never_described(
    config_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ONCALL_FIN_URL", "mysql+pymysql://u:s3cret@db/fin")
    (config_dir / "state.yaml").write_text(
        "sources:\n  default: {kind: local, path: ../state}\n"
        "  fin: {kind: sql, url_env: ONCALL_FIN_URL, timeout: 30s}\n"
        "  wh: {kind: bigquery, project: my-gcp-project, location: asia-south1,"
        " maximum_bytes_billed: 2GB, timeout: 60s}\n"
    )
    sources = load_state_sources(load_config(config_dir))
    assert sources.describe("fin") == "SQL database at $ONCALL_FIN_URL"
    assert sources.describe("wh") == "BigQuery, project my-gcp-project"
    assert "s3cret" not in repr(sources.get("fin"))
    assert compute_bytes("2GB") == 2_000_000_000
    assert compute_bytes("1GiB") == 1024**3
