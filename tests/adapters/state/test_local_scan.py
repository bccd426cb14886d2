"""The block grammar of the local state source (issue 14): proven blocks are read in C, yet
every malformed line is still reported with its file and line, whatever its metric, and the
points read are exactly those a full parse of each line gives."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from oncall.adapters.state import local
from oncall.adapters.state.local import LocalStateSource, StateDataError, _parse_line
from oncall.adapters.state.localscan import BLOCK_GRAMMAR, LINE_SHAPE
from oncall.domain.checks import SeriesQuery

T0 = datetime(2026, 11, 20, tzinfo=UTC)
READ, UNREAD = "pipeline/read", "pipeline/unread"


def line(metric: str, hour: int, value: object = 1, **labels: str) -> str:
    at = (T0 + timedelta(hours=hour)).isoformat()
    return json.dumps(
        {"metric": metric, "labels": labels or {"pipeline": "p1"}, "time": at, "value": value}
    )


def q(first: int, last: int) -> SeriesQuery:
    return SeriesQuery(
        READ, (("pipeline", "p1"),), T0 + timedelta(hours=first), T0 + timedelta(hours=last)
    )


GOOD = [line(m, h, h) for h in range(40) for m in (READ, UNREAD)]

MALFORMED = {
    "duplicate-label": line(UNREAD, 3).replace('{"pipeline": "p1"}', '{"a": "1", "a": "2"}'),
    "february-30": line(UNREAD, 3).replace("2026-11-20", "2026-02-30"),
    "february-29-2026": line(UNREAD, 3).replace("2026-11-20", "2026-02-29"),
    "hour-24": line(UNREAD, 3).replace("T03:", "T24:"),
    "no-offset": line(UNREAD, 3).replace("+00:00", ""),
    "text-value": line(UNREAD, 3, "many"),
    "bad-json": line(UNREAD, 3)[:-1],
    "unknown-key": line(UNREAD, 3)[:-1] + ', "unit": "s"}',
    "huge-number": line(UNREAD, 3, 1).replace('"value": 1', '"value": 1e999'),
    "far-future": line(UNREAD, 3).replace("2026-11-20", "2200-01-01"),
}


@pytest.mark.parametrize("bad", MALFORMED.values(), ids=MALFORMED.keys())
@pytest.mark.parametrize("block_bytes", [64, 4 << 20])
def test_a_malformed_line_of_a_metric_no_check_reads_is_located(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bad: str, block_bytes: int
) -> None:
    monkeypatch.setattr(local, "_BLOCK_BYTES", block_bytes)
    file = tmp_path / "state" / "a.jsonl"
    file.parent.mkdir()
    file.write_text("\n".join([*GOOD[:50], bad, *GOOD[50:]]) + "\n", encoding="utf-8")
    source = LocalStateSource(tmp_path / "state")
    source.expect([q(10, 20)])
    with pytest.raises(StateDataError, match=rf"^{file}:51: "):
        source.fetch(q(10, 20))


def test_the_first_malformed_line_is_the_one_reported(tmp_path: Path) -> None:
    file = tmp_path / "state" / "a.jsonl"
    file.parent.mkdir()
    lines = [*GOOD[:5], MALFORMED["duplicate-label"], *GOOD[5:9], MALFORMED["text-value"]]
    file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(StateDataError, match=rf"^{file}:6: duplicate key 'a'"):
        LocalStateSource(tmp_path / "state").fetch(q(0, 40))


ODD = [
    line(READ, 1, -0),
    line(READ, 2, 1e-5),
    line(READ, 3, 123456789012345),
    line(READ, 4, None),
    line(READ, 5, "NaN"),
    line(READ, 6, 0.1).replace("+00:00", "Z"),
    line(READ, 7, 2).replace(":00+00:00", ":00.25+05:30"),
    line(READ, 8, 3).replace('"pipeline": "p1"', '"pipeline": "p1", "resource.zone": "x}"'),
    line(READ, 9, 4).replace(", ", ","),  # another spacing: judged line by line
    '{"value": 5, "metric": "pipeline/read", "labels": {"pipeline": "p1"}, '
    '"time": "2026-11-20T10:00:00+00:00"}',
    "   ",
    line(READ, 11, 6).replace("2026-11-20T11", "2028-02-29T11"),
    line(READ, 12, 7).replace('"value": 7', '"value": 7.5E+2'),
]


@pytest.mark.parametrize("block_bytes", [1, 200, 4 << 20])
def test_points_are_those_a_full_parse_of_each_line_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block_bytes: int
) -> None:
    monkeypatch.setattr(local, "_BLOCK_BYTES", block_bytes)
    file = tmp_path / "state" / "a.jsonl"
    file.parent.mkdir()
    file.write_text("\n".join(ODD), encoding="utf-8")  # no newline after the last line
    expected = [_parse_line(file, n, text)[1] for n, text in enumerate(ODD, 1) if text.strip()]
    expected.sort(key=lambda p: p.time)
    wide = SeriesQuery(READ, (), datetime(1971, 1, 1, tzinfo=UTC), datetime(2199, 1, 1, tzinfo=UTC))
    got = LocalStateSource(tmp_path / "state").fetch(wide)
    assert [(p.time, p.labels) for p in got] == [(p.time, p.labels) for p in expected]
    assert [repr(p.value) for p in got] == [repr(p.value) for p in expected]
    assert math.copysign(1, got[0].value or 0) == 1  # "-0" is the integer 0, as json reads it


def test_the_grammar_proves_the_shape_this_project_writes_and_nothing_odd() -> None:
    assert BLOCK_GRAMMAR.fullmatch(("\n".join(GOOD) + "\n").encode()) is not None
    assert LINE_SHAPE.fullmatch(ODD[0].encode()) is not None
    for name, bad in MALFORMED.items():
        assert LINE_SHAPE.fullmatch(bad.encode()) is None or name == "duplicate-label", name
    assert LINE_SHAPE.fullmatch(ODD[8].encode()) is None  # other spacing: parsed in full


def test_a_span_to_the_ends_of_the_calendar_reads_every_date(tmp_path: Path) -> None:
    folder = tmp_path / "state"
    folder.mkdir()
    (folder / "a.jsonl").write_text("\n".join(GOOD) + "\n", encoding="utf-8")
    everything = SeriesQuery(
        READ, (), datetime.min.replace(tzinfo=UTC), datetime.max.replace(tzinfo=UTC)
    )
    source = LocalStateSource(folder)
    source.expect([everything])
    assert len(source.fetch(everything)) == 40
