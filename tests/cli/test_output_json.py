"""render_json writes with orjson (issue 14) exactly the bytes json.dumps(indent=2) wrote."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from oncall.cli.output import render_json


def old(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.floats(min_value=-1e-3, max_value=1e-3)
    | st.text()
)
JSONISH = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=8) | st.integers(), inner, max_size=4)
    ),
    max_leaves=30,
)


@given(JSONISH)
@settings(max_examples=400, deadline=None)
def test_the_same_bytes_as_json_dumps(value: Any) -> None:
    assert render_json(value) == old(value)


def test_the_values_where_orjson_writes_otherwise() -> None:
    for value in [1e-05, 2.5e-7, float("nan"), float("-inf"), 2**64, "\ud800", {1: [], 2: {}}]:
        assert render_json({"v": value}) == old({"v": value}), value


def test_dates_and_models_are_made_json_first() -> None:
    at = datetime(2026, 11, 20, 12, 0, 30, 5, tzinfo=UTC)
    assert render_json({"at": at, "day": date(2026, 1, 2)}) == old(
        {"at": at.isoformat(), "day": "2026-01-02"}
    )
