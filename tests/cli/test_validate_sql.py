"""``oncall validate`` on SQL checks: one SELECT only, and query/metric matched to the source."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import Run


def test_an_update_in_a_query_is_refused_with_its_place(oncall: Run, project: Path) -> None:
    path = project / "runbooks" / "profit.yaml"
    text = path.read_text()
    assert "SELECT loaded_at AS time, SUM(row_count) AS value" in text
    path.write_text(
        text.replace(
            "SELECT loaded_at AS time, SUM(row_count) AS value",
            "UPDATE ingested_rows SET row_count = 0; SELECT loaded_at AS time, row_count AS value",
            1,
        )
    )
    result = oncall("validate")
    assert result.exit_code == 1  # problems found
    assert re.search(
        r"profit\.yaml:\d+:\d+: error: steps\[0\]\.checks\[2\]\.query: .*single SELECT", out(result)
    ), out(result)


def test_query_and_metric_must_match_the_source_kind(oncall: Run, project: Path) -> None:
    path = project / "runbooks" / "profit.yaml"
    text = path.read_text()
    text = text.replace("        source: warehouse\n", "", 1)  # the query now goes to 'default'
    text = text.replace(
        "      - id: ingest-fresh\n        kind: freshness\n",
        "      - id: ingest-fresh\n        kind: freshness\n        source: warehouse\n",
        1,
    )
    path.write_text(text)
    result = oncall("validate")
    assert result.exit_code == 1  # problems found
    assert (
        "sql-ingest-complete: 'query' needs a sql or bigquery source, and 'default' is local"
        in out(result)
    )
    assert "ingest-fresh: source 'warehouse' is sql and runs SQL: give a 'query'" in out(result)
    assert re.search(r"profit\.yaml:\d+:\d+: error: sql-ingest-complete", out(result))


def test_an_unknown_check_source_is_located(oncall: Run, project: Path) -> None:
    path = project / "runbooks" / "growth.yaml"
    path.write_text(path.read_text().replace("source: warehouse", "source: lake", 1))
    result = oncall("validate")
    assert result.exit_code == 1  # problems found
    assert re.search(
        r"growth\.yaml:\d+:\d+: error: sql-ingest-complete: unknown state source 'lake'",
        out(result),
    ), out(result)


def out(result: object) -> str:
    return str(getattr(result, "stdout", "")) + str(getattr(result, "stderr", ""))


def test_a_parameter_of_the_wrong_style_is_refused_by_validate(oncall: Run, project: Path) -> None:
    """BigQuery's @start on a sql source is found before any check runs, at the query."""
    path = project / "runbooks" / "profit.yaml"
    text = path.read_text()
    assert "loaded_at > :start" in text
    path.write_text(text.replace("loaded_at > :start", "loaded_at > @start", 1))
    result = oncall("validate")
    assert result.exit_code == 1  # problems found
    assert re.search(
        r"profit\.yaml:\d+:\d+: error: sql-ingest-complete: the query uses @start, "
        r"BigQuery's form: a sql source binds :start and :end",
        out(result),
    ), out(result)
