"""All terminal output. The only module that imports rich, and only when a table is drawn.

Commands build plain result objects (pydantic models); this module renders them as tables
for people or, with ``--json``, as JSON from the very same objects.

Colour follows ``NO_COLOR`` and is off when stdout is not a terminal; nothing animates
when there is no TTY. Human output fits the terminal's width (80 columns when stdout is not
a terminal); identifiers are never broken across lines.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

WIDTH = 80


def is_tty() -> bool:
    return sys.stdout.isatty()


def color_enabled() -> bool:
    return "NO_COLOR" not in os.environ and is_tty() and os.environ.get("TERM") != "dumb"


class Terminal:
    """One object for everything written to the terminal (hatch style)."""

    def __init__(self) -> None:
        self._console: Console | None = None

    @property
    def console(self) -> Console:
        if self._console is None:
            from rich.console import Console

            self._console = Console(
                file=sys.stdout,
                width=self.width,
                no_color=not color_enabled(),
                highlight=False,
                emoji=False,
                force_terminal=None if color_enabled() else False,
                soft_wrap=False,
            )
        return self._console

    @property
    def width(self) -> int:
        """The terminal's width, or 80 when stdout is not a terminal."""
        return terminal_width() if is_tty() else WIDTH

    # --- plain text -------------------------------------------------------------------
    def line(self, text: str = "") -> None:
        sys.stdout.write(text + "\n")

    def field(self, label: str, text: str) -> None:
        """``label`` then ``text`` wrapped to the terminal's width, indented under itself."""
        import textwrap

        lines = textwrap.wrap(
            text,
            width=max(self.width, len(label) + 20),
            initial_indent=label,
            subsequent_indent=" " * len(label),
            break_long_words=False,
            break_on_hyphens=False,
        )
        for line in lines or [label.rstrip()]:
            self.line(line)

    def heading(self, text: str) -> None:
        if color_enabled():
            self.console.print(f"[bold]{_escape(text)}[/bold]")
        else:
            self.line(text)

    def warn(self, text: str) -> None:
        sys.stderr.write(f"warning: {text}\n")

    def error(self, text: str) -> None:
        sys.stderr.write(f"error: {text}\n")

    # --- structured -------------------------------------------------------------------
    def json(self, data: Any) -> None:
        sys.stdout.write(render_json(data) + "\n")

    def table(
        self,
        columns: Sequence[str],
        rows: Sequence[Sequence[str]],
        *,
        title: str | None = None,
    ) -> None:
        if not color_enabled():
            self.line(render_plain_table(columns, rows, title=title, width=self.width))
            return
        from rich.table import Table

        # Exact widths that fit the terminal (rich left to itself can end up wider and crop
        # the right-hand columns away): without the outer border if that is what fits.
        n = len(columns)
        edge = sum(column_widths(columns, rows, 10**6)) + 3 * n + 1 <= self.width or (
            sum(min(f, 24) for f in column_floors(columns, rows)) + 3 * n + 1 <= self.width
        )
        budget = self.width - (3 * n + 1 if edge else 3 * n - 3)
        table = Table(
            title=title,
            title_justify="left",
            expand=False,
            show_lines=False,
            show_edge=edge,
            pad_edge=edge,
        )
        for col, width in zip(columns, column_widths(columns, rows, budget), strict=True):
            table.add_column(col, overflow="fold", width=width)
        for row in rows:
            table.add_row(*(_styled(cell) for cell in row))
        self.console.print(table)

    def markdown(self, text: str) -> None:
        if not color_enabled():
            self.line(text.rstrip())
            return
        from rich.markdown import Markdown

        self.console.print(Markdown(text))

    @contextmanager
    def status(self, text: str) -> Iterator[None]:
        """A spinner while work runs, only on a colour terminal."""
        if not color_enabled():
            yield
            return
        with self.console.status(text):
            yield


_STATUS_STYLES = {
    "pass": "green",
    "ok": "green",
    "passed": "green",
    "sent": "green",
    "warn": "yellow",
    "warning": "yellow",
    "warned": "yellow",
    "queued": "yellow",
    "skipped": "yellow",
    "skip": "dim",
    "suppressed": "dim",
    "fail": "bold red",
    "failed": "bold red",
    "error": "bold red",
    "aborted": "bold red",
}


def _styled(cell: str) -> str:
    """Statuses in colour (only ever on a colour terminal); everything else as is."""
    style = _STATUS_STYLES.get(cell.strip().lower())
    text = _escape(cell)
    return f"[{style}]{text}[/{style}]" if style else text


def column_floors(columns: Sequence[str], rows: Sequence[Sequence[str]]) -> list[int]:
    """Per column, its longest word: narrower columns would break words."""
    return [
        max([len(c)] + [len(word) for cell in (row[i] for row in rows) for word in cell.split()])
        for i, c in enumerate(columns)
    ]


def terminal_width() -> int:
    """The width of the terminal on stdout (80 when it has none or reports 0)."""
    try:
        columns = os.get_terminal_size().columns
    except OSError:
        return WIDTH
    return columns if columns > 0 else WIDTH  # a pty with no size set reports 0


def _escape(text: str) -> str:
    return text.replace("[", r"\[")


def to_jsonable(value: Any) -> Any:
    """Dataclasses, pydantic models, dates and datetimes as plain JSON values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    dump = getattr(value, "model_dump", None)
    if dump is not None:
        return dump(mode="json", by_alias=True)
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def render_json(data: Any) -> str:
    """``data`` as indented JSON: orjson's C encoder, byte for byte what
    ``json.dumps(indent=2, ensure_ascii=False)`` writes, which it falls back to wherever
    the two differ (NaN and infinities, floats below 1e-4 written with an exponent,
    integers beyond 64 bits, lone surrogates). A pydantic model without float fields is
    written by pydantic itself, straight to JSON, when that gives the same bytes."""
    fast = _model_json(data)
    if fast is not None:
        return fast.decode()
    return _plain_json(data)


def render_json_bytes(data: Any) -> bytes:
    """:func:`render_json` encoded as UTF-8, without copying a large document twice more;
    a lone surrogate (which UTF-8 cannot hold) as its JSON escape, ``\\ud800``."""
    fast = _model_json(data)
    if fast is not None:
        return fast
    return _plain_json(data).encode("utf-8", "backslashreplace")


def _plain_json(data: Any) -> str:
    value = to_jsonable(data)
    try:
        json.dumps(value, allow_nan=False, separators=(",", ":"))  # the C encoder: any NaN?
        import orjson

        out = orjson.dumps(value, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS)
    except (ValueError, TypeError):
        return json.dumps(value, indent=2, ensure_ascii=False)
    if b"e-" in out or b"0.0000" in out:  # maybe a float json writes as 1e-05
        return json.dumps(value, indent=2, ensure_ascii=False)
    return out.decode()


def _model_json(data: Any) -> bytes | None:
    """``data`` written by pydantic straight to JSON, when that gives the bytes json.dumps
    gives for ``model_dump(mode="json")`` (tests/cli/test_output_json.py); else None.

    Only for models whose schema has no float: pydantic writes a NaN or infinite float field
    as null, json.dumps as NaN. Where a float may still hide (an Any field, a serializer of
    unknown type), a float json.dumps writes otherwise (``1e-05``) sends it the slow way."""
    schema = getattr(type(data), "__pydantic_core_schema__", None)
    serializer = getattr(type(data), "__pydantic_serializer__", None)
    dump = getattr(type(data), "model_dump", None)
    if schema is None or serializer is None or dump is None:
        return None
    if getattr(dump, "__qualname__", "") != "BaseModel.model_dump":  # its own model_dump
        return None
    kind = _json_kind(type(data), schema)
    if kind == "floats":
        return None
    try:
        out: bytes = serializer.to_json(data, indent=2, by_alias=True)
    except (ValueError, TypeError):  # a lone surrogate, a value it cannot write
        return None
    if kind == "maybe" and (b"e-" in out or b"0.0000" in out):
        return None
    return out


_JSON_KINDS: dict[type, str] = {}
_FLOAT_TYPES = frozenset({"float", "decimal", "complex"})
_NO_FLOAT_TYPES = frozenset(
    {
        "model",
        "model-fields",
        "model-field",
        "typed-dict",
        "typed-dict-field",
        "definitions",
        "definition-ref",
        "default",
        "nullable",
        "list",
        "tuple",
        "set",
        "frozenset",
        "dict",
        "str",
        "int",
        "bool",
        "literal",
        "none",
        "date",
        "datetime",
        "time",
        "timedelta",
        "union",
        "enum",
        "function-before",  # validators: they do not change how a value is written
        "function-after",
    }
)


def _json_kind(cls: type, schema: Any) -> str:
    """``floats`` if some part of a model's core schema is a float type, ``none`` if every
    part is a type that cannot be written as a float, else ``maybe``; cached per class."""
    kind = _JSON_KINDS.get(cls)
    if kind is not None:
        return kind
    kind = "none"
    stack: list[Any] = [schema]
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, dict):
            typ = node.get("type")
            if isinstance(typ, str):
                if typ in _FLOAT_TYPES:
                    kind = "floats"
                    break
                plain_ser = typ in ("function-plain", "function-wrap") and "return_schema" in node
                if typ not in _NO_FLOAT_TYPES and not plain_ser:
                    kind = "maybe"
            stack.extend(node.values())
        elif isinstance(node, (list, tuple)):
            stack.extend(node)
    _JSON_KINDS[cls] = kind
    return kind


def render_plain_table(
    columns: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    title: str | None = None,
    width: int = WIDTH,
) -> str:
    """A table in plain text, wrapped to fit ``width`` columns. Words of up to 24 characters
    are never broken (a table whose such words do not fit is wider than ``width``)."""
    sep = "  "
    widths = column_widths(columns, rows, width - len(sep) * (len(columns) - 1))
    out: list[str] = []
    if title:
        out.append(title)
    out.append(sep.join(c.ljust(w)[:w] for c, w in zip(columns, widths, strict=True)).rstrip())
    out.append(sep.join("-" * w for w in widths))
    for row in rows:
        wrapped = [_wrap(cell, w) for cell, w in zip(row, widths, strict=True)]
        height = max(len(c) for c in wrapped) if wrapped else 1
        for i in range(height):
            parts = [
                (c[i] if i < len(c) else "").ljust(w) for c, w in zip(wrapped, widths, strict=True)
            ]
            out.append(sep.join(parts).rstrip())
    return "\n".join(out)


def column_widths(columns: Sequence[str], rows: Sequence[Sequence[str]], budget: int) -> list[int]:
    """Column widths summing to at most ``budget`` where possible. Each column is as wide as
    its widest line, narrowed while needed: never below its longest word first; then words
    over 24 characters may break; only as a last resort anything down to 8 columns, the
    column with the most text (prose, not identifiers) first."""
    widths = [len(c) for c in columns]
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], max((len(x) for x in cell.splitlines()), default=0))
    floors = column_floors(columns, rows)
    widths = fit_widths(widths, floors, budget)
    widths = fit_widths(widths, [min(f, 24) for f in floors], budget)
    return fit_widths(widths, [8] * len(widths), budget, _text_sizes(columns, rows))


def fit_widths(
    widths: Sequence[int], lows: Sequence[int], budget: int, text: Sequence[int] | None = None
) -> list[int]:
    """``widths`` narrowed, one column at a time, until they sum to ``budget`` or each is at
    its low: the column with the most ``text`` first (default: the widest)."""
    out = list(widths)
    while sum(out) > budget:
        shrinkable = [i for i in range(len(out)) if out[i] > lows[i]]
        if not shrinkable:
            break
        pick = max(shrinkable, key=lambda i: (text[i] if text else 0, out[i]))
        out[pick] -= 1
    return out


def _text_sizes(columns: Sequence[str], rows: Sequence[Sequence[str]]) -> list[int]:
    return [sum(len(row[i]) for row in rows) for i in range(len(columns))]


def _wrap(text: str, width: int) -> list[str]:
    import textwrap

    lines: list[str] = []
    for raw in text.splitlines() or [""]:
        lines.extend(
            textwrap.wrap(raw, width, break_long_words=True, break_on_hyphens=False) or [""]
        )
    return lines


terminal = Terminal()
