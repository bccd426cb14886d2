"""Schedule diff: what a config change does to who is on call, and why.

Both configs' schedules are computed over the same window; the result lists, per rotation,
the maximal spans where the holder differs, and each person's on-call days before and after.
Pure apart from the holiday calendars; time is an argument.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from oncall.config import Config
from oncall.domain.people import Availability, DayOff, describe_days
from oncall.reports.diff import DiffChange, DiffLoad, DiffWindow, RotationDiff, ScheduleDiff
from oncall.services.roster import build_availability, default_calendars, resolve_rotation

if TYPE_CHECKING:
    from pathlib import Path

    from oncall.adapters.calendars import HolidayCalendars
    from oncall.adapters.git import ConfigSnapshots
    from oncall.domain.rotation import Shift

__all__ = ["compute_schedule_diff", "explain_change", "load_against"]


def compute_schedule_diff(
    before: Config,
    after: Config,
    start: datetime,
    end: datetime,
    *,
    against: str = "HEAD",
    rotation: str | None = None,
    calendars: HolidayCalendars | None = None,
) -> ScheduleDiff:
    """The spans in [start, end) whose holder differs between ``before`` and ``after``.

    ``against`` only labels the report (a git revision or a directory). ``rotation`` limits
    the diff to one rotation (known in either config).
    """
    from oncall.domain.rotation import compute_shifts
    from oncall.domain.stats import compute_stats

    if rotation is not None and rotation not in before.rotation.rotations:
        rotation = resolve_rotation(after, rotation)
    cals = calendars or default_calendars()
    sides = (before, after)
    avail = [build_availability(cfg, cals) for cfg in sides]
    ids = list(dict.fromkeys([*after.rotation.rotations, *before.rotation.rotations]))
    days: list[dict[str, int]] = [{}, {}]
    rotations: list[RotationDiff] = []
    for rid in ids:
        if rotation is not None and rid != rotation:
            continue
        shifts: list[list[Shift]] = [[], []]
        for side, cfg in enumerate(sides):
            spec = cfg.rotation_specs.get(rid)
            if spec is None:
                continue
            shifts[side] = compute_shifts(
                spec, start, end, availability=avail[side], overrides=cfg.overrides_for(rid)
            )
            local = (start.astimezone(spec.tz).date(), end.astimezone(spec.tz).date())
            stats = compute_stats(shifts[side], availability=avail[side], between=local)
            for p in stats.people:
                days[side][p.person] = days[side].get(p.person, 0) + p.oncall_days
        tz = (after.rotation_specs.get(rid) or before.rotation_specs[rid]).tz
        changes = _changes(shifts[0], shifts[1], start, end, availability=avail)
        for change in changes:
            change.start = change.start.astimezone(tz)
            change.end = change.end.astimezone(tz)
        rotations.append(RotationDiff(rotation=rid, changes=changes))
    order = [*after.owners.people, *before.owners.people, *days[0], *days[1]]
    load = [
        DiffLoad(person=p, days_before=days[0].get(p, 0), days_after=days[1].get(p, 0))
        for p in dict.fromkeys(order)
        if days[0].get(p) or days[1].get(p)
    ]
    tz = after.team_tz
    return ScheduleDiff(
        against=against,
        window=DiffWindow(from_=start.astimezone(tz), to=end.astimezone(tz)),
        rotations=rotations,
        load=load,
    )


def load_against(
    cfg: Config, against: str, workdir: Path, snapshots: ConfigSnapshots | None = None
) -> Config:
    """The config to compare with: a directory (a config dir, or a project with ``config/``),
    else a git revision read into ``workdir`` (no checkout). Problems in a revision's files
    are located as ``REV:path``."""
    from pathlib import Path

    from oncall.config import load_config
    from oncall.config.locate import CONFIG_DIR, OWNERS_FILE
    from oncall.errors import ConfigError, Problem, UsageError

    given = Path(against).expanduser()
    if given.is_dir():
        folder = given if (given / OWNERS_FILE).is_file() else given / CONFIG_DIR
        return load_config(folder, use_cache=False)
    if given.exists():
        raise UsageError(f"--against: {against} is a file: give a config directory or a revision")
    if against.startswith(("/", "./", "../", "~")):  # a path, never a revision
        raise UsageError(
            f"--against: no directory {against}: give an existing config directory "
            "or a git revision"
        )
    if snapshots is None:
        from oncall.adapters.git import GitSnapshots

        snapshots = GitSnapshots()
    folder = snapshots.export(cfg.dir, against, workdir)
    try:
        return load_config(folder, use_cache=False)
    except ConfigError as exc:
        moved = [
            Problem(
                p.path.replace(str(workdir), against + ":", 1).replace(":/", ":", 1),
                p.line,
                p.col,
                p.message,
                p.severity,
            )
            for p in exc.problems
        ]
        raise ConfigError(moved) from None


def _at(shifts: Sequence[Shift], starts: list[datetime], t: datetime) -> Shift | None:
    """The shift holding ``t`` (shifts are chronological and contiguous)."""
    i = bisect.bisect_right(starts, t) - 1
    if i >= 0 and t < shifts[i].end.astimezone(UTC):
        return shifts[i]
    return None


def _changes(
    before: list[Shift],
    after: list[Shift],
    start: datetime,
    end: datetime,
    *,
    availability: Sequence[Availability] = (),
) -> list[DiffChange]:
    lo, hi = start.astimezone(UTC), end.astimezone(UTC)
    marks = {lo, hi}
    for s in (*before, *after):
        for t in (s.start.astimezone(UTC), s.end.astimezone(UTC)):
            if lo < t < hi:
                marks.add(t)
    cuts = sorted(marks)
    starts_old = [s.start.astimezone(UTC) for s in before]
    starts_new = [s.start.astimezone(UTC) for s in after]
    out: list[DiffChange] = []
    for a, b in itertools.pairwise(cuts):
        old, new = _at(before, starts_old, a), _at(after, starts_new, a)
        p_old = old.person if old else None
        p_new = new.person if new else None
        if p_old == p_new:
            continue
        why = explain_change(old, new)
        if len(availability) == 2:
            cause = days_off_change(old, new, availability[0], availability[1])
            why = f"{cause}; {why}" if cause else why
        last = out[-1] if out else None
        if (
            last is not None
            and last.end == a
            and (last.before, last.after) == (p_old, p_new)
            and last.why == why
        ):
            last.end = b
            continue
        out.append(DiffChange(start=a, end=b, before=p_old, after=p_new, why=why))
    return out


def _people(*shifts: Shift | None) -> list[str]:
    """Everyone a change of these shifts can hinge on: holders, base holders, swap partners."""
    names: list[str | None] = []
    for s in shifts:
        if s is not None:
            names += [s.person, s.base_person, s.swapped_with, s.swap_cause_person, s.overridden]
    return [n for n in dict.fromkeys(names) if n]


def days_off_change(
    old: Shift | None, new: Shift | None, before: Availability, after: Availability
) -> str:
    """The leave or holidays that the change added or removed for the people of these shifts,
    within their dates (``de1 is now off 2026-12-14..18 leave: dentist``), or ``""``."""
    dates: set[date] = set()
    for s in (old, new):
        if s is not None:
            day, last = s.start.date(), (s.end - timedelta(microseconds=1)).date()
            while day <= last:
                dates.add(day)
                day += timedelta(days=1)
    parts: list[str] = []
    for person in _people(old, new):
        added: list[DayOff] = []
        removed: list[DayOff] = []
        for day in sorted(dates):
            was, now = set(before.days_off(person, day)), set(after.days_off(person, day))
            added += sorted(now - was, key=lambda d: d.name)
            removed += sorted(was - now, key=lambda d: d.name)
        if added:
            parts.append(f"{person} is now off {describe_days(added)}")
        if removed:
            parts.append(f"{person} is no longer off {describe_days(removed)}")
    return "; ".join(parts)


def _holder(shift: Shift) -> str:
    """Who holds the shift before overrides."""
    return (shift.overridden or shift.person) if shift.reason == "override" else shift.person


def _swap_text(shift: Shift) -> str:
    cause = describe_days(shift.swap_cause)
    return (
        f"{_holder(shift)} and {shift.swapped_with} swapped "
        f"({shift.swap_cause_person} is off {cause})"
    )


def explain_change(old: Shift | None, new: Shift | None) -> str:
    """Why the holder of a span differs: the override, lock, swap or roster change behind it."""
    if old is None and new is None:
        return "no shift on either side"
    if old is None:
        return "the rotation is new or starts earlier" if new is not None else ""
    if new is None:
        return "the rotation is gone or starts later"
    reasons: list[str] = []
    if new.reason == "override":
        note = f" ({new.override_reason})" if new.override_reason else ""
        reasons.append(f"override: {new.person} covers{note}")
    if old.reason == "override" and (new.reason != "override" or new.person != old.person):
        note = f" ({old.override_reason})" if old.override_reason else ""
        reasons.append(f"override removed: {old.person} no longer covers{note}")
    if _holder(old) != _holder(new):
        if new.locked is not None and old.locked is None:
            reasons.append(f"locked: {new.person} holds it ({new.locked})")
        elif old.locked is not None and new.locked is None:
            reasons.append(f"lock removed (was {old.person}: {old.locked})")
        if new.locked is None and old.base_person != new.base_person:
            reasons.append(
                f"roster change: the turn is {new.base_person}'s, was {old.base_person}'s"
            )
        if new.swapped_with is not None and new.locked is None:
            reasons.append(f"swap: {_swap_text(new)}")
        if old.swapped_with is not None and new.swapped_with is None and new.locked is None:
            reasons.append(f"swap undone: was {_swap_text(old)}")
    if not reasons:
        reasons.append("the shifts around it moved (a swap or roster change elsewhere)")
    return "; ".join(reasons)
