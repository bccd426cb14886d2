"""Overrides from the command line: list, add, remove, swap and cover.

Each edit is planned on the text of ``rotation.yaml`` (a round-trip edit that keeps every
other line), the edited file set is validated in a scratch directory, and only then is the
file replaced atomically. The schedule change is the schedule diff of before and after.
Time is an argument; nothing here reads the clock.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from oncall.config import Config
from oncall.config.loaded import aware_in
from oncall.config.locate import ROTATION_FILE, RUNBOOKS_DIR
from oncall.errors import ConfigError, NotFoundError, Problem, UsageError
from oncall.reports.override import OverrideChangeReport, OverrideListReport, OverrideOut
from oncall.services.roster import resolve_person, resolve_rotation

if TYPE_CHECKING:
    from oncall.adapters.calendars import HolidayCalendars
    from oncall.domain.people import Availability
    from oncall.domain.rotation import Shift
    from oncall.reports.diff import ScheduleDiff

__all__ = [
    "apply_edit",
    "compute_overrides",
    "new_override",
    "only_rotation",
    "override_id",
    "plan_add",
    "plan_cover",
    "plan_remove",
    "plan_swap",
    "unavailable_days",
]


def override_id(rotation: str, person: str, start: datetime, end: datetime) -> str:
    """A stable short id: the first 7 hex digits of SHA-256 of rotation, person and the two
    instants in UTC. The same override always has the same id, wherever it sits in the file."""
    key = "|".join(
        [rotation, person, start.astimezone(UTC).isoformat(), end.astimezone(UTC).isoformat()]
    )
    return hashlib.sha256(key.encode()).hexdigest()[:7]


def _entries(cfg: Config) -> list[tuple[int, OverrideOut]]:
    out: list[tuple[int, OverrideOut]] = []
    for i, ov in enumerate(cfg.rotation.overrides):
        if ov.rotation not in cfg.rotation.rotations:
            continue
        tz = cfg.rotation_tz(ov.rotation)
        start, end = aware_in(ov.start, tz), aware_in(ov.end, tz)
        out.append(
            (
                i,
                OverrideOut(
                    id=override_id(ov.rotation, ov.person, start, end),
                    rotation=ov.rotation,
                    person=ov.person,
                    start=start,
                    end=end,
                    reason=ov.reason,
                ),
            )
        )
    return out


def compute_overrides(cfg: Config, rotation: str | None = None) -> OverrideListReport:
    if rotation is not None:
        rotation = resolve_rotation(cfg, rotation)
    items = [o for _, o in _entries(cfg) if rotation is None or o.rotation == rotation]
    items.sort(key=lambda o: (o.start.astimezone(UTC), o.rotation))
    return OverrideListReport(overrides=items)


def _wall(t: datetime, cfg: Config, rotation: str) -> str:
    local = t.astimezone(cfg.rotation_tz(rotation))
    return (
        f"{local:%Y-%m-%dT%H:%M}"
        if local.second == local.microsecond == 0
        else (local.replace(tzinfo=None).isoformat())
    )


def new_override(
    cfg: Config, *, rotation: str, person: str, start: datetime, end: datetime, reason: str
) -> tuple[OverrideOut, dict[str, str]]:
    """The override and the entry written for it (wall time in the rotation's zone)."""
    rotation = resolve_rotation(cfg, rotation)
    person = resolve_person(cfg, person)
    if end <= start:
        raise UsageError(f"--to ({end.isoformat()}) must be after --from ({start.isoformat()})")
    tz = cfg.rotation_tz(rotation)
    values = {
        "rotation": rotation,
        "start": _wall(start, cfg, rotation),
        "end": _wall(end, cfg, rotation),
        "person": person,
    }
    if reason:
        values["reason"] = reason
    start_at = aware_in(datetime.fromisoformat(values["start"]), tz)
    end_at = aware_in(datetime.fromisoformat(values["end"]), tz)
    out = OverrideOut(
        id=override_id(rotation, person, start_at, end_at),
        rotation=rotation,
        person=person,
        start=start_at,
        end=end_at,
        reason=reason,
    )
    return out, values


def unavailable_days(
    cfg: Config, availability: Availability, person: str, start: datetime, end: datetime
) -> list[str]:
    """``person``'s days off on the dates [start, end) touches, in their zone (an end at
    midnight does not touch its date), as ``2026-12-25 Christmas``."""
    tz = cfg.person_tz(person)
    day, last = start.astimezone(tz).date(), (end - timedelta(microseconds=1)).astimezone(tz).date()
    out: list[str] = []
    while day <= last:
        out.extend(f"{d.date} {d.label()}" for d in availability.days_off(person, day))
        day += timedelta(days=1)
    return out


def plan_add(cfg: Config, entries: Sequence[Mapping[str, str]]) -> str:
    """The text of rotation.yaml with ``entries`` appended to its overrides."""
    from oncall.adapters.rotation_file import add_overrides

    return add_overrides(_rotation_text(cfg), entries)


def plan_remove(cfg: Config, override: str) -> tuple[str, OverrideOut]:
    """The text of rotation.yaml without the override whose id is ``override``."""
    from oncall.adapters.rotation_file import remove_overrides
    from oncall.domain.text import suggest

    entries = _entries(cfg)
    found = [(i, o) for i, o in entries if o.id == override]
    if not found:
        ids = [o.id for _, o in entries]
        known = ", ".join(ids) or "none"
        raise NotFoundError(
            f"no override with id '{override}'{suggest(override, ids)}; known: {known} "
            "(oncall override list)"
        )
    index, out = found[0]
    return remove_overrides(_rotation_text(cfg), [index]), out


def _rotation_text(cfg: Config) -> str:
    return (cfg.rotation_path).read_text(encoding="utf-8")


def apply_edit(
    cfg: Config,
    text: str,
    *,
    action: Literal["add", "remove", "swap", "cover"],
    added: Sequence[OverrideOut] = (),
    removed: Sequence[OverrideOut] = (),
    dry_run: bool = False,
    calendars: HolidayCalendars | None = None,
) -> OverrideChangeReport:
    """Validate ``text`` as the new rotation.yaml with the rest of the config, diff the
    schedules, and write it atomically unless ``dry_run``. A config that does not validate
    is a ConfigError naming its problems; nothing is written then."""
    from oncall.adapters.files import atomic_write

    _refuse_overlap(cfg, added, removed)
    changed = [*added, *removed]
    start = min(o.start for o in changed)
    end = max(o.end for o in changed)
    with _validated(cfg, text) as after:
        diff = _diff(cfg, after, start, end, calendars)
    path = cfg.rotation_path
    if not dry_run:
        atomic_write(path, text.encode("utf-8"))
    return OverrideChangeReport(
        action=action,
        path=str(path),
        written=not dry_run,
        dry_run=dry_run,
        added=list(added),
        removed=list(removed),
        diff=diff,
    )


def _refuse_overlap(
    cfg: Config, added: Sequence[OverrideOut], removed: Sequence[OverrideOut]
) -> None:
    """A UsageError naming the existing override a new one overlaps (they must not)."""
    gone = {o.id for o in removed}
    kept = [o for _, o in _entries(cfg) if o.id not in gone]
    for new in added:
        for old in [*kept, *(o for o in added if o is not new)]:
            if old.rotation == new.rotation and old.start < new.end and new.start < old.end:
                what = f", {old.reason}" if old.reason else ""
                raise UsageError(
                    f"{new.person} {_when(new.start)} -> {_when(new.end)} overlaps override "
                    f"{old.id} ({old.person} {_when(old.start)} -> {_when(old.end)}{what}) in "
                    f"rotation '{old.rotation}': pick a span that does not overlap it, or "
                    f"remove it first (oncall override remove {old.id}); nothing was written"
                )


def _when(t: datetime) -> str:
    from oncall.domain.timeutil import format_time

    return format_time(t, style="day")


def _diff(
    before: Config,
    after: Config,
    start: datetime,
    end: datetime,
    calendars: HolidayCalendars | None,
) -> ScheduleDiff:
    from oncall.services.diff import compute_schedule_diff

    return compute_schedule_diff(
        before, after, start, end, against="before the change", calendars=calendars
    )


@contextmanager
def _validated(cfg: Config, text: str) -> Iterator[Config]:
    """The config with ``text`` as rotation.yaml, validated in a scratch copy of the
    config directory (alive while the context is)."""
    from oncall.config import validate_config

    source = cfg.dir
    with tempfile.TemporaryDirectory(prefix="oncall-edit-") as tmp:
        scratch = Path(tmp) / source.name
        shutil.copytree(source, scratch, symlinks=True)
        runbooks = source.parent / RUNBOOKS_DIR
        if runbooks.is_dir():
            (Path(tmp) / RUNBOOKS_DIR).symlink_to(runbooks.resolve(), target_is_directory=True)
        (scratch / ROTATION_FILE).write_text(text, encoding="utf-8")
        try:
            after = validate_config(scratch)
        except ConfigError as exc:
            raise _refused(exc, scratch, source) from None
        yield after


def _refused(exc: ConfigError, scratch: Path, source: Path) -> ConfigError:
    problems = [
        Problem(p.path.replace(str(scratch), str(source)), p.line, p.col, p.message, p.severity)
        for p in exc.problems
    ]
    problems.append(
        Problem(
            source / ROTATION_FILE,
            1,
            1,
            "the edit would make the config invalid (the lines above are as the edited file "
            "would read): nothing was written",
        )
    )
    return ConfigError(problems)


def _refuse_unavailable(
    cfg: Config,
    availability: Availability,
    person: str,
    start: datetime,
    end: datetime,
    *,
    what: str,
) -> None:
    _refuse_days(person, unavailable_days(cfg, availability, person, start, end), what)


def _refuse_days(person: str, days: Sequence[str], what: str) -> None:
    if days:
        raise UsageError(
            f"{person} is unavailable during {what}: {'; '.join(days)}. "
            "Pick someone else, or pass --anyway to do it all the same"
        )


def _refuse_off_in_shift(
    cfg: Config, availability: Availability, person: str, shift: Shift, *, what: str
) -> None:
    """As for holiday swaps (docs/rotations.md rule 2), a shift's dates are those whose
    handoff it holds: a weekly shift from Monday 09:00 is Monday to Sunday, so leave that
    starts on the next Monday does not stand in the way. A piece without a handoff goes by
    the dates it touches."""
    if not shift.duty_dates:
        _refuse_unavailable(cfg, availability, person, shift.start, shift.end, what=what)
        return
    days = [
        f"{d.date} {d.label()}"
        for day in shift.duty_dates
        for d in availability.days_off(person, day)
    ]
    _refuse_days(person, days, what)


def plan_cover(
    cfg: Config,
    availability: Availability,
    *,
    person: str,
    start: datetime,
    end: datetime,
    rotation: str | None = None,
    anyway: bool = False,
) -> tuple[str, OverrideOut]:
    """``person`` takes over [start, end): one override. Refused when they are off on a day
    of it, unless ``anyway``."""
    rid = rotation or only_rotation(cfg)
    person = resolve_person(cfg, person)
    out, values = new_override(
        cfg, rotation=rid, person=person, start=start, end=end, reason=f"cover: {person} covers"
    )
    if not anyway:
        _refuse_unavailable(cfg, availability, person, out.start, out.end, what="the cover")
    return plan_add(cfg, [values]), out


def only_rotation(cfg: Config) -> str:
    ids = list(cfg.rotation.rotations)
    if len(ids) != 1:
        raise UsageError(f"--rotation: give one of {', '.join(ids)}")
    return ids[0]


def plan_swap(
    cfg: Config,
    availability: Availability,
    *,
    first: str,
    second: str,
    shift: datetime,
    with_shift: datetime | None = None,
    rotation: str | None = None,
    anyway: bool = False,
) -> tuple[str, list[OverrideOut]]:
    """``first`` and ``second`` trade the shifts holding ``shift`` and ``with_shift``
    (default: ``second``'s next shift after the first one): one pair of overrides."""
    from oncall.domain.rotation import compute_shifts, shift_at

    rid = rotation or only_rotation(cfg)
    rid = resolve_rotation(cfg, rid)
    first, second = resolve_person(cfg, first), resolve_person(cfg, second)
    if first == second:
        raise UsageError("swap: name two different people")
    spec, overrides = cfg.rotation_specs[rid], cfg.overrides_for(rid)
    mine = shift_at(spec, shift, availability=availability, overrides=overrides)
    if mine is None or mine.person != first:
        holder = mine.person if mine is not None else "nobody"
        raise UsageError(f"--shift {shift.isoformat()}: {holder} holds that shift, not {first}")
    if with_shift is not None:
        theirs = shift_at(spec, with_shift, availability=availability, overrides=overrides)
    else:
        later = compute_shifts(
            spec,
            mine.end,
            mine.end + timedelta(weeks=52),
            availability=availability,
            overrides=overrides,
        )
        theirs = next((s for s in later if s.person == second), None)
    if theirs is None or theirs.person != second:
        holder = theirs.person if theirs is not None else "nobody"
        raise UsageError(
            f"--with-shift: {second} holds no shift there ({holder} does); give --with-shift WHEN"
        )
    if not anyway:
        _refuse_off_in_shift(cfg, availability, second, mine, what=f"{first}'s shift")
        _refuse_off_in_shift(cfg, availability, first, theirs, what=f"{second}'s shift")
    reason = f"swap: {first} <-> {second}"
    planned = [
        new_override(
            cfg, rotation=rid, person=second, start=mine.start, end=mine.end, reason=reason
        ),
        new_override(
            cfg, rotation=rid, person=first, start=theirs.start, end=theirs.end, reason=reason
        ),
    ]
    return plan_add(cfg, [v for _, v in planned]), [o for o, _ in planned]
