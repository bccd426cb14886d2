"""The fuzz harness keeps its guarantees: a run past the time limit is a hang, a run past the
memory limit fails, and a clean run is clean (so the corpus and mutation tests can fail)."""

from __future__ import annotations

from pathlib import Path

from tests.fuzz.harness import Run, run_cli, write_project


def test_a_clean_run_is_clean(tmp_path: Path) -> None:
    run = run_cli(write_project(tmp_path / "team"), "validate", tmp_path)
    assert run.code in (0, 1) and run.problems() == [], (run.code, run.stderr)
    assert "config" in run.stdout + run.stderr


def test_a_run_past_the_time_limit_is_a_hang(tmp_path: Path) -> None:
    run = run_cli(write_project(tmp_path / "team"), "check", tmp_path, timeout=0.001)
    assert run.code is None and run.signal == "SIGALRM"
    (problem,) = run.problems()
    assert problem.endswith("(a hang)")


def test_a_run_past_the_memory_limit_fails(tmp_path: Path) -> None:
    big = b"team: {name: x}\n# " + b"x" * 3_000_000 + b"\n"  # reading it needs new memory
    config = write_project(tmp_path / "team", {"config/owners.yaml": big})
    run = run_cli(config, "validate", tmp_path, memory=1)  # no more than what is mapped
    assert run.problems() != [], (run.code, run.stderr[-500:])
    assert run.code != 0


def test_problems_name_each_way_a_run_goes_wrong() -> None:
    assert Run(("x",), 0, "ok", "").problems() == []
    assert Run(("x",), 70, "", "Traceback (most recent call last):\n").problems() == [
        "exit code 70",
        "a traceback",
    ]
    assert Run(("x",), 2, "", "oncall: internal error: boom").problems() == ["an internal error"]
    assert Run(("x",), 2, "", "").problems() == ["no message"]
    assert Run(("x",), None, "", "", "SIGKILL").problems() == ["killed by SIGKILL"]
    assert Run(("x",), 1, "", "e" * 3000).problems() == ["a message line of 3000 characters"]
