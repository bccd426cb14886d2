"""Located errors: every problem of a config file as ``file:line:col: error: ...``.

pydantic's validation errors are translated into our words and placed at the key or value
they are about (with the ``Marks`` the strict YAML loader recorded); ``load_model`` reads a
file straight into a model with those messages.
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from oncall.config.marks import Marks
from oncall.config.yamlfile import load_yaml
from oncall.domain.text import closest
from oncall.errors import ConfigError, Problem

M = TypeVar("M", bound=BaseModel)


def _model_at(model: type[BaseModel], loc: Sequence[str | int]) -> type[BaseModel] | None:
    """The model class whose fields are addressed at ``loc`` (for did-you-mean)."""
    current: Any = model
    for part in loc:
        current = _strip_optional(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            fields = {f.alias or n: f for n, f in current.model_fields.items()}
            if not isinstance(part, str) or part not in fields:
                return None
            current = fields[part].annotation
            continue
        member = _union_member(current, part)
        if member is not None:
            current = member
            continue
        origin = typing.get_origin(current)
        args = typing.get_args(current)
        if origin is dict and len(args) == 2:
            current = args[1]
        elif origin in (list, tuple) and args and isinstance(part, int):
            current = args[0]
        else:
            return None
    current = _strip_optional(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return current
    return None


def _union_member(annotation: Any, tag: str | int) -> Any:
    """The member of a (discriminated) union of models whose ``kind`` literal is ``tag``."""
    if not isinstance(tag, str):
        return None
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    if typing.get_origin(annotation) not in (typing.Union, types.UnionType):
        return None
    for arg in typing.get_args(annotation):
        metadata: tuple[Any, ...] = ()
        if typing.get_origin(arg) is typing.Annotated:
            arg, *rest = typing.get_args(arg)
            metadata = tuple(rest)
        if not (isinstance(arg, type) and issubclass(arg, BaseModel)):
            continue
        if any(getattr(m, "tag", None) == tag for m in metadata):
            return arg
        field = arg.model_fields.get("kind")
        if field is not None and tag in typing.get_args(field.annotation):
            return arg
    return None


def _strip_optional(annotation: Any) -> Any:
    """``X`` for ``X | None`` and ``Annotated[X, ...]`` (in any nesting)."""
    while True:
        origin = typing.get_origin(annotation)
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType) and len(args) == 1:
            annotation = args[0]
        else:
            return annotation


def _dotted(loc: Sequence[str | int]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


_TYPE_NAMES = {
    "string_type": "a text value",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "dict_type": "a mapping (key: value)",
    "list_type": "a list",
    "tuple_type": "a list",
    "date_type": "a date like 2026-01-05",
    "date_from_datetime_parsing": "a date like 2026-01-05",
    "date_parsing": "a date like 2026-01-05",
    "datetime_type": 'a date and time like "2026-11-30T09:00"',
    "datetime_parsing": 'a date and time like "2026-11-30T09:00"',
    "datetime_from_date_parsing": 'a date and time like "2026-11-30T09:00"',
}


def pydantic_problems(exc: ValidationError, model: type[BaseModel], marks: Marks) -> list[Problem]:
    errors = exc.errors()
    # A misspelt key shows up twice: as an unknown key and as the real key missing. Keep
    # only the unknown key (its did-you-mean names the real one).
    extras: dict[tuple[str | int, ...], list[str]] = {}
    for err in errors:
        if err["type"] == "extra_forbidden":
            raw = tuple(err["loc"])
            extras.setdefault(raw[:-1], []).append(str(raw[-1]))
    problems: list[Problem] = []
    for err in errors:
        raw = tuple(err["loc"])
        loc = _clean_loc(raw, marks)
        kind = err["type"]
        if kind == "extra_forbidden":
            parent = _model_at(model, raw[:-1])
            name = str(loc[-1])
            allowed = sorted(f.alias or n for n, f in parent.model_fields.items()) if parent else []
            guess = closest(name, allowed)
            if guess is not None:
                hint = f"did you mean '{guess}'?"
            elif allowed:
                hint = f"allowed: {', '.join(allowed)}"
            else:
                hint = "remove it"
            message = f"{_dotted(loc[:-1])}: unknown key '{name}' ({hint})"
            problems.append(marks.problem(loc, message, key=True))
            continue
        if kind == "missing":
            near = extras.get(raw[:-1], [])
            if closest(str(raw[-1]), near) is not None:
                continue
            message = f"{_dotted(loc)}: required key is missing: add '{loc[-1]}'"
            problems.append(marks.problem(loc[:-1], message))
            continue
        digits = _digits(err.get("input"))
        if kind == "int_parsing_size" or (kind in _NUMBER_ERRORS and digits is not None):
            # more digits than Python reads as an int, or than a float holds: the range
            whole = kind.startswith("int")
            message = f"{_dotted(loc)}: {_too_many_digits(model, raw, digits, whole=whole)}"
        elif kind in _TYPE_NAMES and "value_error" not in kind:
            message = f"{_dotted(loc)}: expected {_TYPE_NAMES[kind]}{_shown(err.get('input'))}"
        else:
            message = f"{_dotted(loc)}: {_friendly(err)}"
        problems.append(marks.problem(loc, message))
    return problems


_PATTERN_HINTS = {
    "email": "an email address like de1@example.com",
    "pagerduty_routing_key_env": "an environment variable name like ONCALL_PD_KEY_DE1",
}


def _friendly(err: Any) -> str:
    """pydantic's message in our words: what is wrong and what would be right."""
    kind = err["type"]
    ctx = err.get("ctx") or {}
    shown = _shown(err.get("input"))
    if kind == "greater_than_equal":
        return f"must be at least {ctx.get('ge')}{shown}"
    if kind == "less_than_equal":
        return f"must be at most {ctx.get('le')}{shown}"
    if kind == "greater_than":
        return f"must be more than {ctx.get('gt')}{shown}"
    if kind == "less_than":
        return f"must be less than {ctx.get('lt')}{shown}"
    if kind == "too_short":
        return f"needs at least {ctx.get('min_length')} item(s)"
    if kind == "string_pattern_mismatch":
        field = str(err["loc"][-1]) if err["loc"] else ""
        expected = _PATTERN_HINTS.get(field, f"text matching {ctx.get('pattern')}")
        return f"expected {expected}{shown}"
    text = str(err["msg"]).removeprefix("Value error, ")
    return text.replace("Input should be", "must be")


_SHOWN_CHARS = 60
"""Longer values are shown shortened in a message (a message stays one readable line)."""


def _shown(got: Any) -> str:
    """`` (got VALUE)`` for a message: nothing for a mapping or list, long values shortened."""
    if isinstance(got, (dict, list)):
        return ""
    if isinstance(got, int) and not isinstance(got, bool) and got.bit_length() > 64:
        return f" (got a number of {len(str(abs(got)))} digits)"
    text = repr(got)
    if len(text) > _SHOWN_CHARS:
        return f" (got {text[: _SHOWN_CHARS - 3]}... of {len(str(got)):,} characters)"
    return f" (got {text})"


_NUMBER_ERRORS = ("finite_number", "float_parsing", "float_type")
_LONG_DIGITS = re.compile(r"\s*[+-]?\d{21,}\s*")


def _digits(got: Any) -> int | None:
    """How many digits ``got`` has, when it is a whole number of more than 20 digits."""
    if isinstance(got, int) and not isinstance(got, bool) and abs(got) >= 10**20:
        return len(str(abs(got)))
    if isinstance(got, str) and _LONG_DIGITS.fullmatch(got):
        return len(got.strip().lstrip("+-"))
    return None


def _too_many_digits(
    model: type[BaseModel], loc: Sequence[str | int], digits: int | None, *, whole: bool
) -> str:
    """A number far too long: its key's range, like ``1 to 366``, when it has one."""
    got = f"got a number of {digits:,} digits" if digits else "got a number far too long"
    what = "a whole number" if whole else "a number"
    parent = _model_at(model, loc[:-1])
    field = parent.model_fields.get(str(loc[-1])) if parent is not None else None
    low = high = None
    for meta in _metadata(field):
        low = next((getattr(meta, k) for k in ("ge", "gt") if hasattr(meta, k)), low)
        high = next((getattr(meta, k) for k in ("le", "lt") if hasattr(meta, k)), high)
    if low is not None and high is not None:
        return f"must be {what} from {_number(low)} to {_number(high)} ({got})"
    return f"must be {what} of at most 20 digits ({got})"


def _number(value: float) -> str:
    exact = float(value).is_integer() and abs(value) < 1e16
    return str(int(value)) if exact else f"{value:g}"


def _metadata(field: Any) -> list[Any]:
    """The constraints of a model field, also those inside an optional annotation."""
    if field is None:
        return []
    found = list(field.metadata)
    for arg in typing.get_args(field.annotation):
        if typing.get_origin(arg) is typing.Annotated:
            for meta in typing.get_args(arg)[1:]:  # a Field(...) holds its own constraints
                found += [meta, *getattr(meta, "metadata", ())]
    return found


def _clean_loc(loc: tuple[str | int, ...], marks: Marks) -> tuple[str | int, ...]:
    """Drop parts that are not YAML keys, e.g. the tag pydantic adds for a union member."""
    known = marks.values.keys() | marks.keys.keys()
    kept: list[str | int] = []
    for i, part in enumerate(loc):
        here = (*kept, part)
        if here not in known and i + 1 < len(loc) and isinstance(part, str):
            continue
        kept.append(part)
    return tuple(kept)


def load_model(path: Path, model: type[M], *, required: bool = True) -> tuple[M | None, Marks]:
    """Read ``path`` strictly into ``model``; ConfigError lists every problem."""
    data, marks = load_yaml(path, required=required)
    if data is None:
        return None, marks
    return validate_data(data, model, marks), marks


def validate_data(data: Any, model: type[M], marks: Marks) -> M:
    """Validate YAML data read by ``load_yaml`` into ``model``, with located errors."""
    if not isinstance(data, dict):
        raise ConfigError(
            [Problem(marks.path, 1, 1, "expected a mapping of keys at the top level")]
        )
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(pydantic_problems(exc, model, marks)) from None
