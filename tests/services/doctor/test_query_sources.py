"""Doctor probes of ``sql`` and ``bigquery`` sources: SELECT 1, a dry run, and what to fix."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from oncall.config import load_config
from oncall.services.doctor.sources import probe_query_state_source
from oncall.services.runbook.sources import load_state_sources
from tests.support.bigquery_server import BigQueryServer, serve


def test_sqlite_warehouse_probe(config_dir: Path, project: Path) -> None:
    sources = load_state_sources(load_config(config_dir))  # no state.yaml: the demo warehouse
    missing = probe_query_state_source(sources, "warehouse")
    assert missing.status == "fail"
    assert "does not exist" in missing.detail and "oncall state demo" in missing.detail
    (project / "state").mkdir()
    sqlite3.connect(project / "state" / "warehouse.db").close()
    found = probe_query_state_source(sources, "warehouse")
    assert (found.status, found.detail.split(":")[0]) == (
        "ok",
        f"SQLite database {project / 'state' / 'warehouse.db'}",
    )


def test_env_url_probe_says_which_variable(
    config_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (config_dir / "state.yaml").write_text(
        "sources:\n  default: {kind: local, path: ../state}\n"
        "  fin: {kind: sql, url_env: ONCALL_TEST_FIN_URL}\n"
    )
    sources = load_state_sources(load_config(config_dir))
    result = probe_query_state_source(sources, "fin")
    assert result.status == "fail"
    assert "ONCALL_TEST_FIN_URL is not set" in result.detail


def test_bigquery_probe_is_a_dry_run(config_dir: Path) -> None:
    server = BigQueryServer()
    for endpoint in serve(server):
        (config_dir / "state.yaml").write_text(
            "sources:\n  default: {kind: local, path: ../state}\n"
            f"  wh: {{kind: bigquery, project: p1, endpoint: '{endpoint}', insecure: true,"
            " timeout: 5s}\n"
        )
        sources = load_state_sources(load_config(config_dir))
        ok = probe_query_state_source(sources, "wh")
        assert ok.status == "ok", ok.detail
        (dry,) = server.calls("dry-run")
        assert dry.body["configuration"]["query"]["query"] == "SELECT 1"
        assert server.calls("query") == []
        server.fail_with(403, "accessDenied", "no jobs.create")
        denied = probe_query_state_source(sources, "wh")
        assert denied.status == "fail" and "access denied" in denied.detail
        assert "roles/bigquery.jobUser" in (denied.fix or "")
