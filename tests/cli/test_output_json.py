"""render_json writes with orjson (issue 14) exactly the bytes json.dumps(indent=2) wrote."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ConfigDict, Field, with_config
from typing_extensions import TypedDict

from oncall.cli.output import _json_kind, _model_json, render_json, render_json_bytes
from oncall.reports.common import DayOffOut, Instant, Report


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


# ---------------------------------------------------------------------------------------
# Pydantic models without float fields are written by pydantic straight to JSON (issue 14):
# the same bytes as json.dumps of model_dump(mode="json").


class _Row(Report):
    start: Instant
    end: Instant | None = None
    person: str
    index: int
    days: list[DayOffOut] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    swapped_with: str | None = None
    counts: dict[str, int] = Field(default_factory=dict)
    spans: tuple[int, str] = (0, "")
    every: timedelta = timedelta(0)


class _Aliased(Report):
    model_config = ConfigDict(extra="forbid", validate_by_name=True, serialize_by_alias=True)
    from_: Instant = Field(alias="from")
    rows: list[_Row]
    stats: list[_Row] | None = None
    warnings: list[str] = Field(default_factory=list)


@with_config(ConfigDict(extra="forbid"))
class _RowDict(TypedDict):
    """A typed-dict row, as ShiftOut is."""

    start: Instant
    person: str
    days: list[DayOffOut]
    note: str | None


class _Rows(Report):
    rows: list[_RowDict]


class _Loose(Report):
    details: dict[str, Any]
    extra: Any = None


class _Floaty(Report):
    value: float | str | None
    ratio: float = 0.0


ZONES = st.sampled_from([UTC, ZoneInfo("Asia/Kolkata"), ZoneInfo("America/New_York")])
INSTANTS = st.builds(
    lambda d, tz: d.replace(tzinfo=tz),
    st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(2199, 12, 30)),
    ZONES,
)
DAYS = st.builds(
    DayOffOut,
    date=st.dates(),
    name=st.text(),
    kind=st.sampled_from(["holiday", "company", "leave"]),
    estimated=st.booleans(),
)
ROWS = st.builds(
    _Row,
    start=INSTANTS,
    end=st.none() | INSTANTS,
    person=st.text(),
    index=st.integers(min_value=-(2**80), max_value=2**80),
    days=st.lists(DAYS, max_size=3),
    notes=st.lists(st.text(), max_size=3),
    swapped_with=st.none() | st.text(max_size=5),
    counts=st.dictionaries(st.text(max_size=4), st.integers(), max_size=3),
    spans=st.tuples(st.integers(), st.text(max_size=3)),
    every=st.timedeltas(),
)
ALIASED = st.builds(
    _Aliased,
    from_=INSTANTS,
    rows=st.lists(ROWS, max_size=3),
    stats=st.none() | st.lists(ROWS, max_size=2),
    warnings=st.lists(st.text(), max_size=2),
)
ROW_DICTS = st.builds(
    _Rows,
    rows=st.lists(
        st.fixed_dictionaries(
            {
                "start": INSTANTS,
                "person": st.text(),
                "days": st.lists(DAYS, max_size=2),
                "note": st.none() | st.text(max_size=5),
            }
        ),
        max_size=4,
    ),
)
LOOSE = st.builds(_Loose, details=st.dictionaries(st.text(max_size=5), JSONISH), extra=JSONISH)
FLOATY = st.builds(
    _Floaty,
    value=st.none() | st.text() | st.floats(allow_nan=True, allow_infinity=True),
    ratio=st.floats(allow_nan=True, allow_infinity=True) | st.floats(-1e-3, 1e-3),
)


def dumped(model: Report) -> str:
    """The plain path: model_dump(mode="json") written by json.dumps."""
    return old(model.model_dump(mode="json", by_alias=True))


def _surrogate_free(model: Report) -> bool:
    try:
        model.model_dump_json()
    except ValueError:
        return False
    return True


@given(ALIASED | ROWS | DAYS | ROW_DICTS)
@settings(max_examples=300, deadline=None)
def test_a_float_free_model_is_written_by_pydantic_with_the_same_bytes(model: Report) -> None:
    assert render_json(model) == dumped(model)
    if _surrogate_free(model):
        assert _model_json(model) is not None  # the fast path was taken, not the fallback


@given(LOOSE | FLOATY)
@settings(max_examples=300, deadline=None)
def test_models_that_may_hold_floats_get_the_same_bytes(model: Report) -> None:
    assert render_json(model) == dumped(model)


def test_the_float_cases_pydantic_writes_otherwise_fall_back() -> None:
    for value in [float("nan"), float("inf"), float("-inf"), 1e-05, 2.5e-7]:
        model = _Floaty(value=value, ratio=value)
        assert render_json(model) == dumped(model), value
        assert _model_json(model) is None
        loose = _Loose(details={"v": value, "w": [value]})
        assert render_json(loose) == dumped(loose), value
    assert "NaN" in render_json(_Floaty(value=float("nan")))
    bad = _Row(start=datetime(2026, 1, 1, tzinfo=UTC), person="\ud800", index=1)
    assert _model_json(bad) is None
    assert render_json(bad) == dumped(bad)


def test_every_report_with_a_float_field_takes_the_plain_path() -> None:
    from oncall.reports.runbook import CheckOut
    from oncall.reports.schedule import ScheduleReport

    assert _json_kind(CheckOut, CheckOut.__pydantic_core_schema__) == "floats"
    assert _json_kind(ScheduleReport, ScheduleReport.__pydantic_core_schema__) == "none"
    assert _json_kind(_Rows, _Rows.__pydantic_core_schema__) == "none"
    assert _json_kind(_Loose, _Loose.__pydantic_core_schema__) == "maybe"


@given(ALIASED | ROWS | JSONISH)
@settings(max_examples=200, deadline=None)
def test_the_bytes_are_the_text_in_utf8_with_lone_surrogates_escaped(value: Any) -> None:
    assert render_json_bytes(value) == render_json(value).encode("utf-8", "backslashreplace")


def test_a_lone_surrogate_in_the_bytes_is_its_json_escape() -> None:
    value = {"name": "a\ud800b", "rows": ["\udfff"]}
    data = render_json_bytes(value)
    assert b"\\ud800" in data and b"\\udfff" in data
    assert json.loads(data) == json.loads(render_json(value)) == value
