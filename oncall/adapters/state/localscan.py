"""The fast path of the local state source: whole blocks of points checked by one grammar.

A block of lines in the shape this project (and ``json.dumps``) writes::

    {"metric": "M", "labels": {"K": "V", ...}, "time": "2026-11-20T02:10:00+05:30", "value": 1}

is proven well formed by one regular-expression match of the whole block (a C loop, no
object per line): ASCII strings without escapes, a real calendar date in the supported range
with a UTC offset, a finite JSON number, ``null`` or ``"NaN"``, and lines far shorter than
the longest allowed. Label objects are checked for duplicate keys once per distinct text.
Only then are the lines of the metrics (and dates) being kept extracted, again in C.

A block the grammar does not prove is read line by line, and every line that is not in the
shape is parsed and judged in full, so a malformed line is always reported with its file and
line number, whatever its metric.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

__all__ = ["BLOCK_GRAMMAR", "LABELS_TEXT", "LINE_SHAPE", "extraction"]

_S = rb'[^"\\\x00-\x1f\x7f-\xff]'
_KEY, _VALUE = _S + rb"{1,256}", _S + rb"{0,256}"
_PAIR = rb'"' + _KEY + rb'": "' + _VALUE + rb'"'
_LABELS = rb"\{(?:" + _PAIR + rb"(?:, " + _PAIR + rb"){0,31})?\}"
"""At most 32 labels of at most 256 characters a name and value: a line stays far below
``MAX_LINE_CHARS`` (65,536), so the grammar never needs to measure lines."""

_YEAR = rb"(?:197[1-9]|19[89][0-9]|20[0-9]{2}|21[0-8][0-9]|219[0-8])"
_MONTH_DAY = (
    rb"(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])"
    rb"|(?:0[13-9]|1[0-2])-(?:29|30)|(?:0[13578]|1[02])-31)"
)
_LEAP_DAY = rb"(?:19(?:7[26]|8[048]|9[26])|2[01](?:0[48]|[2468][048]|[13579][26])|2000)-02-29"
_TIME = (
    rb"(?:" + _YEAR + rb"-" + _MONTH_DAY + rb"|" + _LEAP_DAY + rb")"
    rb"T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]{1,6})?"
    rb"(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])"
)
"""A real date from 1971 to 2198 (inside the supported range whatever the offset), a time of
day and a UTC offset: ``datetime.fromisoformat`` accepts every such text."""

_NUMBER = rb'(?:-?(?:0|[1-9][0-9]{0,14})(?:\.[0-9]{1,17})?(?:[eE][+-]?[0-9]{1,2})?|null|"NaN")'
"""A JSON number that is always a finite float, ``null`` or ``"NaN"``."""

_LINE = (
    rb'\{"metric": "' + _KEY + rb'", "labels": ' + _LABELS + rb', "time": "' + _TIME + rb'", '
    rb'"value": ' + _NUMBER + rb"\}"
)
LINE_SHAPE = re.compile(_LINE + rb"\r?")
"""One line (without its newline) in the shape the grammar proves."""

BLOCK_GRAMMAR = re.compile(rb"(?:" + _LINE + rb"\r?\n|[ \t]*\r?\n)*")
"""A block of whole lines (ending in a newline), each in the shape or blank."""

LABELS_TEXT = re.compile(rb'"labels": (' + _LABELS + rb"), ")
"""The label objects of a block that matched the grammar."""

_ANY_DATE = rb"[0-9]{4}-[0-9]{2}-[0-9]{2}"
_MAX_DATES = 400


def _dates(start: datetime, end: datetime) -> bytes:
    """A pattern of the local dates a point inside ``(start, end]`` can be written with."""
    try:
        first, last = (start - timedelta(days=1)).date(), (end + timedelta(days=1)).date()
    except OverflowError:  # a span reaching the ends of the calendar
        return _ANY_DATE
    if (last - first).days > _MAX_DATES:
        return _ANY_DATE
    by_month: dict[str, list[str]] = {}
    day: date = first
    while day <= last:
        by_month.setdefault(f"{day:%Y-%m}", []).append(f"{day:%d}")
        day += timedelta(days=1)
    months = [f"{month}-(?:{'|'.join(days)})" for month, days in by_month.items()]
    return ("(?:" + "|".join(months) + ")").encode()


def extraction(metric: str | None, span: tuple[datetime, datetime] | None) -> re.Pattern[bytes]:
    """The lines of ``metric`` (any metric: None) dated near ``span`` in a proven block.

    Groups: labels text, time text, value text, and the metric when ``metric`` is None (a
    named metric is part of the literal prefix, which the regular-expression engine finds
    fast). The caller still compares each time with the span exactly; the dates only skip
    most other lines in C.
    """
    name = re.escape(metric.encode()) if metric is not None else b"(" + _KEY + b")"
    dates = _dates(*span) if span is not None else _ANY_DATE
    return re.compile(
        rb'\{"metric": "' + name + rb'", "labels": (' + _LABELS + rb"), "
        rb'"time": "(' + dates + rb'T[^"]*)", "value": ([^}]*)\}'
    )
