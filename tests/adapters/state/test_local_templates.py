"""Blocks proven by their templates (issue 14): ``prove_block`` never accepts a block the
grammar (with distinct label names) rejects, accepts the blocks this project writes, and the
points read through it are those a full parse of each line gives."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oncall.adapters.state import local
from oncall.adapters.state.local import LocalStateSource, _parse_line
from oncall.adapters.state.localscan import BLOCK_GRAMMAR, LABELS_TEXT, Templates, prove_block
from oncall.domain.checks import SeriesQuery

T0 = datetime(2026, 11, 20, tzinfo=UTC)


def line(metric: str, hour: int, value: object, **labels: str) -> str:
    at = (T0 + timedelta(hours=hour)).isoformat()
    return json.dumps(
        {"metric": metric, "labels": labels or {"pipeline": "p1"}, "time": at, "value": value}
    )


GOOD = [
    line("pipeline/rows", h, v, pipeline=f"pl{h:04d}", env="prod")
    for h, v in enumerate([1, 0, -0, 0.5, 1006, 3495.65, None, "NaN", 1e-05, 123456789012345])
]


def strict(block: bytes) -> bool:
    """The grammar's verdict, with the label names of every line distinct."""
    if BLOCK_GRAMMAR.fullmatch(block) is None:
        return False
    for text in LABELS_TEXT.findall(block):
        pairs = json.loads(text, object_pairs_hook=lambda pairs: pairs)
        if len({name for name, _ in pairs}) != len(pairs):
            return False
    return True


def test_the_blocks_this_project_writes_are_proven() -> None:
    block = ("\n".join(GOOD) + "\n").encode()
    assert prove_block(block, Templates())
    assert prove_block(block.replace(b"\n", b"\r\n") + b"  \n", Templates())


@pytest.mark.parametrize(
    "bad",
    [
        GOOD[0].replace('"pl0000"', '"pl0000", "pipeline": "x"'),  # a repeated label name
        GOOD[0].replace("2026-11-20", "2026-02-30"),
        GOOD[0].replace("2026-11-20", "2026-02-29"),
        GOOD[0].replace("T00:", "T24:"),
        GOOD[0].replace("00:00:00+", "00:60:00+"),
        GOOD[0].replace("+00:00", "+24:00"),
        GOOD[0].replace("2026-11-20", "2199-01-01"),
        GOOD[0].replace('"value": 1', '"value": 01'),
        GOOD[0].replace('"value": 1', '"value": 1e999'),
        GOOD[0].replace('"value": 1', '"value": "1"'),
        GOOD[0].replace("pipeline/rows", "pipeline\\/rows"),
        GOOD[0].replace("prod", "pr\x01d"),
        GOOD[0][:-1],
    ],
)
def test_a_block_with_one_malformed_line_is_not_proven(bad: str) -> None:
    block = ("\n".join([*GOOD, bad, *GOOD]) + "\n").encode()
    assert not strict(block)
    assert not prove_block(block, Templates())


def test_names_that_differ_only_in_digits_go_to_the_grammar() -> None:
    block = (GOOD[0].replace('"env"', '"k1"').replace('"pipeline"', '"k2"') + "\n").encode()
    assert strict(block)
    assert not prove_block(block, Templates())  # k1 and k2 share the template k1


ALPHABET = [*b'0123456789 {}[]":,.-+eETZ\\\r\t\nabn', 0, 0x1F, 0x7F, 0xC3]


@settings(max_examples=400, deadline=None)
@given(
    picks=st.lists(st.integers(0, len(GOOD) - 1), min_size=1, max_size=6),
    edits=st.lists(
        st.tuples(st.integers(0, 10_000), st.sampled_from(ALPHABET), st.booleans()), max_size=3
    ),
)
def test_a_proven_block_is_one_the_grammar_accepts(
    picks: list[int], edits: list[tuple[int, int, bool]]
) -> None:
    data = bytearray(("\n".join(GOOD[i] for i in picks) + "\n").encode())
    for at, byte, insert in edits:
        at %= len(data)
        if insert:
            data.insert(at, byte)
        else:
            data[at] = byte
    block = bytes(data) if data.endswith(b"\n") else bytes(data) + b"\n"
    if prove_block(block, Templates()):
        assert strict(block)


@pytest.mark.parametrize("block_bytes", [1, 300, 4 << 20])
def test_points_read_through_templates_are_those_of_a_full_parse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block_bytes: int
) -> None:
    monkeypatch.setattr(local, "_BLOCK_BYTES", block_bytes)
    file = tmp_path / "state" / "a.jsonl"
    file.parent.mkdir()
    file.write_text("\n".join(GOOD) + "\n", encoding="utf-8")
    assert prove_block(file.read_bytes(), Templates())
    expected = [_parse_line(file, n, text)[1] for n, text in enumerate(GOOD, 1)]
    wide = SeriesQuery("pipeline/rows", (), T0 - timedelta(days=1), T0 + timedelta(days=1))
    source = LocalStateSource(tmp_path / "state")
    source.expect([wide])
    got = source.fetch(wide)
    assert [(p.time, p.labels) for p in got] == [(p.time, p.labels) for p in expected]
    assert [repr(p.value) for p in got] == [repr(p.value) for p in expected]
