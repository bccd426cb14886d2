"""The limits on every YAML file the tool reads, and the reading and composing that enforce them.

Every config file (``owners.yaml``, ``rotation.yaml``, ``paging.yaml``, ``state.yaml``) and
every runbook goes through :func:`read_text` and :func:`compose`. Hostile or broken input
ends in a located :class:`~oncall.errors.ConfigError`, never in a hang, a ``MemoryError`` or a
``RecursionError``:

- the file is at most :data:`MAX_FILE_BYTES` (read with a bound, so a huge file is not loaded);
- it is UTF-8 (a UTF-8 byte-order mark is allowed); UTF-16/32 files and invalid bytes are
  reported at ``line:col``;
- characters YAML forbids (NUL and other control characters) are reported at ``line:col``;
- mappings and lists nest at most :data:`MAX_DEPTH` levels;
- aliases add at most :data:`MAX_ALIAS_NODES` values in all (the "billion laughs" bomb), and
  an alias may not refer to the value that contains it.

The composer walks the parser's event stream with an explicit stack (no recursion), so the
limits hold with libyaml's C parser and with the pure-Python one alike.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import ComposerError
from yaml.events import (
    AliasEvent,
    DocumentEndEvent,
    DocumentStartEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from oncall.errors import ConfigError, Problem

MAX_FILE_BYTES = 4 * 1024 * 1024
"""The largest YAML file read (4 MiB): far above any real config or runbook."""
MAX_DEPTH = 64
"""How deep mappings and lists may nest."""
MAX_ALIAS_NODES = 10_000
"""How many values all aliases of one file may add when expanded."""

# What YAML 1.1 allows in a stream (PyYAML's Reader.NON_PRINTABLE, negated).
_FORBIDDEN = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)


def _line_col(data: bytes | str, offset: int) -> tuple[int, int]:
    newline: Any = b"\n" if isinstance(data, bytes) else "\n"
    line = data.count(newline, 0, offset) + 1
    return line, offset - (data.rfind(newline, 0, offset) + 1) + 1


def read_text(path: Path) -> str:
    """The file's text, bounded and decoded; FileNotFoundError passes through."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise ConfigError([Problem(path, 1, 1, f"cannot read file: {exc}")]) from None
    if len(data) > MAX_FILE_BYTES:
        raise ConfigError(
            [
                Problem(
                    path,
                    1,
                    1,
                    f"file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB: no config file "
                    "or runbook is this big; check that this is the right file",
                )
            ]
        )
    for bom, name in _BOMS:
        if data.startswith(bom):
            raise ConfigError([Problem(path, 1, 1, _not_utf8(name))])
    if len(data) >= 2 and (data[0] == 0) != (data[1] == 0):
        raise ConfigError([Problem(path, 1, 1, _not_utf8("UTF-16"))])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _line_col(data, exc.start)
        raise ConfigError(
            [
                Problem(
                    path,
                    line,
                    col,
                    f"byte 0x{data[exc.start]:02x} is not valid UTF-8: save the file as UTF-8",
                )
            ]
        ) from None
    text = text.removeprefix("\ufeff")
    bad = _FORBIDDEN.search(text)
    if bad is not None:
        line, col = _line_col(text, bad.start())
        code = ord(bad.group())
        what = "a NUL byte (U+0000)" if code == 0 else f"the control character U+{code:04X}"
        raise ConfigError(
            [
                Problem(
                    path,
                    line,
                    col,
                    f"{what} is not allowed in a YAML file: remove it "
                    "(if it came from copying text, retype this line)",
                )
            ]
        )
    return text


def _not_utf8(encoding: str) -> str:
    return (
        f"file is encoded as {encoding}: config files and runbooks are UTF-8; "
        "save it as UTF-8 (for example: iconv -f UTF-16 -t UTF-8)"
    )


@dataclass
class _Open:
    node: SequenceNode | MappingNode
    anchor: str | None
    size: int = 1
    height: int = 1
    pending_key: Node | None = None
    items: list[Any] = field(default_factory=list)


def _mark(event: Any) -> tuple[int, int]:
    return event.start_mark.line + 1, event.start_mark.column + 1


def compose(loader: Any, path: Path) -> Node | None:
    """The single document of ``loader``'s stream as a node graph, within the limits.

    ``loader`` is a PyYAML loader (C or pure Python); its parser errors pass through as
    ``yaml.MarkedYAMLError``; limits broken raise a located ConfigError.
    """
    loader.get_event()  # StreamStartEvent
    if loader.check_event(StreamEndEvent):
        loader.get_event()
        return None
    document = loader.get_event()
    assert isinstance(document, DocumentStartEvent)
    anchors: dict[str, tuple[Node, int, int]] = {}
    open_anchors: set[str] = set()
    added = 0
    stack: list[_Open] = []
    root: Node | None = None

    def close(node: Node, size: int, height: int) -> None:
        nonlocal root
        if not stack:
            root = node
            return
        parent = stack[-1]
        parent.size += size
        parent.height = max(parent.height, height + 1)
        if isinstance(parent.node, SequenceNode):
            parent.items.append(node)
        elif parent.pending_key is None:
            parent.pending_key = node
        else:
            parent.items.append((parent.pending_key, node))
            parent.pending_key = None

    def register(anchor: str | None, node: Node, size: int, height: int, event: Any) -> None:
        if anchor is None:
            return
        if anchor in anchors:
            raise ComposerError(
                f"found duplicate anchor {anchor!r}; first occurrence",
                anchors[anchor][0].start_mark,
                "second occurrence",
                event.start_mark,
            )
        anchors[anchor] = (node, size, height)

    while True:
        event = loader.get_event()
        start: Any = event.start_mark  # C and Python parsers give different Mark classes
        if isinstance(event, AliasEvent):
            name = event.anchor
            if name in open_anchors:
                line, col = _mark(event)
                raise ConfigError(
                    [
                        Problem(
                            path,
                            line,
                            col,
                            f"alias *{name} is inside the value it refers to (a recursive "
                            "alias): config values cannot contain themselves; remove the alias",
                        )
                    ]
                )
            if name not in anchors:
                raise ComposerError(None, None, f"found undefined alias {name!r}", start)
            node, size, height = anchors[name]
            if len(stack) + height > MAX_DEPTH:
                raise _too_deep(path, event)
            added += size
            if added > MAX_ALIAS_NODES:
                line, col = _mark(event)
                raise ConfigError(
                    [
                        Problem(
                            path,
                            line,
                            col,
                            f"alias *{name} takes the aliases of this file past "
                            f"{MAX_ALIAS_NODES:,} values when expanded (an alias bomb): "
                            "write the values out, or repeat fewer of them",
                        )
                    ]
                )
            close(node, size, height)
        elif isinstance(event, ScalarEvent):
            tag = event.tag
            if tag is None or tag == "!":
                tag = loader.resolve(ScalarNode, event.value, event.implicit)
            end: Any = event.end_mark
            node = ScalarNode(tag, event.value, start, end, style=event.style)
            register(event.anchor, node, 1, 1, event)
            close(node, 1, 1)
        elif isinstance(event, (SequenceStartEvent, MappingStartEvent)):
            if len(stack) >= MAX_DEPTH:
                raise _too_deep(path, event)
            kind = SequenceNode if isinstance(event, SequenceStartEvent) else MappingNode
            tag = event.tag
            if tag is None or tag == "!":
                tag = loader.resolve(kind, None, event.implicit)
            opened = kind(tag, [], start, None, flow_style=event.flow_style)
            if event.anchor is not None:
                if event.anchor in anchors:
                    register(event.anchor, opened, 1, 1, event)
                open_anchors.add(event.anchor)
            stack.append(_Open(opened, event.anchor))
        elif isinstance(event, DocumentEndEvent):
            break
        else:  # SequenceEndEvent or MappingEndEvent
            top = stack.pop()
            top.node.value = top.items
            top.node.end_mark = event.end_mark
            if top.anchor is not None:
                open_anchors.discard(top.anchor)
                register(top.anchor, top.node, top.size, top.height, event)
            close(top.node, top.size, top.height)
    if not loader.check_event(StreamEndEvent):
        extra = loader.get_event()
        first: Any = document.start_mark
        raise ComposerError(
            "expected a single document in the stream",
            first,
            "but found another document",
            extra.start_mark,
        )
    loader.get_event()
    return root


def too_deep_message() -> str:
    """The message for values nested past :data:`MAX_DEPTH`."""
    return (
        f"values nest more than {MAX_DEPTH} levels deep here: no config needs that; "
        "flatten this part of the file"
    )


def _too_deep(path: Path, event: Any) -> ConfigError:
    line, col = _mark(event)
    return ConfigError([Problem(path, line, col, too_deep_message())])


def loader_class() -> type[Any]:
    """libyaml's C loader when PyYAML was built with it, else the pure-Python one."""
    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)
