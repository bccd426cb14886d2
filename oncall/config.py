"""Config as code: ``config/owners.yaml`` and ``config/rotation.yaml`` into pydantic models.

Every problem is reported as ``file:line:col: error: what is wrong and how to fix it``,
and every problem in a file set is reported, not only the first.

Lookup order of the config directory: ``--config-dir``, ``ONCALL_CONFIG_DIR``, then
``config/`` in the current directory or its nearest parent. ``runbooks/`` sits beside it.
"""

from __future__ import annotations

import difflib
import itertools
import os
import re
import types
import typing
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from functools import cached_property
from pathlib import Path
from typing import Any, Literal, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from oncall.domain.people import LeaveRange, Person
from oncall.domain.rotation import Override, RotationSpec
from oncall.errors import ConfigError, Problem
from oncall.yamlfile import Marks, load_yaml

ID_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def _check_timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        guesses = difflib.get_close_matches(value, sorted(available_timezones()), n=1)
        hint = f" (did you mean '{guesses[0]}'?)" if guesses else ""
        raise ValueError(
            f"unknown IANA timezone '{value}'{hint}: use a name like Asia/Kolkata"
        ) from None
    return value


def _check_date(value: Any) -> Any:
    if isinstance(value, datetime):
        raise ValueError("expected a date like 2026-01-05, not a date and time")
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValueError(
                f"bad date '{value}': write it as YYYY-MM-DD, e.g. 2026-01-05"
            ) from None
    return value


class HolidaysSpec(Strict):
    """A holiday calendar of the holidays package."""

    country: str = Field(description="ISO 3166 country code, e.g. IN")
    subdiv: str | None = Field(None, description="Subdivision (state) code, e.g. MH")
    categories: tuple[str, ...] = Field(("public",), description="Holiday categories")

    @field_validator("country")
    @classmethod
    def _upper(cls, v: str) -> str:
        return v.upper()


class CompanyHoliday(Strict):
    date: date
    name: str

    _d = field_validator("date", mode="before")(_check_date)


class TeamSpec(Strict):
    name: str | None = None
    timezone: str = "UTC"
    holidays: HolidaysSpec | None = None
    company_holidays: tuple[CompanyHoliday, ...] = ()
    manager: str | None = None

    _tz = field_validator("timezone")(_check_timezone)


class LeaveSpec(Strict):
    from_: date = Field(alias="from")
    to: date
    reason: str = ""

    _d = field_validator("from_", "to", mode="before")(_check_date)

    @model_validator(mode="after")
    def _ordered(self) -> LeaveSpec:
        if self.to < self.from_:
            raise ValueError(
                f"leave ends ({self.to}) before it starts ({self.from_}): swap 'from' and 'to'"
            )
        return self


class Contacts(Strict):
    slack: str | None = Field(None, description="Slack member id, e.g. U0123ABCD")
    pagerduty_routing_key_env: str | None = Field(
        None, pattern=r"^[A-Z_][A-Z0-9_]*$", description="Env var holding a personal routing key"
    )


class PersonSpec(Strict):
    name: str
    email: str | None = Field(None, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    timezone: str | None = None
    holidays: HolidaysSpec | None = None
    leave: tuple[LeaveSpec, ...] = ()
    contacts: Contacts = Contacts()

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str | None) -> str | None:
        return None if v is None else _check_timezone(v)


Purpose = Literal["investor-reporting", "experiments"]


class PipelineSpec(Strict):
    name: str
    family: str | None = None
    purpose: Purpose = "investor-reporting"
    primary: str
    secondary: str
    rotation: str | None = None
    runbook: str | None = None


class OwnersFile(Strict):
    team: TeamSpec
    people: dict[str, PersonSpec]
    pipelines: dict[str, PipelineSpec] = {}


class HolidaySwapSpec(Strict):
    enabled: bool = True
    weekends: bool = True
    horizon: int = Field(8, ge=1, le=52)


class RotationEntry(Strict):
    members: tuple[str, ...] = Field(min_length=1)
    start: date
    handoff: str = "09:00"
    timezone: str | None = None
    shift_days: int = Field(7, ge=1, le=366)
    holiday_swap: HolidaySwapSpec = HolidaySwapSpec()

    _d = field_validator("start", mode="before")(_check_date)

    @field_validator("handoff", mode="before")
    @classmethod
    def _handoff(cls, v: Any) -> Any:
        if isinstance(v, int):
            raise ValueError(
                'handoff must be quoted, e.g. handoff: "09:00" '
                "(unquoted, YAML reads 09:00 as a number)"
            )
        if isinstance(v, str) and not _HHMM.match(v):
            raise ValueError(f"bad handoff time '{v}': use 24-hour HH:MM in quotes, e.g. \"09:00\"")
        return v

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str | None) -> str | None:
        return None if v is None else _check_timezone(v)


class OverrideEntry(Strict):
    rotation: str
    start: datetime
    end: datetime
    person: str
    reason: str = ""

    @field_validator("start", "end", mode="before")
    @classmethod
    def _dt(cls, v: Any) -> Any:
        if isinstance(v, date) and not isinstance(v, datetime):
            return datetime.combine(v, time(0, 0))
        if isinstance(v, str):
            try:
                return datetime.fromisoformat(v.replace("Z", "+00:00"))
            except ValueError:
                raise ValueError(
                    f"bad date and time '{v}': use ISO 8601 like \"2026-11-30T09:00\" "
                    '(rotation timezone) or "2026-11-30T09:00+05:30"'
                ) from None
        return v


class RotationFile(Strict):
    rotations: dict[str, RotationEntry] = Field(min_length=1)
    overrides: tuple[OverrideEntry, ...] = ()


M = TypeVar("M", bound=BaseModel)


# ---------------------------------------------------------------------------------------
# pydantic errors -> file:line:col


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


def _strip_optional(annotation: Any) -> Any:
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType) and len(args) == 1:
        return args[0]
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
    problems: list[Problem] = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        kind = err["type"]
        if kind == "extra_forbidden":
            parent = _model_at(model, loc[:-1])
            name = str(loc[-1])
            allowed = sorted(f.alias or n for n, f in parent.model_fields.items()) if parent else []
            guess = difflib.get_close_matches(name, allowed, n=1, cutoff=0.6)
            hint = f"did you mean '{guess[0]}'?" if guess else f"allowed: {', '.join(allowed)}"
            where = _dotted(loc[:-1])
            message = f"{where}: unknown key '{name}' ({hint})"
            problems.append(marks.problem(loc, message, key=True))
            continue
        if kind == "missing":
            message = f"{_dotted(loc)}: required key is missing: add '{loc[-1]}'"
            problems.append(marks.problem(loc[:-1], message))
            continue
        if kind in _TYPE_NAMES and "value_error" not in kind:
            got = err.get("input")
            shown = f" (got {got!r})" if not isinstance(got, (dict, list)) else ""
            message = f"{_dotted(loc)}: expected {_TYPE_NAMES[kind]}{shown}"
        else:
            text = str(err["msg"])
            text = text.removeprefix("Value error, ")
            message = f"{_dotted(loc)}: {text}"
        problems.append(marks.problem(loc, message))
    return problems


def load_model(path: Path, model: type[M], *, required: bool = True) -> tuple[M | None, Marks]:
    """Read ``path`` strictly into ``model``; ConfigError lists every problem."""
    data, marks = load_yaml(path, required=required)
    if data is None:
        return None, marks
    if not isinstance(data, dict):
        raise ConfigError([Problem(path, 1, 1, "expected a mapping of keys at the top level")])
    try:
        return model.model_validate(data), marks
    except ValidationError as exc:
        raise ConfigError(pydantic_problems(exc, model, marks)) from None


# ---------------------------------------------------------------------------------------
# Locating the config


def find_config_dir(explicit: Path | None = None, *, cwd: Path | None = None) -> Path:
    if explicit is not None:
        return explicit
    env = os.environ.get("ONCALL_CONFIG_DIR")
    if env:
        return Path(env)
    here = (cwd or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / "config"
        if (candidate / "owners.yaml").is_file():
            try:
                return candidate.relative_to(here)
            except ValueError:
                return candidate
    raise ConfigError(
        [
            Problem(
                here / "config",
                1,
                1,
                "no config found: pass --config-dir DIR, set ONCALL_CONFIG_DIR, or run from a "
                "directory with config/owners.yaml (oncall init creates one)",
            )
        ]
    )


# ---------------------------------------------------------------------------------------
# The loaded config


@dataclass
class Config:
    """Both files, validated against each other, with helpers for the domain."""

    dir: Path
    owners: OwnersFile
    rotation: RotationFile
    owners_marks: Marks
    rotation_marks: Marks
    warnings: list[Problem] = field(default_factory=list)

    @property
    def runbooks_dir(self) -> Path:
        return self.dir.parent / "runbooks"

    @property
    def owners_path(self) -> Path:
        return self.owners_marks.path

    @property
    def rotation_path(self) -> Path:
        return self.rotation_marks.path

    @cached_property
    def team_tz(self) -> ZoneInfo:
        return ZoneInfo(self.owners.team.timezone)

    def person_tz(self, person_id: str) -> ZoneInfo:
        spec = self.owners.people.get(person_id)
        if spec is None or spec.timezone is None:
            return self.team_tz
        return ZoneInfo(spec.timezone)

    @cached_property
    def timezones(self) -> dict[str, ZoneInfo]:
        return {pid: self.person_tz(pid) for pid in self.owners.people}

    @cached_property
    def people(self) -> dict[str, Person]:
        out: dict[str, Person] = {}
        for pid, spec in self.owners.people.items():
            contacts = {k: v for k, v in spec.contacts.model_dump().items() if v is not None}
            out[pid] = Person(pid, spec.name, spec.email, self.person_tz(pid), contacts)
        return out

    def person_name(self, person_id: str) -> str:
        spec = self.owners.people.get(person_id)
        return spec.name if spec else person_id

    def holidays_for(self, person_id: str) -> HolidaysSpec | None:
        spec = self.owners.people.get(person_id)
        if spec is not None and spec.holidays is not None:
            return spec.holidays
        return self.owners.team.holidays

    def leave(self) -> dict[str, list[LeaveRange]]:
        return {
            pid: [LeaveRange(lv.from_, lv.to, lv.reason) for lv in spec.leave]
            for pid, spec in self.owners.people.items()
        }

    def company_holidays(self) -> dict[date, str]:
        return {h.date: h.name for h in self.owners.team.company_holidays}

    def rotation_tz(self, rotation_id: str) -> ZoneInfo:
        entry = self.rotation.rotations[rotation_id]
        return ZoneInfo(entry.timezone) if entry.timezone else self.team_tz

    @cached_property
    def rotation_specs(self) -> dict[str, RotationSpec]:
        out: dict[str, RotationSpec] = {}
        for rid, entry in self.rotation.rotations.items():
            hh, mm = (int(x) for x in entry.handoff.split(":"))
            out[rid] = RotationSpec(
                id=rid,
                members=entry.members,
                start=entry.start,
                handoff=time(hh, mm),
                tz=self.rotation_tz(rid),
                shift_days=entry.shift_days,
                swap_enabled=entry.holiday_swap.enabled,
                swap_weekends=entry.holiday_swap.weekends,
                swap_horizon=entry.holiday_swap.horizon,
            )
        return out

    def overrides_for(self, rotation_id: str) -> list[Override]:
        tz = self.rotation_tz(rotation_id) if rotation_id in self.rotation.rotations else None
        out: list[Override] = []
        for ov in self.rotation.overrides:
            if ov.rotation != rotation_id or tz is None:
                continue
            out.append(
                Override(
                    rotation=ov.rotation,
                    start=_aware(ov.start, tz),
                    end=_aware(ov.end, tz),
                    person=ov.person,
                    reason=ov.reason,
                )
            )
        return sorted(out, key=lambda o: o.start.astimezone(UTC))

    def pipeline_rotation(self, pipeline_id: str) -> str:
        spec = self.owners.pipelines[pipeline_id]
        return spec.rotation or next(iter(self.rotation.rotations))


def _aware(value: datetime, tz: ZoneInfo) -> datetime:
    if value.tzinfo is not None:
        return value
    from oncall.domain.timeutil import resolve_wall_time

    return resolve_wall_time(value.date(), value.time(), tz)


# ---------------------------------------------------------------------------------------
# Cross-file rules


def _known(ids: Iterable[str]) -> str:
    return ", ".join(sorted(ids))


def _unknown_person(name: str, known: Mapping[str, object]) -> str:
    guess = difflib.get_close_matches(name, list(known), n=1, cutoff=0.75)
    hint = f"did you mean '{guess[0]}'? " if guess else ""
    return f"unknown person '{name}' ({hint}known: {_known(known)})"


def cross_check(cfg: Config) -> list[Problem]:
    """Rules that span keys and files. Returns errors and warnings."""
    om, rm = cfg.owners_marks, cfg.rotation_marks
    people = cfg.owners.people
    rotations = cfg.rotation.rotations
    problems: list[Problem] = []

    for pid in people:
        if not re.match(ID_PATTERN, pid):
            problems.append(
                om.problem(
                    ("people", pid),
                    f"people.{pid}: person ids use lowercase letters, digits, '-' and '_'",
                    key=True,
                )
            )
    manager = cfg.owners.team.manager
    if manager is not None and manager not in people:
        problems.append(
            om.problem(("team", "manager"), f"team.manager: {_unknown_person(manager, people)}")
        )

    for pl_id, pl in cfg.owners.pipelines.items():
        base = ("pipelines", pl_id)
        for role in ("primary", "secondary"):
            who = getattr(pl, role)
            if who not in people:
                problems.append(
                    om.problem(
                        (*base, role), f"pipelines.{pl_id}.{role}: {_unknown_person(who, people)}"
                    )
                )
        if pl.primary == pl.secondary:
            problems.append(
                om.problem(
                    (*base, "secondary"),
                    f"pipelines.{pl_id}: primary and secondary are both '{pl.primary}': the "
                    "secondary is the backup, so name someone else",
                )
            )
        if pl.rotation is not None and pl.rotation not in rotations:
            problems.append(
                om.problem(
                    (*base, "rotation"),
                    f"pipelines.{pl_id}.rotation: unknown rotation '{pl.rotation}' "
                    f"(defined in {cfg.rotation_path.name}: {_known(rotations)})",
                )
            )
        if pl.runbook is not None:
            path = cfg.runbooks_dir / f"{pl.runbook}.yaml"
            if not path.is_file():
                problems.append(
                    om.problem(
                        (*base, "runbook"),
                        f"pipelines.{pl_id}.runbook: no runbook file {path.name} in "
                        f"{cfg.runbooks_dir}: create it or remove the key",
                    )
                )

    for rid, rot in rotations.items():
        seen: dict[str, int] = {}
        for i, member in enumerate(rot.members):
            mloc: tuple[str | int, ...] = ("rotations", rid, "members", i)
            if member not in people:
                problems.append(
                    rm.problem(
                        mloc, f"rotations.{rid}.members[{i}]: {_unknown_person(member, people)}"
                    )
                )
            if member in seen:
                problems.append(
                    rm.problem(
                        mloc,
                        f"rotations.{rid}.members[{i}]: '{member}' is already a member "
                        f"(members[{seen[member]}]): list each person once; use overrides "
                        "for extra shifts",
                    )
                )
            else:
                seen[member] = i

    by_rotation: dict[str, list[tuple[int, Override]]] = {}
    for i, ov in enumerate(cfg.rotation.overrides):
        loc: tuple[str | int, ...] = ("overrides", i)
        if ov.rotation not in rotations:
            problems.append(
                rm.problem(
                    (*loc, "rotation"),
                    f"overrides[{i}].rotation: unknown rotation '{ov.rotation}' "
                    f"(known: {_known(rotations)})",
                )
            )
            continue
        if ov.person not in people:
            problems.append(
                rm.problem(
                    (*loc, "person"), f"overrides[{i}].person: {_unknown_person(ov.person, people)}"
                )
            )
        tz = cfg.rotation_tz(ov.rotation)
        start, end = _aware(ov.start, tz), _aware(ov.end, tz)
        if end.astimezone(UTC) <= start.astimezone(UTC):
            problems.append(
                rm.problem(
                    (*loc, "end"),
                    f"overrides[{i}]: end ({ov.end}) must be after start ({ov.start})",
                )
            )
            continue
        by_rotation.setdefault(ov.rotation, []).append(
            (i, Override(ov.rotation, start, end, ov.person, ov.reason))
        )
    for rid, items in by_rotation.items():
        spec = cfg.rotation_specs[rid]
        from oncall.domain.rotation import shift_start

        first = shift_start(spec, 0)
        items.sort(key=lambda it: it[1].start)
        for (ia, a), (ib, b) in itertools.pairwise(items):
            if b.start < a.end:
                problems.append(
                    rm.problem(
                        ("overrides", ib, "start"),
                        f"overrides[{ib}] overlaps overrides[{ia}] in rotation '{rid}': "
                        "shorten one so they do not overlap",
                    )
                )
        for i, ov2 in items:
            if ov2.end.astimezone(UTC) <= first.astimezone(UTC):
                problems.append(
                    rm.problem(
                        ("overrides", i, "end"),
                        f"overrides[{i}] ends before rotation '{rid}' starts "
                        f"({first.isoformat()}): it would never apply; fix the dates or remove it",
                    )
                )
    return problems


def load_config(config_dir: Path | None = None) -> Config:
    """Load and cross-check the config. ConfigError lists every error found."""
    directory = find_config_dir(config_dir)
    problems: list[Problem] = []
    owners: OwnersFile | None = None
    rotation: RotationFile | None = None
    owners_marks = rotation_marks = None
    try:
        owners, owners_marks = load_model(directory / "owners.yaml", OwnersFile)
    except ConfigError as exc:
        problems.extend(exc.problems)
    try:
        rotation, rotation_marks = load_model(directory / "rotation.yaml", RotationFile)
    except ConfigError as exc:
        problems.extend(exc.problems)
    if problems or owners is None or rotation is None:
        raise ConfigError(problems)
    assert owners_marks is not None and rotation_marks is not None
    cfg = Config(directory, owners, rotation, owners_marks, rotation_marks)
    found = cross_check(cfg)
    errors = [p for p in found if p.severity == "error"]
    if errors:
        raise ConfigError(errors)
    cfg.warnings.extend(p for p in found if p.severity != "error")
    return cfg
