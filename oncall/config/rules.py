"""Rules between keys and files: references, overrides and holiday calendars.

``reference_problems`` and ``calendar_problems`` run on the raw YAML data, so that they
report even when a file has other errors; ``override_problems`` needs the validated config.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from datetime import UTC
from pathlib import Path
from typing import Any

from oncall.config.loaded import Config, aware_in
from oncall.config.marks import Marks
from oncall.domain.ids import ID_PATTERN
from oncall.domain.rotation import Override, shift_start
from oncall.domain.text import closest
from oncall.errors import Problem


def _known(ids: Iterable[str]) -> str:
    return ", ".join(sorted(ids))


def _unknown_person(name: str, known: Mapping[str, object]) -> str:
    guess = closest(name, known, cutoff=0.75)
    hint = f"did you mean '{guess}'? " if guess is not None else ""
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
    runbooks: Path,
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
        if runbook is not None and not ID_PATTERN.match(runbook):
            # The name becomes a path: checked here, once, before any file is opened.
            problems.append(
                om.problem(
                    (*base, "runbook"),
                    f"pipelines.{pl_id}.runbook: bad runbook name {runbook[:80]!r}: use the "
                    "file name in runbooks/ without .yaml (lowercase letters, digits, '-', '_')",
                )
            )
        elif runbook is not None:
            path = runbooks / f"{runbook}.yaml"
            if not path.is_file():
                problems.append(
                    om.problem(
                        (*base, "runbook"),
                        f"pipelines.{pl_id}.runbook: no runbook file {path.name} in "
                        f"{runbooks}: create it or remove the key",
                    )
                )

    for rid, raw in rotations.items():
        if not ID_PATTERN.match(str(rid)):  # rotation ids name calendar files
            problems.append(
                rm.problem(
                    ("rotations", rid),
                    f"rotations.{rid}: rotation ids use lowercase letters, digits, '-' and '_'",
                    key=True,
                )
            )
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


def unique_problems(problems: list[Problem]) -> list[Problem]:
    """Each problem once (by its rendered text), in file, line and column order."""
    seen: set[str] = set()
    out: list[Problem] = []
    for p in problems:
        text = p.render()
        if text not in seen:
            seen.add(text)
            out.append(p)
    return sorted(out, key=lambda p: (p.path, p.line, p.col))
