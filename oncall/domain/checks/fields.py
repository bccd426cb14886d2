"""The field types every check spec shares; each validator's message says how to fix the value."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import time, timedelta
from typing import Annotated, Literal, Protocol

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    PlainSerializer,
    PlainValidator,
    WithJsonSchema,
    model_validator,
)

from oncall.domain.checks.sqltext import compute_sql_problem
from oncall.domain.ids import ID_PATTERN
from oncall.domain.model import StrictModel
from oncall.domain.timeutil import format_duration, parse_duration
from oncall.domain.timezone import check_timezone


def _to_duration(value: object) -> timedelta:
    if isinstance(value, timedelta):
        delta = value
    elif isinstance(value, str):
        delta = parse_duration(value)
    else:
        shown = repr(value) if len(repr(value)) <= 40 else f"{repr(value)[:37]}..."
        raise ValueError(
            f"a duration is text with a unit, like 90m, 26h or 7d; got {shown}: add a unit"
        )
    if delta <= timedelta(0):
        raise ValueError("a duration must be longer than zero: use a value like 90m, 26h or 7d")
    return delta


def exact(delta: timedelta) -> str:
    """Lossless compact form that ``parse_duration`` reads back: ``1d2h30m``, ``90s``."""
    return format_duration(delta, style="exact")


Duration = Annotated[
    timedelta,
    PlainValidator(_to_duration),
    PlainSerializer(exact, return_type=str),
    WithJsonSchema({"type": "string", "examples": ["90m", "26h", "7d"]}),
]
"""A positive duration written as text (``90m``, ``26h``, ``7d``, ``1h30m``)."""

_METRIC = re.compile(r"^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$")


def _check_id(value: str) -> str:
    if not ID_PATTERN.match(value):
        raise ValueError(
            f"id {value!r} must use lowercase letters, digits, '-' and '_' "
            "and start with a letter or digit, like ingest-fresh"
        )
    return value


def _check_metric(value: str) -> str:
    if not _METRIC.match(value):
        raise ValueError(
            f"metric {value!r} must be a name like pipeline/ingest_completed: "
            "letters, digits, '_', '.', '-' and '/' only, no spaces"
        )
    return value


def _check_labels(value: object) -> object:
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValueError(
                    f"label name {key!r} is not text (YAML reads yes/no/on/off/true/false "
                    "and bare numbers as other types): quote it"
                )
            if not key:
                raise ValueError("a label name is empty: write labels as {name: value}")
            if not isinstance(item, str):
                shown = str(item).lower() if isinstance(item, bool) else str(item)
                raise ValueError(
                    f"label {key!r} has the non-text value {item!r}: quote it, "
                    f'like {key}: "{shown}"'
                )
    return value


def _check_sql(value: str) -> str:
    problem = compute_sql_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


def _check_source(value: str) -> str:
    if not ID_PATTERN.match(value):
        raise ValueError(
            f"source {value!r} must name a source of config/state.yaml: lowercase letters, "
            "digits, '-' and '_'"
        )
    return value


def _to_wall_time(value: object) -> time:
    if isinstance(value, time):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        raise ValueError(
            f'YAML read this time as the number {value}: quote it, like deadline: "06:00"'
        )
    if isinstance(value, str):
        match = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*", value)
        if match and int(match[1]) < 24 and int(match[2]) < 60:
            return time(int(match[1]), int(match[2]))
    raise ValueError(f'bad time of day {value!r}: use 24-hour HH:MM in quotes, like "06:00"')


CheckId = Annotated[str, AfterValidator(_check_id)]
Metric = Annotated[str, AfterValidator(_check_metric)]
Labels = Annotated[dict[str, str], BeforeValidator(_check_labels)]
SqlQuery = Annotated[str, AfterValidator(_check_sql)]
SourceName = Annotated[str, AfterValidator(_check_source)]
TimezoneName = Annotated[str, AfterValidator(check_timezone)]
WallTime = Annotated[
    time,
    PlainValidator(_to_wall_time),
    PlainSerializer(lambda t: t.strftime("%H:%M"), return_type=str),
    WithJsonSchema({"type": "string", "pattern": r"^\d{1,2}:\d{2}$", "examples": ["06:00"]}),
]
MAX_NUMBER = 1e18
"""The largest threshold magnitude (values beyond are typing mistakes, and lose precision)."""
MAX_PERCENT = 1_000_000
"""The largest percentage (a change of 10,000 times)."""
Number = Annotated[float, Field(ge=-MAX_NUMBER, le=MAX_NUMBER, allow_inf_nan=False)]
Percent = Annotated[float, Field(ge=0, le=MAX_PERCENT, allow_inf_nan=False)]
Reduce = Literal["last", "sum", "mean", "min", "max", "count"]


SpecModel = StrictModel
"""Base of every check spec: unknown keys are errors, values are read-only."""


class CheckBase(SpecModel):
    """A check: an id, plus its ``kind`` and settings in each subclass."""

    id: CheckId


class Selector(SpecModel):
    """One series: a ``metric`` (local files, Cloud Monitoring) or a SQL ``query`` (sql and
    bigquery sources), narrowed by ``labels``; ``source`` names the state source to read
    (default: the runbook's)."""

    metric: Metric | None = None
    query: SqlQuery | None = None
    source: SourceName | None = None
    labels: Labels = Field(default_factory=dict)

    @model_validator(mode="after")
    def _metric_or_query(self) -> Selector:
        if (self.metric is None) == (self.query is None):
            raise ValueError(
                "give either metric (a series of local files or Cloud Monitoring) or query "
                "(a SELECT on a sql or bigquery source), not both or neither"
            )
        return self

    @property
    def series_name(self) -> str:
        """The series for people: the metric, or ``query on SOURCE``."""
        if self.metric is not None:
            return self.metric
        return f"query on {self.source}" if self.source else "query"


class MetricCheckBase(CheckBase, Selector):
    """A check reading one series, selected by labels."""


def warn_before_fail(warn: timedelta | None, fail: timedelta) -> None:
    if warn is not None and warn >= fail:
        raise ValueError(
            f"warn_after ({exact(warn)}) must be shorter than fail_after "
            f"({exact(fail)}): a check warns first, then fails"
        )


class Identified(Protocol):
    """What a result needs of its check: the id and the kind."""

    @property
    def id(self) -> str: ...

    @property
    def kind(self) -> str: ...
