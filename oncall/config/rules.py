"""Rules between keys and files: references, overrides and holiday calendars.

``reference_problems`` and ``calendar_problems`` run on the raw YAML data, so that they
report even when a file has other errors; ``override_problems`` needs the validated config.
"""

from __future__ import annotations

import itertools
import re
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
        if pl_id in people:
            problems.append(
                om.problem(
                    base,
                    f"pipelines.{pl_id}: '{pl_id}' is also a person id; `oncall who {pl_id}` "
                    "could mean either: rename the pipeline or the person",
                    key=True,
                )
            )
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
        lists: list[tuple[tuple[str | int, ...], Any]] = [
            (("rotations", rid), _mapping(raw).get("members"))
        ]
        roster = _mapping(raw).get("roster")
        for p, phase in enumerate(roster if isinstance(roster, list) else []):
            lists.append((("rotations", rid, "roster", p), _mapping(phase).get("members")))
        for where, members in lists:
            problems.extend(_member_problems(where, members, people, rm))

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


def _member_problems(
    base: tuple[str | int, ...], members: Any, people: dict[str, Any], rm: Marks
) -> list[Problem]:
    """Unknown or repeated people in one members list (of a rotation or a roster phase)."""
    where = ".".join(str(x) for x in base)
    where = re.sub(r"\.(\d+)(?=\.|$)", r"[\1]", where)
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for i, member in enumerate(members if isinstance(members, list) else []):
        if not isinstance(member, str):
            continue
        mloc = (*base, "members", i)
        if member not in people:
            problems.append(
                rm.problem(mloc, f"{where}.members[{i}]: {_unknown_person(member, people)}")
            )
        if member in seen:
            problems.append(
                rm.problem(
                    mloc,
                    f"{where}.members[{i}]: '{member}' is already a member "
                    f"(members[{seen[member]}]): list each person once; use overrides "
                    "for extra shifts",
                )
            )
        else:
            seen[member] = i
    return problems


def roster_problems(cfg: Config) -> list[Problem]:
    """Roster phases out of date order, or starting before (or, the first, after) ``start``
    (errors); phases that hold no shift (warnings)."""
    problems: list[Problem] = []
    for rid, entry in cfg.rotation.rotations.items():
        phases = entry.roster or ()
        before = len(problems)
        for i, phase in enumerate(phases):
            loc: tuple[str | int, ...] = ("rotations", rid, "roster", i, "from")
            where = f"rotations.{rid}.roster[{i}].from"
            if i == 0 and phase.from_ != entry.start:
                problems.append(
                    cfg.rotation_marks.problem(
                        loc,
                        f"{where}: the first phase begins the rotation, so its 'from' "
                        f"({phase.from_}) must be the rotation's start ({entry.start})",
                    )
                )
            elif phase.from_ < entry.start:
                problems.append(
                    cfg.rotation_marks.problem(
                        loc,
                        f"{where}: {phase.from_} is before the rotation's start "
                        f"({entry.start}): a phase must begin on or after it",
                    )
                )
            elif i > 0 and phase.from_ <= phases[i - 1].from_:
                problems.append(
                    cfg.rotation_marks.problem(
                        loc,
                        f"{where}: {phase.from_} is not after the previous phase's "
                        f"'from' ({phases[i - 1].from_}): list phases in date order",
                    )
                )
        if phases and len(problems) == before:  # in date order: does each hold a shift?
            problems.extend(_empty_phases(cfg, rid, entry))
    return problems


def _empty_phases(cfg: Config, rid: str, entry: Any) -> list[Problem]:
    """Warnings for phases (in date order) that hold no shift: the next phase begins with
    the same shift, so their members would never take a turn (rule 1b)."""
    from datetime import timedelta

    from oncall.domain.phases import phase_firsts

    phases = entry.roster
    firsts = phase_firsts(entry.start, entry.shift_days, cfg.rotation_specs[rid].roster)
    out: list[Problem] = []
    for i in range(len(phases) - 1):
        if firsts[i] != firsts[i + 1]:
            continue
        first_day = entry.start + timedelta(days=firsts[i] * entry.shift_days)
        out.append(
            cfg.rotation_marks.problem(
                ("rotations", rid, "roster", i, "from"),
                f"rotations.{rid}.roster[{i}].from: the phase from {phases[i].from_} holds "
                f"no shift: the next phase (from {phases[i + 1].from_}) begins with the same "
                f"shift, the one starting {first_day}; its members never take a turn: move "
                "a date to another shift or remove the phase",
                severity="warning",
            )
        )
    return out


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
    checked: dict[CalendarKey, str | None] = {}  # people share a few calendars: check each once
    for loc, spec in entries:
        country, subdiv = _text(spec.get("country")), spec.get("subdiv")
        categories = spec.get("categories", ["public"])
        if country is None or not (subdiv is None or isinstance(subdiv, str)):
            continue
        if not isinstance(categories, list) or not all(isinstance(c, str) for c in categories):
            continue
        key = CalendarKey(country.upper(), subdiv, tuple(categories))
        if key not in checked:
            checked[key] = check_calendar(key)
        message = checked[key]
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
