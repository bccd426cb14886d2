"""Round-trip edits of ``rotation.yaml``'s ``overrides:`` list with ruamel.yaml.

Only the edited entry changes: comments, key order, quoting and flow style of everything
else are kept byte for byte. The text is returned; writing it (atomically, only after the
edited config validated) is the caller's. ruamel.yaml is imported only here, and only by
the commands that edit overrides.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

from oncall.errors import UsageError

__all__ = ["add_overrides", "remove_overrides"]


def _yaml() -> Any:
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap a long flow mapping
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def _load(text: str) -> tuple[Any, Any]:
    yaml = _yaml()
    doc = yaml.load(text)
    if not isinstance(doc, dict):
        raise UsageError("rotation.yaml is not a mapping: fix it first (oncall validate)")
    return yaml, doc


def _dump(yaml: Any, doc: Any) -> str:
    buf = io.StringIO()
    yaml.dump(doc, buf)
    return buf.getvalue()


def _entry(values: Mapping[str, str]) -> Any:
    from ruamel.yaml.comments import CommentedMap
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    entry = CommentedMap()
    for key, value in values.items():
        quoted = key in ("start", "end")  # "2026-11-30T09:00" must stay a string
        entry[key] = DoubleQuotedScalarString(value) if quoted else value
    entry.fa.set_flow_style()
    return entry


def add_overrides(text: str, entries: Sequence[Mapping[str, str]]) -> str:
    """``text`` with ``entries`` appended to ``overrides:`` (created when missing)."""
    from ruamel.yaml.comments import CommentedSeq

    yaml, doc = _load(text)
    overrides = doc.get("overrides")
    if overrides is None:
        overrides = CommentedSeq()
        doc["overrides"] = overrides
    if not isinstance(overrides, list):
        raise UsageError("rotation.yaml: overrides is not a list: fix it first (oncall validate)")
    for values in entries:
        overrides.append(_entry(values))
    return _dump(yaml, doc)


def remove_overrides(text: str, indexes: Sequence[int]) -> str:
    """``text`` without the ``overrides:`` entries at ``indexes``."""
    yaml, doc = _load(text)
    overrides = doc.get("overrides")
    if not isinstance(overrides, list):
        raise UsageError("rotation.yaml has no overrides list")
    for index in sorted(indexes, reverse=True):
        del overrides[index]
    if not overrides:
        # An empty block list would dump as a bare ``[]`` under its comments, which is not
        # YAML at that indentation: write ``overrides: []`` (ruamel keeps the comments).
        from ruamel.yaml.comments import CommentedSeq

        empty = CommentedSeq()
        empty.fa.set_flow_style()
        doc["overrides"] = empty
    return _dump(yaml, doc)
