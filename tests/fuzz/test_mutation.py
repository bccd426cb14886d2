"""Hypothesis mutates the shipped YAML structurally; every run of the CLI ends cleanly.

Mutations: a value's type swapped, a key dropped, a value replaced by an extreme (huge
numbers and durations, far dates, long text, NUL and control characters, paths with '..'),
and aliases added (one value shared by several keys, or an alias bomb appended). The number
of examples is ``ONCALL_FUZZ_EXAMPLES`` (default 12 in ``make test``; see tests/fuzz/README.md).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz.harness import (
    COMMANDS,
    KIND_FILES,
    TIMEOUT_SECONDS,
    run_cli,
    shipped,
    write_project,
)

EXAMPLES = int(os.environ.get("ONCALL_FUZZ_EXAMPLES", "12"))

EXTREMES: list[Any] = [
    0,
    -1,
    10**30,
    int("9" * 400),
    1e308,
    float("inf"),
    float("nan"),
    True,
    None,
    "",
    "99999999d",
    "999999999999999999999999d",
    "0s",
    "9999-12-31",
    "0001-01-01T00:00",
    "9999-12-31T23:59:59+14:00",
    "x" * 20_000,
    "a\x00b",
    "a\x1bb",
    "../../etc/passwd",
    "/etc/passwd",
    "file:///etc/passwd",
    "http://10.1.2.3/hook",
    "A" * 10_000,
    "${HOME}",
    "{{ 7 * 7 }}",
    "\u202etxt.exe",
    [],
    {},
    [[[[[[]]]]]],
]


def _paths(data: Any, prefix: tuple[Any, ...] = (), seen: tuple[int, ...] = ()) -> list[Any]:
    """Every place in ``data``; a value containing itself (an added alias) is not entered."""
    out: list[Any] = [prefix]
    if id(data) in seen or len(prefix) > 30:
        return out
    items = (
        data.items()
        if isinstance(data, dict)
        else enumerate(data)
        if isinstance(data, list)
        else ()
    )
    for key, value in items:
        out += _paths(value, (*prefix, key), (*seen, id(data)))
    return out


def _get(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        data = data[part]
    return data


def _swap_type(value: Any) -> Any:
    if isinstance(value, dict):
        return list(value.items()) if value else "a mapping"
    if isinstance(value, list):
        return {str(i): v for i, v in enumerate(value)}
    if isinstance(value, bool):
        return "yes"
    if isinstance(value, int | float):
        return str(value) + "x"
    if isinstance(value, str):
        return {"value": value}
    return 42


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, bytes]:
    kind = draw(st.sampled_from(sorted(KIND_FILES)))
    data = yaml.safe_load(shipped()[KIND_FILES[kind]])
    bomb = False
    for _ in range(draw(st.integers(1, 4))):
        paths = _paths(data)
        path = draw(st.sampled_from(paths))
        op = draw(st.sampled_from(["swap", "drop", "extreme", "alias", "bomb"]))
        if op == "bomb":
            bomb = True
            continue
        if not path:
            if op == "swap":
                data = _swap_type(data)
            continue
        parent = _get(data, path[:-1])
        key = path[-1]
        if op == "drop":
            del parent[key]
        elif op == "swap":
            parent[key] = _swap_type(parent[key])
        elif op == "extreme":
            parent[key] = draw(st.sampled_from(EXTREMES))
        else:  # alias: the same object at a second place (yaml.dump writes &id001/*id001)
            other = draw(st.sampled_from(paths))
            parent[key] = _get(data, other)  # an ancestor makes a recursive alias
    text = yaml.safe_dump(data, allow_unicode=True, width=10_000)
    if bomb:
        levels = draw(st.integers(2, 10))
        text += "\n".join(
            f"b{i}: &b{i} [" + ", ".join([f"*b{i - 1}" if i else "x"] * 9) + "]"
            for i in range(levels)
        )
    return kind, text.encode("utf-8", "surrogatepass")


@pytest.mark.timeout(60 + EXAMPLES * TIMEOUT_SECONDS)  # every example in one test function
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=EXAMPLES <= 12,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(case=mutated(), command=st.sampled_from(sorted(COMMANDS)))
def test_mutated_shipped_yaml_ends_cleanly(case: tuple[str, bytes], command: str) -> None:
    kind, data = case
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        config = write_project(root / "team", {KIND_FILES[kind]: data})
        run = run_cli(config, command, root, label=f"mutation of {kind}")
    assert not run.problems(), (kind, command, run.problems(), run.code, run.stderr[-2000:])
