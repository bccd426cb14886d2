"""``oncall runbook``: list, show, the stepper driven by scripted answers, history, resume."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

import pytest

from oncall.cli.runbook_run import resolve_action, resolve_default_action
from oncall.config import load_config
from oncall.domain.runbook import Step
from oncall.domain.timeutil import parse_instant
from oncall.reports.runbook import CheckOut
from oncall.services.runbook.catalog import load_runbook
from oncall.services.runbook.notify import NOT_CONFIGURED, notify_owners
from oncall.services.runbook.sources import load_state_sources
from oncall.services.runbook.stepper import Action, Stepper
from tests.conftest import Run
from tests.support.store import open_cli_store

T = "2026-11-20T09:00"
PROFIT_STEPS = ["ingestion", "validate-raw", "aggregate", "store", "dashboard-review", "notify"]
RUN_KEYS = {
    "runbook",
    "pipeline",
    "run_id",
    "status",
    "operator",
    "started",
    "finished",
    "steps",
    "dry_run",
    "notes",
}
STEP_KEYS = {"id", "title", "status", "checks"}
CHECK_KEYS = {"id", "kind", "status", "value", "detail"}


@pytest.fixture
def demo(oncall: Run, project: Path) -> Path:
    """Demo state at T in the default local source; paging not configured."""
    (project / "config" / "paging.yaml").unlink(missing_ok=True)
    result = oncall("state", "demo", "--now", T)
    assert result.exit_code == 0, result.stderr
    return project / "state"


def run_json(oncall: Run, *args: str) -> tuple[int, dict[str, Any]]:
    result = oncall("runbook", *args, "--now", T, "--json")
    data = json.loads(result.stdout)
    assert isinstance(data, dict)
    return result.exit_code, data


def steps_by_id(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["id"]: s for s in data["steps"]}


def only_run(runbook: str = "profit") -> Any:
    with open_cli_store() as store:
        [run] = store.list_runs(runbook)
        return run


def interactive(oncall: Run, answers: Sequence[str], *extra: str) -> Any:
    return oncall(
        "runbook", "profit", "--interactive", "--now", T, *extra, input="\n".join(answers) + "\n"
    )


# -- list and show -------------------------------------------------------------------------


def test_list_shows_every_runbook(oncall: Run) -> None:
    result = oncall("runbook", "list", "--json")
    assert result.exit_code == 0, result.stderr
    rows = {r["name"]: r for r in json.loads(result.stdout)["runbooks"]}
    assert set(rows) == {"profit", "growth", "engagement"}
    assert (rows["profit"]["pipeline"], rows["profit"]["steps"], rows["profit"]["checks"]) == (
        "aggregate-profit",
        6,
        12,
    )
    human = oncall("runbook", "list")
    assert "aggregate-growth" in human.stdout
    assert all(len(line) <= 80 for line in human.stdout.splitlines())


def test_show_text_and_markdown(oncall: Run) -> None:
    text = oncall("runbook", "show", "profit")
    assert text.exit_code == 0, text.stderr
    assert "5. Confirm the investor dashboard shows today's profit [dashboard-review]" in (
        text.stdout
    )
    assert "check ingest-fresh (freshness):" in text.stdout
    assert "fail_after 27h" in text.stdout
    assert all(
        len(line) <= 80 for line in text.stdout.splitlines() if not line.startswith("file ")
    ), text.stdout
    md = oncall("runbook", "show", "profit", "--format", "markdown")
    assert md.stdout.startswith("# Profit pipeline")
    items = [line for line in md.stdout.splitlines() if line.startswith("- [ ] ")]
    assert len(items) == 6
    assert items[0] == (
        "- [ ] **Ensure data ingestion from financial systems is complete** (`ingestion`)"
    )
    assert "(manual: confirm when done)" in items[4]
    assert "  - `profit-sla` (sla):" in md.stdout


def test_show_json_and_pipeline_alias(oncall: Run) -> None:
    data = json.loads(oncall("runbook", "show", "aggregate-profit", "--json").stdout)
    assert data["name"] == "profit"
    assert [s["id"] for s in data["steps"]] == PROFIT_STEPS


def test_unknown_runbook_suggests(oncall: Run) -> None:
    result = oncall("runbook", "show", "proft")
    assert result.exit_code == 2
    assert "did you mean 'profit'" in result.stderr


# -- bad runbook files -----------------------------------------------------------------------

GOOD_STEP = """title: X
pipeline: aggregate-profit
steps:
  - id: one
    title: First
    checks:
      - {id: c1, kind: freshness, metric: pipeline/ingest_completed, fail_after: 27h}
"""


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (GOOD_STEP.replace("fail_after: 27h", "fail_afer: 27h"), 7, "unknown key 'fail_afer'"),
        (GOOD_STEP.replace("27h", "27"), 7, "a duration is text with a unit"),
        (
            GOOD_STEP + "  - id: one\n    title: Again\n",
            4,
            "step id 'one' is used by steps 1 and 2",
        ),
        (GOOD_STEP.replace("pipeline: aggregate-profit", "pipeline: agregate-profit"), 2, "did"),
    ],
    ids=["unknown-key", "bad-duration", "duplicate-step", "unknown-pipeline"],
)
def test_bad_runbook_is_located(
    oncall: Run, project: Path, text: str, line: int, message: str
) -> None:
    (project / "runbooks" / "x.yaml").write_text(text)
    result = oncall("runbook", "show", "x")
    assert result.exit_code == 2
    found = re.findall(r"runbooks/x\.yaml:(\d+):(\d+): error: (.*)", result.stderr)
    assert found, result.stderr
    assert any(int(at) == line and message in text for at, _, text in found), result.stderr
    assert "Traceback" not in result.stderr


def test_list_shows_the_valid_runbooks_despite_a_broken_one(oncall: Run, project: Path) -> None:
    (project / "runbooks" / "x.yaml").write_text(GOOD_STEP.replace("27h", "27"))
    result = oncall("runbook", "list")
    assert result.exit_code == 2
    for name in ("profit", "growth", "engagement"):
        assert re.search(rf"^{name}\s", result.stdout, re.M), result.stdout
    assert re.search(r"runbooks/x\.yaml:7:\d+: error: .*a duration is text", result.stderr)
    assert "Traceback" not in result.stderr
    data = oncall("runbook", "list", "--json")
    assert data.exit_code == 2
    names = [r["name"] for r in json.loads(data.stdout)["runbooks"]]
    assert sorted(names) == ["engagement", "growth", "profit"]
    assert "x.yaml:7:" in data.stderr


def test_run_help_states_every_exit_code_and_what_yes_means(oncall: Run) -> None:
    text = " ".join(oncall("runbook", "run", "--help").stdout.split())
    assert "3 a state source was unavailable or the notify step could not deliver" in text
    assert "steps with confirm: are recorded as skipped, not confirmed" in text
    assert "--yes means no prompts" in text and "recorded as SKIPPED, not confirmed" in text


def test_runbook_source_must_be_defined(oncall: Run, project: Path, demo: Path) -> None:
    path = project / "runbooks" / "profit.yaml"
    path.write_text(path.read_text().replace("source: default", "source: gcp"))
    line = path.read_text().splitlines().index("source: gcp") + 1
    result = oncall("runbook", "profit", "--yes", "--now", T)
    assert result.exit_code == 2
    assert re.search(
        rf"runbooks/profit\.yaml:{line}:\d+: error: source: unknown state source 'gcp'",
        result.stderr,
    )
    assert only_run_count() == 0


def only_run_count() -> int:
    with open_cli_store() as store:
        return len(store.list_runs())


# -- non-interactive runs and JSON -------------------------------------------------------------


def test_yes_json_shape_and_outcomes(oncall: Run, demo: Path) -> None:
    code, data = run_json(oncall, "profit", "--yes", "--operator", "alice")
    assert code == 0
    assert set(data) == RUN_KEYS
    assert (data["runbook"], data["pipeline"], data["status"], data["operator"]) == (
        "profit",
        "aggregate-profit",
        "passed",
        "alice",
    )
    assert [s["id"] for s in data["steps"]] == PROFIT_STEPS
    for step in data["steps"]:
        assert STEP_KEYS <= set(step)
        for check in step["checks"]:
            assert CHECK_KEYS <= set(check)
    steps = steps_by_id(data)
    assert [c["id"] for c in steps["ingestion"]["checks"]] == [
        "ingest-fresh",
        "ingest-hourly-complete",
        "sql-ingest-complete",
    ]
    assert {c["status"] for s in data["steps"] for c in s["checks"]} == {"pass"}
    assert steps["dashboard-review"]["status"] == "skipped"
    assert steps["dashboard-review"]["note"] == "not confirmed (non-interactive)"
    assert steps["notify"]["status"] == "passed"
    assert steps["notify"]["checks"][0]["detail"] == NOT_CONFIGURED
    assert data["started"].endswith("+05:30") and data["finished"] is not None
    run = only_run()
    assert run.run_id == data["run_id"] and run.status == "passed"
    assert [s.step_id for s in run.steps] == PROFIT_STEPS


def test_no_tty_means_no_prompts(oncall: Run, demo: Path) -> None:
    # CliRunner's stdin is not a terminal: nothing is asked, the run completes.
    result = oncall("runbook", "run", "profit", "--now", T)
    assert result.exit_code == 0, result.stderr
    assert "[c]ontinue" not in result.stdout
    assert re.search(r"Run r-[0-9a-f]+ passed: 5 passed, 1 skipped", result.stdout)
    assert "last run   none" in result.stdout
    assert "on call    " in result.stdout
    assert all(len(line) <= 80 for line in result.stdout.splitlines()), result.stdout


def test_planted_failure_fails_growth(oncall: Run, demo: Path) -> None:
    code, data = run_json(oncall, "growth", "--yes")
    assert code == 1
    assert data["status"] == "failed"
    failing = [c["id"] for s in data["steps"] for c in s["checks"] if c["status"] == "fail"]
    assert failing == ["growth-sources-up"]
    assert steps_by_id(data)["ingestion"]["status"] == "failed"


def test_missing_state_is_error_exit_3(oncall: Run, project: Path) -> None:
    code, data = run_json(oncall, "profit", "--yes")
    assert code == 3
    assert data["status"] == "error"
    first = steps_by_id(data)["ingestion"]["checks"][0]
    assert first["status"] == "error"
    assert "oncall state demo" in first["detail"]


def test_undeliverable_notification_is_an_error(oncall: Run, project: Path) -> None:
    # The shipped paging.yaml, with none of its secrets set: nothing can be delivered.
    assert oncall("state", "demo", "--now", T).exit_code == 0
    code, data = run_json(oncall, "profit", "--yes")
    notify = steps_by_id(data)["notify"]
    assert notify["status"] == "error"
    assert "kept in the outbox" in notify["checks"][0]["detail"]
    assert (code, data["status"]) == (3, "error")
    code, data = run_json(oncall, "profit", "--yes", "--dry-run")
    assert (code, data["status"]) == (0, "passed")
    dry = steps_by_id(data)["notify"]
    assert dry["status"] == "skipped" and not dry["checks"]
    assert dry["skip_reason"].startswith("dry run: owners not notified (dry run: would send")


# -- the stepper with scripted answers ---------------------------------------------------------


def test_continue_and_confirm(oncall: Run, demo: Path) -> None:
    result = interactive(oncall, ["c", "c", "c", "c", "y", "c", "c"], "--operator", "bob")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert result.stdout.count("[c]ontinue, [r]e-run, [s]kip, [n]ote, [a]bort") == 6
    assert 'Done? "Confirm the investor dashboard shows today\'s profit" [y/N]:' in result.stdout
    assert "Confirm you did it" not in result.stdout
    run = only_run()
    assert run.status == "passed" and run.operator == "bob"
    assert [(s.step_id, s.status) for s in run.steps] == [
        ("ingestion", "passed"),
        ("validate-raw", "passed"),
        ("aggregate", "passed"),
        ("store", "passed"),
        ("dashboard-review", "passed"),
        ("notify", "passed"),
    ]


def test_not_confirmed_fails_the_step(oncall: Run, demo: Path) -> None:
    result = interactive(oncall, ["c", "c", "c", "c", "n", "c", "c"])
    assert result.exit_code == 1
    run = only_run()
    review = run.step("dashboard-review")
    assert (review.status, review.note) == ("failed", "the operator did not confirm it was done")
    assert run.status == "failed"


def test_skip_asks_a_reason(oncall: Run, demo: Path) -> None:
    answers = ["s", "", "  ", "extract still running", "c", "c", "c", "y", "c", "c"]
    result = interactive(oncall, answers)
    assert result.exit_code == 0, result.stdout
    assert result.stdout.count("Why skip this step?") == 3
    assert result.stdout.count("A skip needs a reason") == 2
    run = only_run()
    skipped = run.step("ingestion")
    assert (skipped.status, skipped.note) == ("skipped", "extract still running")
    assert [c["id"] for c in skipped.checks] == [
        "ingest-fresh",
        "ingest-hourly-complete",
        "sql-ingest-complete",
    ]


def test_note_then_continue(oncall: Run, demo: Path) -> None:
    answers = ["n", "composer looked green", "n", " ", "c", "c", "c", "c", "y", "c", "c"]
    result = interactive(oncall, answers)
    assert result.exit_code == 0, result.stdout
    run = only_run()
    assert [(n.step_id, n.text) for n in run.notes] == [("ingestion", "composer looked green")]
    assert result.stdout.count(f"note saved to run {run.run_id}") == 1
    assert result.stdout.count("empty note: nothing saved") == 1
    history = json.loads(oncall("runbook", "history", "profit", "--json").stdout)
    assert history["runs"][0]["notes"][0]["text"] == "composer looked green"


def test_rerun_runs_the_checks_again(oncall: Run, demo: Path) -> None:
    result = interactive(oncall, ["r", "c", "c", "c", "c", "y", "c", "c"])
    assert result.exit_code == 0, result.stdout
    assert result.stdout.count("Step 1/6") == 1
    assert result.stdout.count("ingest-hourly-c") == 2  # two results tables for step 1
    assert only_run().step("ingestion").attempts == 1


@pytest.mark.parametrize(
    ("answer", "action"),
    [
        ("c", "continue"),
        (" Continue ", "continue"),
        ("r", "rerun"),
        ("RERUN", "rerun"),
        ("re-run", "rerun"),
        ("s", "skip"),
        ("skip", "skip"),
        ("N", "note"),
        ("note", "note"),
        ("a", "abort"),
        ("abort", "abort"),
        ("clear; cd /tmp", None),
        ("cont", None),
        ("re run", None),
        ("no", None),
        ("ab", None),
        ("yes", None),
        ("", None),
    ],
)
def test_only_exact_choices_name_an_action(answer: str, action: str | None) -> None:
    assert resolve_action(answer) == action


def test_menu_asks_again_after_a_wrong_answer(oncall: Run, demo: Path) -> None:
    answers = ["clear; cd /tmp", "abc", " Continue ", "S", "upstream late", "c", "c", "y", "c"]
    answers.append("c")
    result = interactive(oncall, answers)
    assert result.exit_code == 0, result.stdout
    expected = ": answer c (continue), r (re-run), s (skip), n (note) or a (abort)."
    assert f"'clear; cd /tmp' is not a choice{expected}" in result.stdout
    assert f"'abc' is not a choice{expected}" in result.stdout
    assert result.stdout.count("[c]ontinue, [r]e-run, [s]kip, [n]ote, [a]bort") == 8
    run = only_run()
    assert [(s.step_id, s.status) for s in run.steps][:2] == [
        ("ingestion", "passed"),
        ("validate-raw", "skipped"),
    ]
    assert run.step("validate-raw").note == "upstream late"


@pytest.mark.parametrize(
    ("status", "default"), [("passed", "c"), ("warned", "c"), ("failed", "r"), ("error", "r")]
)
def test_enter_reruns_after_a_failure_and_continues_otherwise(status: Any, default: str) -> None:
    assert resolve_default_action(status) == default


def test_enter_at_a_failed_step_reruns_it(oncall: Run, demo: Path) -> None:
    # Not confirmed: the step fails, and Enter re-runs it (asking again) instead of going on.
    result = interactive(oncall, ["", "", "", "", "n", "", "y", "", ""])
    assert result.exit_code == 0, result.stdout
    menu = "[c]ontinue, [r]e-run, [s]kip, [n]ote, [a]bort, Ctrl-C pause"
    assert result.stdout.count(f"Step failed. {menu} [r]:") == 1
    assert result.stdout.count(f"Step passed. {menu} [c]:") == 6  # 4 steps, review, notify
    assert result.stdout.count('Done? "Confirm the investor dashboard') == 2
    run = only_run()
    assert run.status == "passed"
    assert run.step("dashboard-review").status == "passed"


def test_enter_at_an_error_step_reruns_it(oncall: Run, project: Path) -> None:
    # No state at all: step 1 is an error; Enter re-runs it, `c` has to be typed.
    (project / "config" / "paging.yaml").unlink()
    result = interactive(oncall, ["", "", "c", "a"])
    assert result.exit_code == 1, result.stdout
    assert result.stdout.count("Step 1/6") == 1
    menu = "[c]ontinue, [r]e-run, [s]kip, [n]ote, [a]bort, Ctrl-C pause"
    assert result.stdout.count(f"Step error. {menu} [r]:") == 4
    assert [(s.step_id, s.status) for s in only_run().steps] == [("ingestion", "error")]


INTERRUPTED = (
    "interrupted: run {id} is unfinished; resume with: oncall runbook profit --resume {id}"
)


def test_end_of_input_at_a_prompt_leaves_the_run_resumable(oncall: Run, demo: Path) -> None:
    result = interactive(oncall, ["c"])  # stdin ends at step 2's prompt, as Ctrl-D does
    assert result.exit_code == 130, result.stdout + result.stderr
    run = only_run()
    assert (run.status, [s.step_id for s in run.steps]) == ("running", ["ingestion"])
    assert result.stderr.count(INTERRUPTED.format(id=run.run_id)) == 1
    assert result.stderr.count("interrupted") == 1
    assert "aborted" not in result.stdout + result.stderr.lower()
    # A new run says there is an unfinished one; resuming it does not.
    fresh = oncall("runbook", "profit", "--yes", "--now", T)
    assert fresh.exit_code == 0, fresh.stderr
    assert re.search(
        rf"^unfinished run {run.run_id} from 20\d\d-\d\d-\d\d \d\d:\d\d IST by \S+ "
        rf"\(resume with --resume {run.run_id}\)$",
        fresh.stdout,
        re.M,
    ), fresh.stdout
    resumed = oncall("runbook", "profit", "--resume", run.run_id, "--yes", "--now", T)
    assert resumed.exit_code == 0, resumed.stderr
    assert "unfinished run" not in resumed.stdout
    assert "Step 2/6" in resumed.stdout and "Step 1/6" not in resumed.stdout
    after = oncall("runbook", "profit", "--yes", "--now", T)
    assert "unfinished run" not in after.stdout


def test_ctrl_c_during_checks_leaves_the_run_resumable(
    oncall: Run, demo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from oncall.services.runbook.engine import CheckEngine

    real = CheckEngine.run
    calls: list[int] = []

    def interrupted_second_time(self: CheckEngine, *args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(self, *args, **kwargs)

    monkeypatch.setattr(CheckEngine, "run", interrupted_second_time)
    result = oncall("runbook", "profit", "--yes", "--now", T)
    assert result.exit_code == 130, result.stdout + result.stderr
    run = only_run()
    assert (run.status, [s.step_id for s in run.steps]) == ("running", ["ingestion"])
    assert result.stderr.count(INTERRUPTED.format(id=run.run_id)) == 1
    assert result.stderr.count("interrupted") == 1


def test_abort_stops_and_records(oncall: Run, demo: Path) -> None:
    result = interactive(oncall, ["c", "a"])
    assert result.exit_code == 1
    assert "Step 3/6" not in result.stdout
    run = only_run()
    assert run.status == "aborted"
    assert [s.step_id for s in run.steps] == ["ingestion"]
    assert re.search(r"Run r-[0-9a-f]+ aborted", result.stdout)


def test_history_lists_runs(oncall: Run, demo: Path) -> None:
    assert oncall("runbook", "profit", "--yes", "--now", T).exit_code == 0
    assert oncall("runbook", "growth", "--yes", "--now", T).exit_code == 1
    data = json.loads(oncall("runbook", "history", "--json").stdout)
    assert [(r["runbook"], r["status"]) for r in data["runs"]] == [
        ("growth", "failed"),
        ("profit", "passed"),
    ]
    only_profit = json.loads(oncall("runbook", "history", "profit", "--json").stdout)
    assert [r["runbook"] for r in only_profit["runs"]] == ["profit"]
    human = oncall("runbook", "history")
    assert "growth-sources-up" not in human.stdout  # steps, not checks, need attention
    assert re.search(r"r-[0-9a-f]+\s+growth\s+failed", human.stdout)
    header = oncall("runbook", "profit", "--yes", "--now", T).stdout
    assert re.search(r"last run   r-[0-9a-f]+ passed", header)


# -- a rerun sees fresh state (the stepper as a class) -------------------------------------------


class Scripted:
    """An Interaction that answers from a list and can act before answering."""

    def __init__(self, answers: list[Action], before: dict[int, Any] | None = None) -> None:
        self.answers = answers
        self.before = before or {}
        self.asked = 0
        self.results: list[list[CheckOut]] = []

    def step_started(self, index: int, total: int, step: Step) -> None:
        pass

    def checks_running(self, step: Step, count: int) -> AbstractContextManager[None]:
        return nullcontext()

    def step_results(self, step: Step, results: Sequence[CheckOut]) -> None:
        self.results.append(list(results))

    def confirm(self, step: Step) -> bool:
        return True

    def choose(self, step: Step, status: str) -> Action:
        action = self.before.get(self.asked)
        if action is not None:
            action()
        self.asked += 1
        return self.answers.pop(0)

    def ask_reason(self, step: Step) -> str:
        return "r"

    def ask_note(self, step: Step) -> str:
        return "n"

    def note_saved(self, step: Step, run_id: str) -> None:
        pass


def test_rerun_reads_fresh_state(config_dir: Path, project: Path) -> None:
    cfg = load_config(config_dir)
    now = parse_instant(T, cfg.team_tz)
    state = project / "state"
    state.mkdir()
    ui = Scripted(["rerun", "abort"], before={0: lambda: _write_demo(state, now, cfg.team_tz)})
    with load_state_sources(cfg) as sources, open_cli_store() as store:
        stepper = Stepper(
            cfg=cfg,
            loaded=load_runbook(cfg, "profit"),
            sources=sources,
            store=store,
            ui=ui,
            interactive=True,
            now=now,
            clock=lambda: now,
            notifier=notify_owners,
        )
        stepper.start("tester")
        run = stepper.run()
    first, second = ui.results
    # An empty directory: no data, and no warehouse file (the SQL check is an error).
    assert [r.status for r in first] == ["fail", "fail", "error"]
    assert [r.status for r in second] == ["pass", "pass", "pass"]  # re-read: the files appeared
    assert run.status == "aborted"


def _write_demo(state: Path, now: Any, tz: Any) -> None:
    from oncall.adapters.state.demo import write_demo_state
    from oncall.adapters.state.demo_warehouse import write_demo_warehouse

    write_demo_state(state, now, tz)
    write_demo_warehouse(state / "warehouse.db", now, tz)


# -- resume after a crash ---------------------------------------------------------------------


def test_resume_after_killed_run(oncall: Run, project: Path, demo: Path) -> None:
    from oncall.cli.runbook_run import CHOICES

    proc = subprocess.Popen(
        [sys.executable, "-m", "oncall", "runbook", "profit", "--interactive", "--now", T],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=project,
        env={**os.environ, "ONCALL_OPERATOR": "crashy"},
    )
    try:
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(b"c\n")  # continue step 1, then block on step 2's prompt
        proc.stdin.flush()
        # Read what the stepper prints until step 2's menu is on screen: step 1 is recorded
        # and step 2's checks have run. No sleeping: the reads block (pytest-timeout bounds them).
        seen = b""
        while seen.count(CHOICES.encode()) < 2:
            chunk = os.read(proc.stdout.fileno(), 4096)
            assert chunk, f"the stepper ended early: {proc.stderr.read() if proc.stderr else ''}"
            seen += chunk
        assert proc.poll() is None
    finally:
        proc.kill()
        proc.wait(10)
        for stream in (proc.stdout, proc.stderr, proc.stdin):
            if stream:
                stream.close()
    crashed = only_run()
    assert (crashed.status, [s.step_id for s in crashed.steps]) == ("running", ["ingestion"])

    result = oncall("runbook", "profit", "--resume", "--yes", "--now", T)
    assert result.exit_code == 0, result.stderr
    assert "Step 1/6" not in result.stdout
    assert "Step 2/6: Validate raw data" in result.stdout
    assert f"this run   {crashed.run_id} resumed by crashy, 1 of 6 steps already done" in (
        result.stdout
    )
    with open_cli_store() as store:
        final = store.get_run(crashed.run_id)
        events = store.events(crashed.run_id)
    assert final is not None and final.status == "passed"
    assert [s.step_id for s in final.steps] == PROFIT_STEPS
    assert all(s.attempts == 1 for s in final.steps)
    recorded = [e.payload["step_id"] for e in events if e.kind in ("step", "skip", "rerun")]
    assert recorded == PROFIT_STEPS
    assert final.step("ingestion").finished < final.step("validate-raw").finished
    again = oncall("runbook", "profit", "--resume", "--yes", "--now", T)
    assert again.exit_code == 2
    assert "no unfinished run of runbook 'profit'" in again.stderr
    by_id = oncall("runbook", "profit", "--resume", crashed.run_id, "--now", T)
    assert by_id.exit_code == 2
    assert "already finished (passed)" in by_id.stderr


def test_run_id_needs_resume(oncall: Run, demo: Path) -> None:
    result = oncall("runbook", "profit", "r-12345678", "--now", T)
    assert result.exit_code == 2
    assert "a RUN_ID goes with --resume" in result.stderr
