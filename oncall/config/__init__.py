"""Config as code: ``config/owners.yaml`` and ``config/rotation.yaml`` into pydantic models.

Every problem is reported as ``file:line:col: error: what is wrong and how to fix it``,
and every problem in a file set is reported, not only the first.

Validated config is cached (see ``load_config``): a warm start reads one JSON file and
never imports pydantic.

Lookup order of the config directory: ``--config-dir``, ``ONCALL_CONFIG_DIR``, then
``config/`` in the current directory or its nearest parent. ``runbooks/`` sits beside it.
"""

from __future__ import annotations

import contextlib
import difflib
import hashlib
import itertools
import json
import os
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from functools import cached_property
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, TypeVar
from zoneinfo import ZoneInfo

from oncall import __version__
from oncall.domain.ids import ID_PATTERN
from oncall.domain.people import LeaveRange, Person
from oncall.domain.rotation import Override, RotationSpec
from oncall.errors import ConfigError, ConfigNotFoundError, Problem
from oncall.marks import Marks

if TYPE_CHECKING:
    from pydantic import BaseModel

    from oncall.config_models import HolidaysSpec, OwnersFile, RotationFile

M = TypeVar("M", bound="BaseModel")


def load_model(path: Path, model: type[M], *, required: bool = True) -> tuple[M | None, Marks]:
    """Read ``path`` strictly into ``model``; ConfigError lists every problem, located."""
    from oncall.config_models import load_model as _load_model

    return _load_model(path, model, required=required)


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
    raise ConfigNotFoundError(
        f"no config found in {here} or its parents: pass --config-dir DIR, set "
        "ONCALL_CONFIG_DIR, or run from a directory with config/owners.yaml "
        "(`oncall init` creates one)"
    )


# ---------------------------------------------------------------------------------------
# The loaded config


@dataclass
class Config:
    """Both files, validated against each other, with helpers for the domain.

    ``owners`` and ``rotation`` are read-only views of the validated models (plain
    namespaces with the same attributes, so a cached config needs no pydantic); they are
    typed as the models so that mypy checks every attribute used.
    """

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
            raw = {
                "slack": spec.contacts.slack,
                "pagerduty_routing_key_env": spec.contacts.pagerduty_routing_key_env,
            }
            contacts = {k: v for k, v in raw.items() if v is not None}
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
                    start=aware_in(ov.start, tz),
                    end=aware_in(ov.end, tz),
                    person=ov.person,
                    reason=ov.reason,
                )
            )
        return sorted(out, key=lambda o: o.start.astimezone(UTC))

    def pipeline_rotation(self, pipeline_id: str) -> str:
        spec = self.owners.pipelines[pipeline_id]
        return spec.rotation or next(iter(self.rotation.rotations))


def aware_in(value: datetime, tz: ZoneInfo) -> datetime:
    """``value`` as an instant: naive values are wall time in ``tz`` (DST rules apply)."""
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


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def reference_problems(
    owners: dict[str, Any],
    rotation: dict[str, Any],
    om: Marks,
    rm: Marks,
    runbooks_dir: Path,
) -> list[Problem]:
    """Rules between keys and files, on the raw YAML data.

    They run even when a file has other errors, so that one run of ``oncall validate``
    lists every problem; values of the wrong type are left to the model's messages.
    """
    people = _mapping(owners.get("people"))
    rotations = _mapping(rotation.get("rotations"))
    problems: list[Problem] = []

    for pid in people:
        if not ID_PATTERN.match(pid):
            problems.append(
                om.problem(
                    ("people", pid),
                    f"people.{pid}: person ids use lowercase letters, digits, '-' and '_'",
                    key=True,
                )
            )
    manager = _text(_mapping(owners.get("team")).get("manager"))
    if manager is not None and manager not in people:
        problems.append(
            om.problem(("team", "manager"), f"team.manager: {_unknown_person(manager, people)}")
        )

    for pl_id, raw in _mapping(owners.get("pipelines")).items():
        pl = _mapping(raw)
        base = ("pipelines", pl_id)
        for role in ("primary", "secondary"):
            who = _text(pl.get(role))
            if who is not None and who not in people:
                problems.append(
                    om.problem(
                        (*base, role), f"pipelines.{pl_id}.{role}: {_unknown_person(who, people)}"
                    )
                )
        primary, secondary = _text(pl.get("primary")), _text(pl.get("secondary"))
        if primary is not None and primary == secondary:
            problems.append(
                om.problem(
                    (*base, "secondary"),
                    f"pipelines.{pl_id}: primary and secondary are both '{primary}': the "
                    "secondary is the backup, so name someone else",
                )
            )
        rot = _text(pl.get("rotation"))
        if rot is not None and rotations and rot not in rotations:
            problems.append(
                om.problem(
                    (*base, "rotation"),
                    f"pipelines.{pl_id}.rotation: unknown rotation '{rot}' "
                    f"(defined in {rm.path.name}: {_known(rotations)})",
                )
            )
        runbook = _text(pl.get("runbook"))
        if runbook is not None:
            path = runbooks_dir / f"{runbook}.yaml"
            if not path.is_file():
                problems.append(
                    om.problem(
                        (*base, "runbook"),
                        f"pipelines.{pl_id}.runbook: no runbook file {path.name} in "
                        f"{runbooks_dir}: create it or remove the key",
                    )
                )

    for rid, raw in rotations.items():
        members = _mapping(raw).get("members")
        seen: dict[str, int] = {}
        for i, member in enumerate(members if isinstance(members, list) else []):
            if not isinstance(member, str):
                continue
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

    overrides = rotation.get("overrides")
    for i, raw in enumerate(overrides if isinstance(overrides, list) else []):
        ov = _mapping(raw)
        loc: tuple[str | int, ...] = ("overrides", i)
        rot = _text(ov.get("rotation"))
        if rot is not None and rot not in rotations:
            problems.append(
                rm.problem(
                    (*loc, "rotation"),
                    f"overrides[{i}].rotation: unknown rotation '{rot}' "
                    f"(known: {_known(rotations)})",
                )
            )
        person = _text(ov.get("person"))
        if person is not None and person not in people:
            problems.append(
                rm.problem(
                    (*loc, "person"), f"overrides[{i}].person: {_unknown_person(person, people)}"
                )
            )
    return problems


def calendar_problems(owners: dict[str, Any], om: Marks) -> list[Problem]:
    """Unknown holiday countries, subdivisions or categories, on the raw YAML data.

    Imports the holidays package: it runs only when a config is (re)validated, never on a
    cached load.
    """
    from oncall.adapters.calendars import CalendarKey, check_calendar

    entries: list[tuple[tuple[str, ...], dict[str, Any]]] = []
    team_holidays = _mapping(owners.get("team")).get("holidays")
    if isinstance(team_holidays, dict):
        entries.append((("team", "holidays"), team_holidays))
    for pid, person in _mapping(owners.get("people")).items():
        spec = _mapping(person).get("holidays")
        if isinstance(spec, dict):
            entries.append((("people", pid, "holidays"), spec))
    problems: list[Problem] = []
    for loc, spec in entries:
        country, subdiv = _text(spec.get("country")), spec.get("subdiv")
        categories = spec.get("categories", ["public"])
        if country is None or not (subdiv is None or isinstance(subdiv, str)):
            continue
        if not isinstance(categories, list) or not all(isinstance(c, str) for c in categories):
            continue
        key = CalendarKey(country.upper(), subdiv, tuple(categories))
        message = check_calendar(key)
        if message is None:
            continue
        field = "country"
        if subdiv and "subdiv" in message.lower():
            field = "subdiv"
        elif "categor" in message.lower():
            field = "categories"
        problems.append(om.problem((*loc, field), f"{'.'.join(loc)}: {message}"))
    return problems


def override_problems(cfg: Config) -> list[Problem]:
    """Overrides that end before they start, overlap, or lie before their rotation starts."""
    rm = cfg.rotation_marks
    rotations = cfg.rotation.rotations
    problems: list[Problem] = []
    by_rotation: dict[str, list[tuple[int, Override]]] = {}
    for i, ov in enumerate(cfg.rotation.overrides):
        loc: tuple[str | int, ...] = ("overrides", i)
        if ov.rotation not in rotations:
            continue
        tz = cfg.rotation_tz(ov.rotation)
        start, end = aware_in(ov.start, tz), aware_in(ov.end, tz)
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


# ---------------------------------------------------------------------------------------
# Loading, with a cache of validated config


def _cache_root() -> Path:
    env = os.environ.get("ONCALL_CACHE_DIR")
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_cache_dir("oncall"))


def _fingerprint(directory: Path, owners: bytes, rotation: bytes) -> str:
    """Everything a validated config depends on: file contents, runbook names, versions
    (of oncall, Python and the holidays package, whose calendars validation checks)."""
    runbooks = directory.parent / "runbooks"
    try:
        names = sorted(p for p in os.listdir(runbooks) if p.endswith(".yaml"))
    except OSError:
        names = []
    digest = hashlib.sha256()
    from oncall.adapters.calendars import holidays_version

    for part in (
        _CACHE_FORMAT,
        __version__,
        holidays_version(),
        sys.version,
        str(directory.resolve()),
        str(directory),
        "\n".join(names),
    ):
        digest.update(part.encode() + b"\0")
    digest.update(owners + b"\0" + rotation)
    return digest.hexdigest()


_CACHE_FORMAT = "1"


def _to_plain(value: Any) -> Any:
    """Validated models as JSON-able data, tagged so that ``_from_plain`` can rebuild them."""
    fields = getattr(type(value), "model_fields", None)
    if fields is not None:
        return {"__m__": {name: _to_plain(getattr(value, name)) for name in fields}}
    if isinstance(value, dict):
        return {"__d__": {str(k): _to_plain(v) for k, v in value.items()}}
    if isinstance(value, (list, tuple)):
        return [_to_plain(v) for v in value]
    if isinstance(value, datetime):
        return {"__dt__": value.isoformat()}
    if isinstance(value, date):
        return {"__date__": value.isoformat()}
    return value


def _from_plain(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_from_plain(v) for v in value)
    if isinstance(value, dict):
        if "__m__" in value:
            return SimpleNamespace(**{k: _from_plain(v) for k, v in value["__m__"].items()})
        if "__d__" in value:
            return {k: _from_plain(v) for k, v in value["__d__"].items()}
        if "__dt__" in value:
            return datetime.fromisoformat(value["__dt__"])
        if "__date__" in value:
            return date.fromisoformat(value["__date__"])
    return value


def _marks_plain(marks: Marks) -> dict[str, Any]:
    return {
        "path": str(marks.path),
        "values": [[list(k), *v] for k, v in marks.values.items()],
        "keys": [[list(k), *v] for k, v in marks.keys.items()],
    }


def _marks_from(raw: dict[str, Any]) -> Marks:
    marks = Marks(Path(raw["path"]))
    marks.values = {tuple(k): (line, col) for k, line, col in raw["values"]}
    marks.keys = {tuple(k): (line, col) for k, line, col in raw["keys"]}
    return marks


def _read_cache(path: Path) -> dict[str, Any] | None:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return raw if isinstance(raw, dict) and raw.get("format") == _CACHE_FORMAT else None


def _write_cache(path: Path, payload: dict[str, Any]) -> None:
    from oncall.fileutil import atomic_write

    # A cache we cannot write only costs a re-validation next time.
    with contextlib.suppress(OSError):
        atomic_write(path, json.dumps(payload, separators=(",", ":")).encode())
        _prune(path.parent, keep=_CACHE_KEEP)


_CACHE_KEEP = 32


def _prune(folder: Path, *, keep: int) -> None:
    """Drop all but the ``keep`` most recently written entries (old config versions)."""
    entries = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[keep:]:
        with contextlib.suppress(OSError):
            old.unlink()


def load_config(config_dir: Path | None = None, *, use_cache: bool = True) -> Config:
    """Load and cross-check the config. ConfigError lists every error found.

    Once a file set has validated, the result is cached under the user cache dir
    (``$ONCALL_CACHE_DIR/config/``), keyed by the files' bytes, the runbook file names and
    the versions of oncall and Python. A hit skips YAML parsing and pydantic entirely; a
    missing, stale or corrupt cache entry only costs a re-validation. Config files are
    never written.
    """
    directory = find_config_dir(config_dir)
    try:
        owners_bytes = (directory / "owners.yaml").read_bytes()
        rotation_bytes = (directory / "rotation.yaml").read_bytes()
    except OSError:
        owners_bytes = rotation_bytes = b""
        use_cache = False
    cache_path = None
    if use_cache:
        key = _fingerprint(directory, owners_bytes, rotation_bytes)
        cache_path = _cache_root() / "config" / f"{key}.json"
        cached = _read_cache(cache_path)
        if cached is not None:
            try:
                return Config(
                    directory,
                    _from_plain(cached["owners"]),
                    _from_plain(cached["rotation"]),
                    _marks_from(cached["owners_marks"]),
                    _marks_from(cached["rotation_marks"]),
                    [Problem(*w) for w in cached["warnings"]],
                )
            except (KeyError, TypeError, ValueError):
                pass  # corrupt entry: validate again
    cfg = _load_and_check(directory)
    if cache_path is not None:
        _write_cache(
            cache_path,
            {
                "format": _CACHE_FORMAT,
                "owners": _to_plain(cfg.owners),
                "rotation": _to_plain(cfg.rotation),
                "owners_marks": _marks_plain(cfg.owners_marks),
                "rotation_marks": _marks_plain(cfg.rotation_marks),
                "warnings": [[w.path, w.line, w.col, w.message, w.severity] for w in cfg.warnings],
            },
        )
    return Config(
        directory,
        _from_plain(_to_plain(cfg.owners)),
        _from_plain(_to_plain(cfg.rotation)),
        cfg.owners_marks,
        cfg.rotation_marks,
        cfg.warnings,
    )


def _load_and_check(directory: Path) -> Config:
    """Validate both files with pydantic and check them against each other.

    Every rule runs even when another failed (reference rules on the raw data), so one
    ConfigError lists every problem of the file set.
    """
    from oncall.config_models import OwnersFile, RotationFile, validate_data
    from oncall.yamlfile import load_yaml

    problems: list[Problem] = []
    raw: dict[str, Any] = {}
    marks: dict[str, Marks] = {}
    models: dict[str, Any] = {}
    for name, model in (("owners", OwnersFile), ("rotation", RotationFile)):
        try:
            raw[name], marks[name] = load_yaml(directory / f"{name}.yaml")
            models[name] = validate_data(raw[name], model, marks[name])
        except ConfigError as exc:
            problems.extend(exc.problems)
    owners_raw, rotation_raw = raw.get("owners"), raw.get("rotation")
    if isinstance(owners_raw, dict) and isinstance(rotation_raw, dict):
        problems.extend(
            reference_problems(
                owners_raw,
                rotation_raw,
                marks["owners"],
                marks["rotation"],
                directory.parent / "runbooks",
            )
        )
    if isinstance(owners_raw, dict):
        problems.extend(calendar_problems(owners_raw, marks["owners"]))
    errors = _unique([p for p in problems if p.severity == "error"])
    if errors or "owners" not in models or "rotation" not in models:
        raise ConfigError(errors)
    cfg = Config(
        directory, models["owners"], models["rotation"], marks["owners"], marks["rotation"]
    )
    found = override_problems(cfg)
    errors = [p for p in found if p.severity == "error"]
    if errors:
        raise ConfigError(errors)
    cfg.warnings.extend(p for p in found if p.severity != "error")
    return cfg


def _unique(problems: list[Problem]) -> list[Problem]:
    seen: set[str] = set()
    out: list[Problem] = []
    for p in problems:
        text = p.render()
        if text not in seen:
            seen.add(text)
            out.append(p)
    return sorted(out, key=lambda p: (p.path, p.line, p.col))
