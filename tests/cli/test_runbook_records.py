"""Run records you can trust (issue 13): notes in the step record, dry runs marked, the
all-clear names what warned or was skipped, aborted runs resume, ``runbook show RUN_ID``."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from oncall.services.paging.notify import notify_pipeline
from tests.conftest import Run
from tests.support.store import open_cli_store

T = "2026-11-20T09:00"
ALL_CONTINUE = ["c", "c", "c", "c", "y", "c", "c"]


@pytest.fixture
def demo(oncall: Run, project: Path) -> Path:
    (project / "config" / "paging.yaml").unlink(missing_ok=True)
    result = oncall("state", "demo", "--now", T)
    assert result.exit_code == 0, result.stderr
    return project / "state"


def interactive(oncall: Run, answers: Sequence[str], *extra: str) -> Any:
    return oncall(
        "runbook", "profit", "--interactive", "--now", T, *extra, input="\n".join(answers) + "\n"
    )


def only_run() -> Any:
    with open_cli_store() as store:
        [run] = store.list_runs("profit")
        return run


def test_a_note_is_part_of_the_step_record(oncall: Run, demo: Path) -> None:
    result = interactive(oncall, ["n", "composer looked green", *ALL_CONTINUE])
    assert result.exit_code == 0, result.stdout
    history = json.loads(oncall("runbook", "history", "profit", "--json").stdout)
    [step] = [s for s in history["runs"][0]["steps"] if s["id"] == "ingestion"]
    assert step["note"] == "composer looked green"
    run_id = history["runs"][0]["run_id"]
    shown_json = json.loads(oncall("runbook", "show", run_id, "--json").stdout)
    # The same run, the same fields: history lists each run as `runbook show` prints it.
    assert history["runs"][0] == shown_json
    shown = oncall("runbook", "show", run_id)
    assert shown.exit_code == 0, shown.stderr
    assert "note  composer looked green" in shown.stdout


def test_show_run_in_full(oncall: Run, demo: Path) -> None:
    answers = ["s", "extract still running", "c", "c", "c", "y", "c", "c"]
    assert interactive(oncall, answers, "--operator", "bob").exit_code == 0
    run = only_run()
    data = json.loads(oncall("runbook", "show", run.run_id, "--json").stdout)
    assert (data["run_id"], data["operator"], data["dry_run"]) == (run.run_id, "bob", False)
    steps = {s["id"]: s for s in data["steps"]}
    assert steps["ingestion"]["status"] == "skipped"
    assert steps["ingestion"]["skip_reason"] == "extract still running"
    assert steps["validate-raw"]["checks"] and steps["validate-raw"]["status"] == "passed"
    assert data["started"].startswith("2026") and data["finished"] is not None
    text = oncall("runbook", "history", run.run_id).stdout
    assert f"Run {run.run_id} of runbook profit" in text
    assert "operator  bob" in text
    assert "skipped because extract still running" in text
    assert "Step 2: " in text
    missing = oncall("runbook", "show", "r-00000000")
    assert missing.exit_code != 0 and "no run 'r-00000000'" in missing.stderr


def test_a_dry_run_is_marked_and_its_notify_step_skipped(oncall: Run, project: Path) -> None:
    # The shipped paging.yaml, with none of its secrets set: nothing could be delivered.
    assert oncall("state", "demo", "--now", T).exit_code == 0
    result = oncall("runbook", "profit", "--yes", "--dry-run", "--now", T, "--json")
    data = json.loads(result.stdout)
    assert data["dry_run"] is True
    notify = {s["id"]: s for s in data["steps"]}["notify"]
    assert notify["status"] == "skipped"
    assert notify["skip_reason"].startswith("dry run: owners not notified")
    assert all(c["id"] != "notify-owners" for c in notify["checks"]), notify  # nothing "passed"
    history = json.loads(oncall("runbook", "history", "profit", "--json").stdout)
    assert history["runs"][0]["dry_run"] is True
    table = oncall("runbook", "history", "profit").stdout
    assert "(dry run)" in table
    real = oncall("runbook", "profit", "--yes", "--now", T, "--json")
    assert json.loads(real.stdout)["dry_run"] is False


def test_all_clear_names_what_warned_or_was_skipped(oncall: Run, project: Path) -> None:
    from oncall.config import load_config

    cfg = load_config(project / "config")
    result = notify_pipeline(
        cfg,
        pipeline="aggregate-profit",
        runbook="profit",
        status="passed",
        failing=[],
        now=__import__("datetime").datetime.fromisoformat(T + "+05:30"),
        dry_run=True,
        caveats=["check ingest-fresh warned (newest point is 26h old)"],
    )
    assert "all checks OK" not in result.summary
    assert "ingest-fresh warned" in result.summary
    clean = notify_pipeline(
        cfg,
        pipeline="aggregate-profit",
        runbook="profit",
        status="passed",
        failing=[],
        now=__import__("datetime").datetime.fromisoformat(T + "+05:30"),
        dry_run=True,
    )
    assert clean.summary.endswith("passed, all checks OK")


def test_a_skipped_step_reaches_the_all_clear(oncall: Run, project: Path) -> None:
    assert oncall("state", "demo", "--now", T).exit_code == 0
    answers = ["s", "extract still running", "c", "c", "c", "y", "c"]
    result = interactive(oncall, answers, "--dry-run")
    assert result.exit_code == 0, result.stdout
    run = only_run()
    notify = run.step("notify")
    assert notify is not None and notify.status == "skipped" and not notify.checks
    preview = notify.note or ""  # what the dry run would have sent, in the skip reason
    assert preview.startswith("dry run: owners not notified (")
    assert "all checks OK" not in preview
    assert "step ingestion skipped (extract still running)" in preview


def test_the_run_summary_names_warned_checks_and_skip_reasons(oncall: Run, project: Path) -> None:
    # At 02:00 the profit run has not finished yet today: profit-sla warns (pending).
    assert oncall("state", "demo", "--now", T).exit_code == 0
    early = "2026-11-21T02:00"
    answers = ["n", "raw looks fine", "s", "extract still running", "c", "c", "c", "y", "c", "c"]
    result = oncall(
        "runbook", "profit", "--interactive", "--now", early, input="\n".join(answers) + "\n"
    )
    assert result.exit_code == 0, result.stdout
    summary = result.stdout[result.stdout.index("\nRun r-") :]
    assert "warned   store (checks profit-sla)" in summary, summary
    # The skip's reason, without the operator's note run into it.
    assert "skipped  ingestion: extract still running\n" in summary, summary
    assert "raw looks fine" not in summary


def test_menu_names_ctrl_c_as_pause(oncall: Run, demo: Path) -> None:
    result = interactive(oncall, ALL_CONTINUE)
    assert "Ctrl-C pause" in result.stdout


def test_an_aborted_run_can_be_resumed(oncall: Run, demo: Path) -> None:
    aborted = interactive(oncall, ["c", "a"])
    assert aborted.exit_code == 1
    run = only_run()
    assert run.status == "aborted"
    assert f"--resume {run.run_id}" in aborted.stdout
    resumed = interactive(oncall, ["c", "c", "c", "y", "c", "c"], "--resume", run.run_id)
    assert resumed.exit_code == 0, resumed.stdout + resumed.stderr
    again = only_run()
    assert again.run_id == run.run_id and again.status == "passed"
    assert [s.step_id for s in again.steps][:2] == ["ingestion", "validate-raw"]
    finished = oncall("runbook", "profit", "--resume", run.run_id, "--yes", "--now", T)
    assert finished.exit_code == 2 and "already finished (passed)" in finished.stderr


def test_check_values_are_numbers_everywhere(oncall: Run, demo: Path) -> None:
    result = oncall("check", "--all", "--now", T, "--json")
    data = json.loads(result.stdout)
    checks = [c for p in data["pipelines"] for c in p["checks"]]
    kinds = {c["kind"] for c in checks}
    assert {"freshness", "source_up"} <= kinds
    for c in checks:
        assert c["value"] is None or isinstance(c["value"], (int, float)), c
    fresh = next(c for c in checks if c["kind"] == "freshness" and c["value"] is not None)
    assert fresh["value"] > 0 and "old" in fresh["detail"]  # seconds, the words in detail
    # Tables still show ages as durations.
    from datetime import timedelta

    from oncall.cli.runbook_show import render_value
    from oncall.domain.timeutil import format_duration

    shown = render_value(fresh["value"], "freshness")
    assert shown == format_duration(timedelta(seconds=fresh["value"])) and "h" in shown


@pytest.mark.parametrize("later", ["2026-11-20T09:10", "2026-11-20T21:00", "2026-11-21T08:50"])
def test_the_demo_behaves_the_same_for_a_day(oncall: Run, project: Path, later: str) -> None:
    (project / "config" / "paging.yaml").unlink(missing_ok=True)
    made = oncall("state", "demo", "--now", T, "--json")
    assert made.exit_code == 0, made.stderr
    assert json.loads(made.stdout)["valid_until"] == "2026-11-21T09:00:00+05:30"

    def statuses(when: str) -> dict[str, str]:
        data = json.loads(oncall("check", "--all", "--now", when, "--json").stdout)
        return {c["id"]: c["status"] for p in data["pipelines"] for c in p["checks"]}

    at_t, then = statuses(T), statuses(later)
    assert [c for c, s in then.items() if s == "fail"] == ["growth-sources-up"]
    assert then == at_t


def test_the_demo_says_until_when(oncall: Run, project: Path) -> None:
    result = oncall("state", "demo", "--now", T)
    assert "until 2026-11-21 09:00 IST" in result.stdout


def test_a_failed_page_prints_its_error_once(oncall: Run, project: Path) -> None:
    # The shipped paging.yaml, with none of its secrets set: nothing could be delivered.
    assert oncall("state", "demo", "--now", T).exit_code == 0
    result = oncall("check", "aggregate-growth", "--page", "--now", T)
    assert result.exit_code == 3
    output = result.stdout + result.stderr
    assert output.count("ONCALL_SLACK_WEBHOOK is not set") == 1, output
    assert "page: failed: not delivered (the error below says why)" in result.stdout
