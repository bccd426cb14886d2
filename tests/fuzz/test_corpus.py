"""Every hostile file of tests/fuzz/corpus/, in place of its kind of file, ends cleanly.

``any.*`` files stand in for each kind of file (owners, rotation, paging, state, runbook);
``KIND.*`` files for their kind. By default each (file, kind) runs one command, the commands
taken in turn; ``ONCALL_FUZZ_ALL_COMMANDS=1`` runs validate, who, schedule, check and
page --dry-run on every one (see tests/fuzz/README.md).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.fuzz.harness import COMMANDS, KIND_FILES, run_cli, write_project

CORPUS = Path(__file__).parent / "corpus"
ALL_COMMANDS = os.environ.get("ONCALL_FUZZ_ALL_COMMANDS", "") not in ("", "0")


def _cases() -> list[tuple[str, str, str]]:
    cases: list[tuple[str, str, str]] = []
    names = list(COMMANDS)
    for file in sorted(CORPUS.glob("*.yaml")):
        kind = file.name.split(".", 1)[0]
        for k in KIND_FILES if kind == "any" else [kind]:
            chosen = names if ALL_COMMANDS else [names[len(cases) % len(names)]]
            cases.extend((file.name, k, command) for command in chosen)
    return cases


CASES = _cases()


def test_the_corpus_covers_every_kind() -> None:
    kinds = {name.split(".", 1)[0] for name, _, _ in CASES}
    assert kinds == {"any", *KIND_FILES}
    assert len({name for name, _, _ in CASES}) >= 50


@pytest.mark.parametrize(("name", "kind", "command"), CASES)
def test_hostile_file_ends_cleanly(tmp_path: Path, name: str, kind: str, command: str) -> None:
    config = write_project(tmp_path / "team", {KIND_FILES[kind]: (CORPUS / name).read_bytes()})
    run = run_cli(config, command, tmp_path, label=f"corpus {name} as {kind}")
    assert not run.problems(), (run.problems(), run.code, run.stderr[-2000:])
