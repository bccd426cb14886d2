"""In-place edits of ``rotation.yaml``'s ``overrides:`` list, as text splices.

Only the edited entry's lines change: every other byte of the file (comments, blank lines,
indentation, key order, quoting, flow or block style, a ``---`` marker, line endings) is
kept. The positions come from the YAML composer's marks; the new entry is one flow mapping
on its own line, indented like the entries around it. Each edit is checked by loading the
result: everything but the overrides must load as before, and the overrides as planned;
otherwise it is a UsageError and nothing is returned to write. Writing (atomically, only
after the edited config validated) is the caller's.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from oncall.errors import UsageError

__all__ = ["add_overrides", "remove_overrides", "render_entry"]

_PLAIN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_ .\-/()']*")
_BY_HAND = "edit the overrides in rotation.yaml by hand (oncall validate checks them)"


def _compose(text: str) -> Any:
    import yaml

    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        raise UsageError(
            "rotation.yaml is not valid YAML: fix it first (oncall validate)"
        ) from None
    if not isinstance(root, yaml.MappingNode):
        raise UsageError("rotation.yaml is not a mapping: fix it first (oncall validate)")
    return root


def _overrides_node(root: Any) -> tuple[Any, Any] | None:
    for key, value in root.value:
        if getattr(key, "value", None) == "overrides":
            return key, value
    return None


def _end(text: str, node: Any) -> int:
    """Where ``node``'s own text ends: a block collection's mark runs on over the comments
    and blank lines after it, so take its last scalar or flow collection, without the line
    breaks a block scalar keeps."""
    import yaml

    if isinstance(node, yaml.ScalarNode) or getattr(node, "flow_style", False):
        end = node.end_mark.index
        while end > node.start_mark.index and text[end - 1] in " \t\r\n":
            end -= 1
        return int(end)
    children: list[Any] = []
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            children += [key, value]
    else:
        children = list(node.value)
    return max((_end(text, c) for c in children), default=int(node.start_mark.index))


def _line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def _next_line(text: str, index: int, newline: str) -> tuple[str, int]:
    """``text`` (given a final line break if it had none) and where the line after the one
    holding ``index`` starts."""
    found = text.find("\n", index)
    if found < 0:
        return text + newline, len(text) + len(newline)
    return text, found + 1


def _dash(text: str, item: Any) -> int:
    """The index of the ``-`` that opens block sequence entry ``item``."""
    i: int = item.start_mark.index - 1
    while i >= 0 and text[i] in " \t\r\n":
        i -= 1
    if i < 0 or text[i] != "-" or text[_line_start(text, i) : i].strip():
        raise UsageError(f"cannot find where an override entry starts in rotation.yaml: {_BY_HAND}")
    return i


def _quoted(value: str) -> str:
    out: list[str] = []
    for ch in value:
        code = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif code < 0x20 or 0x7F <= code <= 0x9F or 0xD800 <= code <= 0xDFFF or code >= 0xFFFE:
            out.append(f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}")
        elif code == 0xFEFF:
            out.append("\\ufeff")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _scalar(key: str, value: str) -> str:
    import yaml

    if key not in ("start", "end") and _PLAIN.fullmatch(value) and not value.endswith(" "):
        try:
            if yaml.safe_load(value) == value:
                return value
        except yaml.YAMLError:
            pass
    return _quoted(value)  # times always quoted: "2026-11-30T09:00" must stay a string


def render_entry(values: Mapping[str, str]) -> str:
    """One override as a flow mapping: ``{rotation: primary, start: "...", ...}``."""
    return "{" + ", ".join(f"{k}: {_scalar(k, v)}" for k, v in values.items()) + "}"


def _loaded(text: str) -> dict[str, Any]:
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        data = None
    if not isinstance(data, dict):
        raise UsageError(f"the edited rotation.yaml would not load: {_BY_HAND}")
    return data


def _checked(before: str, after: str, overrides: list[Any]) -> str:
    """``after`` if it loads as ``before`` with ``overrides`` as its overrides list."""
    old, new = _loaded(before), _loaded(after)
    old.pop("overrides", None)
    got = new.pop("overrides", None) or []
    if old != new or got != overrides:
        raise UsageError(f"could not edit rotation.yaml in place without changing more: {_BY_HAND}")
    return after


def _newline(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def add_overrides(text: str, entries: Sequence[Mapping[str, str]]) -> str:
    """``text`` with ``entries`` appended to ``overrides:`` (created when missing)."""
    import yaml

    current = _loaded(text).get("overrides") or []
    if not isinstance(current, list):
        raise UsageError("rotation.yaml: overrides is not a list: fix it first (oncall validate)")
    before = list(current)
    nl = _newline(text)
    rendered = [render_entry(v) for v in entries]
    found = _overrides_node(_compose(text))
    if found is None:
        body = text if not text or text.endswith("\n") else text + nl
        lines = "".join(f"  - {r}{nl}" for r in rendered)
        after = f"{body}overrides:{nl}{lines}"
    else:
        key, seq = found
        if isinstance(seq, yaml.SequenceNode) and seq.value and not seq.flow_style:
            last = seq.value[-1]
            dash = _dash(text, last)
            indent = text[_line_start(text, dash) : dash]
            body, at = _next_line(text, _end(text, last), nl)
            lines = "".join(f"{indent}- {r}{nl}" for r in rendered)
            after = body[:at] + lines + body[at:]
        elif isinstance(seq, yaml.SequenceNode) and seq.value:  # [ {...}, {...} ]
            at = _end(text, seq.value[-1])
            after = text[:at] + "".join(f", {r}" for r in rendered) + text[at:]
        elif (isinstance(seq, yaml.SequenceNode) and seq.flow_style) or (
            isinstance(seq, yaml.ScalarNode) and seq.tag == "tag:yaml.org,2002:null"
        ):  # overrides: []   or   overrides: (empty, ~ or null)
            start, end = seq.start_mark.index, seq.end_mark.index
            if start < key.end_mark.index:  # an empty value's mark is the key's
                start = end = key.end_mark.index + 1
            while start > key.end_mark.index + 1 and text[start - 1] in " \t":
                start -= 1
            cut = text[:start] + text[end:]
            indent = " " * (key.start_mark.column + 2)
            body, at = _next_line(cut, key.end_mark.index, nl)
            lines = "".join(f"{indent}- {r}{nl}" for r in rendered)
            after = body[:at] + lines + body[at:]
        else:
            raise UsageError(
                "rotation.yaml: overrides is not a list: fix it first (oncall validate)"
            )
    added = [_loaded(f"x: {r}")["x"] for r in rendered]
    return _checked(text, after, [*before, *added])


def remove_overrides(text: str, indexes: Sequence[int]) -> str:
    """``text`` without the ``overrides:`` entries at ``indexes``."""
    import yaml

    found = _overrides_node(_compose(text))
    if found is None or not isinstance(found[1], yaml.SequenceNode):
        raise UsageError("rotation.yaml has no overrides list")
    key, seq = found
    items = seq.value
    before = list(_loaded(text).get("overrides") or [])
    drop = set(indexes)
    after = text
    if seq.flow_style:
        for i in sorted(drop, reverse=True):
            if i + 1 < len(items) and i + 1 not in drop:
                start, end = items[i].start_mark.index, items[i + 1].start_mark.index
            elif i > 0:
                start, end = _end(text, items[i - 1]), _end(text, items[i])
            else:
                start, end = items[i].start_mark.index, _end(text, items[i])
            after = after[:start] + after[end:]  # from the back: earlier marks still hold
    else:
        for i in sorted(drop, reverse=True):
            start = _line_start(text, _dash(text, items[i]))
            _, end = _next_line(text, _end(text, items[i]), "")
            after = after[:start] + after[end:]
        if len(drop) == len(items):
            # No entries left: ``overrides:`` with nothing under it would be null; say [].
            colon = after.index(":", key.end_mark.index)
            after = after[: colon + 1] + " []" + after[colon + 1 :]
    kept = [o for i, o in enumerate(before) if i not in drop]
    return _checked(text, after, kept)
