"""Strict YAML reading with source positions.

PyYAML is used in safe mode only. On top of it this module:

- remembers the ``line:col`` of every key and value, so errors found later (by pydantic or
  by cross-file rules) can be reported as ``file:line:col``;
- rejects duplicate keys (PyYAML silently keeps the last one);
- rejects tags that safe loading does not know (``!!python/object`` and friends) with a
  clear message instead of a traceback;
- turns scanner and parser errors (tabs, bad indentation, unclosed quotes) into located
  messages;
- bounds what it reads (size, encoding, forbidden characters, nesting, aliases): see
  ``yamlbounds.py``.

It parses with libyaml's C loader when PyYAML has it, else with the pure-Python loader; both
give the same nodes, marks and messages.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from oncall.config.marks import Marks, PathKey
from oncall.config.yamlbounds import compose, loader_class, read_text, too_deep_message
from oncall.errors import ConfigError, Problem

_SAFE_TAG_PREFIX = "tag:yaml.org,2002:"
_SAFE_TAGS = {
    _SAFE_TAG_PREFIX + name
    for name in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq", "binary")
}


_STR_TAG = _SAFE_TAG_PREFIX + "str"

_Loader: type[Any] = loader_class()
"""CSafeLoader or SafeLoader; its parser gives the events, its constructor builds scalars."""


def _mark(node: Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _short_tag(tag: str) -> str:
    if tag.startswith(_SAFE_TAG_PREFIX):
        return "!!" + tag[len(_SAFE_TAG_PREFIX) :]
    return tag


class _Builder:
    def __init__(self, loader: Any, marks: Marks) -> None:
        self.loader = loader
        self.marks = marks
        self.problems: list[Problem] = []

    def build(self, node: Node, loc: PathKey) -> Any:
        self.marks.values[loc] = _mark(node)
        if node.tag not in _SAFE_TAGS:
            line, col = _mark(node)
            self.problems.append(
                Problem(
                    self.marks.path,
                    line,
                    col,
                    f"unsupported YAML tag {_short_tag(node.tag)}: only plain YAML values are "
                    "allowed (config is loaded safely); remove the tag",
                )
            )
            return None
        if isinstance(node, MappingNode):
            return self._mapping(node, loc)
        if isinstance(node, SequenceNode):
            return [self.build(item, (*loc, i)) for i, item in enumerate(node.value)]
        assert isinstance(node, ScalarNode)
        if node.tag == _STR_TAG:
            return node.value  # what construct_yaml_str gives, without its call chain
        try:
            return self.loader.construct_object(node, deep=True)
        except (ValueError, OverflowError, yaml.constructor.ConstructorError):
            # e.g. 2026-13-05 looks like a date to YAML but is none: keep the text and let
            # validation explain what is wrong with it.
            return node.value

    def _mapping(self, node: MappingNode, loc: PathKey) -> dict[Any, Any]:
        self.loader.flatten_mapping(node)
        out: dict[Any, Any] = {}
        first_seen: dict[Any, tuple[int, int]] = {}
        for key_node, value_node in node.value:
            key = self.build(key_node, (*loc, "<key>"))
            self.marks.values.pop((*loc, "<key>"), None)
            if isinstance(key, (dict, list)):
                line, col = _mark(key_node)
                self.problems.append(
                    Problem(self.marks.path, line, col, "a mapping key must be a plain value")
                )
                continue
            key_str = key if isinstance(key, str) else str(key)
            if key_str in first_seen:
                line, col = _mark(key_node)
                prev_line, _ = first_seen[key_str]
                self.problems.append(
                    Problem(
                        self.marks.path,
                        line,
                        col,
                        f"duplicate key '{key_str}' (first defined on line {prev_line}): "
                        "YAML keeps only one of them; remove or merge the duplicate",
                    )
                )
                continue
            first_seen[key_str] = _mark(key_node)
            child = (*loc, key_str)
            self.marks.keys[child] = _mark(key_node)
            out[key_str] = self.build(value_node, child)
        return out


def load_yaml(path: Path, *, required: bool = True) -> tuple[Any, Marks]:
    """Read one YAML file strictly. Raises ConfigError with every problem found."""
    marks = Marks(path)
    try:
        text = read_text(path)
    except FileNotFoundError:
        if not required:
            return None, marks
        raise ConfigError(
            [
                Problem(
                    path,
                    1,
                    1,
                    "file not found: create it (see docs/config.md) or pass --config-dir",
                )
            ]
        ) from None
    if not text.strip():
        raise ConfigError(
            [
                Problem(
                    path,
                    1,
                    1,
                    "file is empty: it needs at least the top-level keys (see docs/config.md)",
                )
            ]
        )
    loader = _Loader(text)
    try:
        node = compose(loader, path)
        if node is None:
            raise ConfigError(
                [Problem(path, 1, 1, "file has no content: it needs at least the top-level keys")]
            )
        builder = _Builder(loader, marks)
        data = builder.build(node, ())
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        message = _describe_yaml_error(exc, text, line)
        opened = exc.context_mark
        unclosed = (exc.context or "").startswith(
            ("while parsing a flow", "while scanning a quoted")
        )
        if unclosed and opened is not None and mark is not None and opened.line < mark.line:
            # An unclosed `{` or `[` is noticed lines later: point at where it opens.
            what = (exc.context or "").removeprefix("while parsing ").strip() or "construct"
            problem = (exc.problem or "").strip()
            message = (
                f"invalid YAML: {what} opened here is not closed ({problem}, noticed at line "
                f"{line}, column {col}); close it on this line"
            )
            line, col = opened.line + 1, opened.column + 1
        raise ConfigError([Problem(path, line, col, message)]) from None
    except yaml.YAMLError as exc:  # a reader error: read_text already refuses its causes
        raise ConfigError([Problem(path, 1, 1, f"invalid YAML: {exc}")]) from None
    finally:
        loader.dispose()
    if builder.problems:
        raise ConfigError(builder.problems)
    return data, marks


def _describe_yaml_error(exc: yaml.MarkedYAMLError, text: str, line: int) -> str:
    problem = (exc.problem or "invalid YAML").strip()
    lines = text.splitlines()
    if "\t" in problem or (0 < line <= len(lines) and "\t" in lines[line - 1]):
        return "tab character in indentation: YAML indents with spaces only; replace the tab"
    if "nesting depth" in problem:  # libyaml's own flow-depth limit, hit before ours
        return too_deep_message()
    context = f" {exc.context.strip()}" if exc.context else ""
    return f"invalid YAML: {problem}{context}; check the indentation and quoting on this line"
