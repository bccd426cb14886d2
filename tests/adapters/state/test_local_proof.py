"""Large state directories are proven by a forked child while points are extracted (issue 14):
the answers, and the malformed line reported, are those of reading in one process."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from oncall.adapters.state import localproof
from oncall.adapters.state.local import LocalStateSource, StateDataError
from oncall.domain.checks import Point, SeriesQuery

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="no os.fork here")

T0 = datetime(2026, 11, 20, tzinfo=UTC)
READ = "pipeline/read"


def line(hour: int, value: object = 1, pipeline: str = "p1") -> str:
    at = (T0 + timedelta(hours=hour)).isoformat()
    return json.dumps(
        {"metric": READ, "labels": {"pipeline": pipeline}, "time": at, "value": value}
    )


QUERY = SeriesQuery(READ, (("pipeline", "p1"),), T0, T0 + timedelta(hours=30))


def write(folder: Path, files: dict[str, list[str]]) -> None:
    folder.mkdir(exist_ok=True)
    for name, lines in files.items():
        (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")


def read(folder: Path, monkeypatch: pytest.MonkeyPatch, *, fork: bool) -> list[Point]:
    monkeypatch.setattr(localproof, "PARALLEL_BYTES", 0 if fork else 1 << 60)
    monkeypatch.setattr(localproof, "spare_core", lambda: True)  # whatever the machine's load
    monkeypatch.setattr(localproof, "grpc_loaded", lambda: False)  # other tests may load it
    source = LocalStateSource(folder)
    source.expect([QUERY])
    return source.fetch(QUERY)


def answers(points: list[Point]) -> list[tuple[datetime, str, object]]:
    return [(p.time, repr(p.value), p.labels) for p in points]


ODD = line(7, 7).replace(", ", ",")  # another spacing: judged line by line

CASES = {
    "all-proven": {
        "a.jsonl": [line(h, h) for h in range(20)],
        "b.jsonl": [line(h) for h in range(20, 40)],
    },
    "odd-second-file": {"a.jsonl": [line(h, h) for h in range(10)], "b.jsonl": [ODD, line(12, 3)]},
    "odd-first-file": {"a.jsonl": [ODD, line(1)], "b.jsonl": [line(h, -h) for h in range(20)]},
}


@pytest.mark.parametrize("files", CASES.values(), ids=CASES.keys())
def test_forked_proof_gives_the_answers_of_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, files: dict[str, list[str]]
) -> None:
    write(tmp_path / "state", files)
    alone = read(tmp_path / "state", monkeypatch, fork=False)
    assert alone  # the case reads something
    assert answers(read(tmp_path / "state", monkeypatch, fork=True)) == answers(alone)


@pytest.mark.parametrize("where", ["first", "second"])
def test_the_first_malformed_line_is_reported_as_in_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    bad = line(5).replace('"value": 1', '"value": "many"')
    good = [line(h) for h in range(10)]
    first, second = (
        ([*good[:3], bad, *good[3:]], good) if where == "first" else (good, [*good, bad])
    )
    write(tmp_path / "state", {"a.jsonl": first, "b.jsonl": second, "c.jsonl": [bad]})
    messages = []
    for fork in (False, True):
        with pytest.raises(StateDataError) as caught:
            read(tmp_path / "state", monkeypatch, fork=fork)
        messages.append(str(caught.value))
    expected = f"{tmp_path / 'state' / ('a.jsonl:4' if where == 'first' else 'b.jsonl:11')}: "
    assert messages[0].startswith(expected)
    assert messages[1] == messages[0]


def test_a_child_without_an_answer_means_read_everything_carefully(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path / "state", CASES["all-proven"])
    forked = tmp_path / "forked"

    def die(files: object, size: object) -> int:
        forked.touch()
        os._exit(3)

    monkeypatch.setattr(localproof, "_first_unproven", die)
    alone = answers(read(tmp_path / "state", monkeypatch, fork=False))
    assert not forked.exists()
    assert answers(read(tmp_path / "state", monkeypatch, fork=True)) == alone
    assert forked.exists()  # the child ran, and its silence was taken as "read carefully"


def test_a_process_with_grpc_loaded_never_forks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys
    import types

    monkeypatch.setattr(localproof, "PARALLEL_BYTES", 0)
    monkeypatch.setattr(localproof, "spare_core", lambda: True)
    monkeypatch.setitem(sys.modules, "grpc", types.ModuleType("grpc"))
    write(tmp_path, CASES["all-proven"])
    files = sorted(tmp_path.glob("*.jsonl"))
    assert localproof.grpc_loaded()
    assert localproof.start_proof(files, 1 << 20) is None
    monkeypatch.delitem(sys.modules, "grpc")
    assert not localproof.grpc_loaded()
    monkeypatch.setattr(localproof, "grpc_loaded", lambda: False)  # whatever else loaded it
    proof = localproof.start_proof(files, 1 << 20)
    assert proof is not None  # the same files without gRPC: a child proves them
    proof.cancel()
