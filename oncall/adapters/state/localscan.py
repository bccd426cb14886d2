"""The fast path of the local state source: whole blocks of points checked by one grammar.

A block of lines in the shape this project (and ``json.dumps``) writes::

    {"metric": "M", "labels": {"K": "V", ...}, "time": "2026-11-20T02:10:00+05:30", "value": 1}

is proven well formed by one regular-expression match of the whole block (a C loop, no
object per line): ASCII strings without escapes, a real calendar date in the supported range
with a UTC offset, a finite JSON number, ``null`` or ``"NaN"``, and lines far shorter than
the longest allowed. Label objects are checked for duplicate keys once per distinct text.
Only then are the lines of the metrics (and dates) being kept extracted, again in C.

Most blocks are proven faster by their *templates* (``prove_block``): every digit written as
0 or 1 (``translate``, in C), a block of a million points has a few hundred distinct lines,
each judged once by the grammar with its digits in those two classes, and one search then
judges every time with the real grammar of dates. Both together accept exactly the blocks the
grammar accepts whose label names are distinct (a template can only merge names that differ
in digits, which sends the block to the grammar: never a wrong answer, at worst a slower one).

A block the grammar does not prove is read line by line, and every line that is not in the
shape is parsed and judged in full, so a malformed line is always reported with its file and
line number, whatever its metric.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

__all__ = [
    "BLOCK_GRAMMAR",
    "LABELS_TEXT",
    "LINE_SHAPE",
    "Templates",
    "extraction",
    "prove_block",
]

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

_DIGITS01 = bytes.maketrans(b"23456789", b"11111111")
"""Every digit to 0 or 1: a line's template keeps its shape and its leading zeros."""

_T_TIME = (
    rb"[01]{4}-[01]{2}-[01]{2}T[01]{2}:[01]{2}:[01]{2}(?:\.[01]{1,6})?(?:Z|[+-][01]{2}:[01]{2})"
)
_T_NUMBER = rb'(?:-?(?:0|1[01]{0,14})(?:\.[01]{1,17})?(?:[eE][+-]?[01]{1,2})?|null|"NaN")'
TEMPLATE = re.compile(
    rb'\{"metric": "'
    + _KEY
    + rb'", "labels": ('
    + _LABELS
    + rb'), "time": "'
    + _T_TIME
    + rb'", "value": '
    + _T_NUMBER
    + rb"\}\r?|[ \t]*\r?"
)
"""One template: ``_LINE`` with each digit class written in 0 and 1 (``[1-9]`` is 1, ``[0-9]``
is ``[01]``), and the time only in its shape; or a blank line."""

BAD_TIME = re.compile(rb', "time": "(?!' + _TIME + rb'")')
"""A time (or a label named time) that the grammar's dates do not accept."""

_MAX_TEMPLATES = 50_000
"""Templates remembered across blocks; past that the memory is cleared."""


@dataclass
class Templates:
    """The verdicts on the templates (and their label objects) seen so far."""

    lines: dict[bytes, bool] = field(default_factory=dict)
    labels: dict[bytes, bool] = field(default_factory=dict)

    def judge(self, template: bytes) -> bool:
        shape = TEMPLATE.fullmatch(template)
        if shape is None:
            return False
        labels = shape.group(1)
        if labels is None:
            return True  # a blank line
        if labels not in self.labels:  # far fewer label objects than templates
            pairs = json.loads(labels, object_pairs_hook=lambda pairs: pairs)
            self.labels[labels] = len({name for name, _ in pairs}) == len(pairs)
        return self.labels[labels]


def prove_block(block: bytes, known: Templates) -> bool:
    """Whether ``BLOCK_GRAMMAR`` accepts ``block`` (whole lines, ending in a newline) and no
    label object in it repeats a name, judged by templates (see the module's docstring).

    ``known`` remembers the verdict on each template across blocks. False when a template
    fails, or when the block has too many distinct templates to be worth it: the caller then
    judges the block by the grammar, and line by line.
    """
    templates = set(block.translate(_DIGITS01).split(b"\n"))
    verdicts = known.lines
    new = [template for template in templates if template not in verdicts]
    if len(new) > 64 + len(block) // 1024:
        return False  # templates barely repeat: the grammar is as fast
    if len(verdicts) + len(new) > _MAX_TEMPLATES:
        verdicts.clear()
        known.labels.clear()
    for template in new:
        verdicts[template] = known.judge(template)
    if not all(verdicts[template] for template in templates):
        return False
    return BAD_TIME.search(block) is None


_ANY_DATE = rb"[0-9]{4}-[0-9]{2}-[0-9]{2}"
_MAX_DATES = 400

_LEAN_LABELS = rb'\{(?:"[^"]*+": "[^"]*+"(?:, "[^"]*+": "[^"]*+")*+)?\}'
"""A label object of a line already proven: its strings hold no quote."""


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


def extraction(spans: Mapping[str, tuple[datetime, datetime]] | None) -> re.Pattern[bytes]:
    """The lines of proven blocks of each metric of ``spans`` dated near its span (every line:
    None), found in one pass.

    Groups: metric, labels text, time text, value text. The caller still compares each time
    with its metric's span exactly; the dates only skip most other lines in C.
    """
    if spans is None:
        metric = b"(" + _KEY + b")"
    else:
        metric = (
            b"("
            + b"|".join(
                re.escape(name.encode())
                + rb'(?=", "labels": '
                + _LEAN_LABELS
                + rb', "time": "'
                + _dates(*span)
                + b"T)"
                for name, span in spans.items()
            )
            + b")"
        )
    return re.compile(
        rb'\{"metric": "' + metric + rb'", "labels": (' + _LEAN_LABELS + rb"), "
        rb'"time": "([^"]*+)", "value": ([^}\n]*+)\}'
    )
