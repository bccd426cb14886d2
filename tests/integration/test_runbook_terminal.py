"""The stepper once in a real terminal (a pty): colours, spinner, tables and prompts."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pexpect
import pytest

from tests.conftest import Run
from tests.support.processes import interruptible_children
from tests.support.store import open_cli_store

pytestmark = pytest.mark.timeout(120)

T = "2026-11-20T09:00"
PROMPT = re.escape("[c]ontinue, [r]e-run, [s]kip, [n]ote, [a]bort")
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def spawn(oncall: Run, project: Path) -> pexpect.spawn:
    """``oncall runbook profit`` in a colour pty, with demo state and paging not configured."""
    (project / "config" / "paging.yaml").unlink()
    assert oncall("state", "demo", "--now", T).exit_code == 0
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    env.update(TERM="xterm-256color", ONCALL_OPERATOR="pty")
    with interruptible_children():
        return pexpect.spawn(
            sys.executable,
            ["-m", "oncall", "runbook", "profit", "--now", T],
            cwd=str(project),
            env=env,
            dimensions=(50, 100),
            timeout=30,
            encoding="utf-8",
        )


def test_stepper_in_a_terminal(oncall: Run, project: Path) -> None:
    child = spawn(oncall, project)
    seen: list[str] = []
    try:
        for _ in range(4):  # ingestion, validate-raw, aggregate, store
            child.expect(PROMPT)
            seen.append(child.before)
            child.sendline("c")
        child.expect(
            re.escape('Done? "Confirm the investor dashboard shows today\'s profit" [y/N]')
        )
        child.sendline("y")
        child.expect(PROMPT)
        child.sendline("c")
        child.expect(PROMPT)  # notify
        seen.append(child.before)
        child.sendline("c")
        child.expect(r"Run (r-[0-9a-f]+) passed")
        run_id = child.match.group(1)
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0
    first = ANSI.sub("", seen[0])
    assert "Step 1/6: Ensure data ingestion" in first
    for column in ("check", "kind", "status", "value", "bound", "detail"):
        assert column in first
    assert re.search(r"ingest-fresh\s*│\s*freshness\s*│\s*pass", first), first
    last = ANSI.sub("", seen[-1])
    assert re.search(r"notify-owners\s*│\s*notify\s*│\s*pass", last), last
    assert "(config/paging.yaml)" in last
    with open_cli_store() as store:
        run = store.get_run(run_id)
    assert run is not None and run.status == "passed" and run.operator == "pty"
    assert [s.status for s in run.steps] == ["passed"] * 6


@pytest.mark.parametrize("key", ["ctrl-c", "ctrl-d"])
def test_ctrl_c_or_d_at_a_prompt_leaves_the_run_resumable(
    oncall: Run, project: Path, key: str
) -> None:
    child = spawn(oncall, project)
    try:
        child.expect(PROMPT)
        child.sendline("c")
        child.expect(PROMPT)  # step 2
        if key == "ctrl-c":
            child.sendintr()
        else:
            child.sendeof()
        child.expect(pexpect.EOF)
        out = ANSI.sub("", child.before)
    finally:
        child.close(force=True)
    assert child.exitstatus == 130, out
    with open_cli_store() as store:
        [run] = store.list_runs("profit")
    assert (run.status, [s.step_id for s in run.steps]) == ("running", ["ingestion"])
    line = (
        f"oncall: interrupted: run {run.run_id} is unfinished; "
        f"resume with: oncall runbook profit --resume {run.run_id}"
    )
    lines = [x.strip() for x in out.splitlines()]
    assert lines.count(line) == 1, out
    assert out.count("interrupted") == 1, out
    assert "aborted" not in out.lower(), out
