"""Locks: announce shifts so that later edits never move them (rule 3b, schedule.lock.yaml).

``compute_lock`` decides the new lock file (extending appends; changing or shortening needs
``force``); ``write_locks`` writes it atomically with a header comment; ``lock_problems`` tells
``oncall validate`` which locks no longer fit the config. Time is an argument.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from oncall.config import Config
from oncall.config.lock import lock_path
from oncall.domain.rotation import LockedShift
from oncall.errors import Problem, Severity, UsageError
from oncall.services.roster import resolve_rotation, rotation_shifts
from oncall.services.schedule import gap_problem, shift_notes

if TYPE_CHECKING:
    from oncall.domain.people import Availability
    from oncall.domain.rotation import RotationSpec, Shift
    from oncall.reports.lock import LockReport

__all__ = ["compute_lock", "lock_problems", "render_lock_file", "write_locks"]

HEADER = (
    "# yaml-language-server: $schema=../schemas/lock.schema.json\n"
    "# Announced shifts: oncall keeps these holders whatever the rest of the config says\n"
    "# (docs/rotations.md, rule 3b). Written by `oncall schedule lock`; commit it with the\n"
    "# config. Extend with `oncall schedule lock --weeks N`; change with --force.\n"
)


def _utc(t: datetime) -> datetime:
    return t.astimezone(UTC)


def _fresh(
    spec: RotationSpec,
    kept: Sequence[LockedShift],
    start: datetime,
    end: datetime,
    availability: Availability,
    cfg: Config,
) -> list[LockedShift]:
    """Whole shifts overlapping [start, end) as the config gives them with only ``kept`` locks."""
    from oncall.domain.rotation import compute_shifts

    shifts = compute_shifts(
        dataclasses.replace(spec, locks=tuple(kept)),
        start,
        end,
        availability=availability,
        overrides=cfg.overrides_for(spec.id),
    )
    by_index: dict[int, list[Shift]] = {}
    for s in shifts:
        by_index.setdefault(s.index, []).append(s)
    out: list[LockedShift] = []
    for pieces in by_index.values():
        first = pieces[0]
        if _utc(first.start) < _utc(start) and len(by_index) > 1:
            continue  # a window from a date: lock from the first shift starting in it
        holder = first.overridden if first.reason == "override" else first.person
        notes = [n for n in shift_notes(first) if not n.startswith("override")]
        reason = first.locked or ("; ".join(notes) if notes else first.reason)
        if first.reason == "override" and first.swapped_with is None and first.locked is None:
            reason = "rotation"
        out.append(LockedShift(pieces[0].start, pieces[-1].end, holder or first.person, reason))
    return out


def compute_lock(
    cfg: Config,
    availability: Availability,
    start: datetime,
    end: datetime,
    *,
    rotation: str | None = None,
    force: bool = False,
) -> tuple[dict[str, tuple[LockedShift, ...]], LockReport]:
    """The locks after locking [start, end), per rotation, and what it does.

    Without ``force`` the window's shifts are appended to the existing lock: locked shifts
    stay as they are (those the config now gives someone else are listed in ``differs``).
    With ``force`` the window is locked as the config gives it now, ignoring the existing
    lock from ``start`` on, and locked shifts after the window are dropped (shortening).
    """
    from oncall.reports.lock import LockChange, LockReport, RotationLockOut

    if rotation is not None:
        rotation = resolve_rotation(cfg, rotation)
    result: dict[str, tuple[LockedShift, ...]] = {
        rid: cfg.locked_shifts(rid) for rid in cfg.rotation.rotations
    }
    outs: list[RotationLockOut] = []
    for rid, spec in cfg.rotation_specs.items():
        if rotation is not None and rid != rotation:
            continue
        existing = {_utc(s.start): s for s in result[rid]}
        before = [s for s in result[rid] if _utc(s.end) <= _utc(start)]
        fresh = _fresh(spec, before, start, end, availability, cfg)
        if not fresh:
            continue
        changes: list[LockChange] = []
        differs: list[LockChange] = []
        merged = dict(existing)
        added = 0
        for s in fresh:
            old = existing.get(_utc(s.start))
            if old is None:
                merged[_utc(s.start)] = s
                added += 1
            elif old.person != s.person or _utc(old.end) != _utc(s.end):
                change = LockChange(start=s.start, end=s.end, before=old.person, after=s.person)
                if force:
                    merged[_utc(s.start)] = s
                    changes.append(change)
                else:
                    differs.append(change)
        if force:
            last = _utc(fresh[-1].end)
            for key, old in list(merged.items()):
                if key >= last:
                    del merged[key]
                    changes.append(
                        LockChange(start=old.start, end=old.end, before=old.person, after=None)
                    )
        shifts = tuple(merged[k] for k in sorted(merged))
        _require_contiguous(rid, shifts, existing.values(), fresh)
        result[rid] = shifts
        outs.append(
            RotationLockOut(
                rotation=rid,
                from_=shifts[0].start,
                until=shifts[-1].end,
                shifts=len(shifts),
                added=added,
                changes=changes,
                differs=differs,
            )
        )
    written = any(o.added or o.changes for o in outs)
    report = LockReport(path=str(lock_path(cfg.dir)), written=written, rotations=outs)
    return result, report


def _require_contiguous(
    rid: str,
    shifts: Sequence[LockedShift],
    existing: Iterable[LockedShift],
    fresh: Sequence[LockedShift],
) -> None:
    """A lock is one span (``from`` to ``until``): refuse a window that would leave shifts
    inside it unlocked, naming them and a window that touches the lock."""
    for a, b in itertools.pairwise(shifts):
        if _utc(a.end) == _utc(b.start):
            continue
        old = sorted(existing, key=lambda x: _utc(x.start))
        if old and _utc(fresh[0].start) > _utc(old[-1].end):
            hint = f"--from {old[-1].end:%Y-%m-%d} (where the lock ends) or earlier"
        else:
            hint = f"--until {old[0].start:%Y-%m-%d} (where the lock begins) or later"
        raise UsageError(
            f"rotation {rid}: the lock would leave {a.end:%Y-%m-%d} to {b.start:%Y-%m-%d} "
            f"unlocked between locked shifts (a lock is one span from 'from' to 'until'): "
            f"lock {hint}"
        )


def _q(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def render_lock_file(locks: dict[str, tuple[LockedShift, ...]], header: str = HEADER) -> str:
    """The text of schedule.lock.yaml: the header comment, then one line per locked shift."""
    lines = [header.rstrip("\n"), "locks:"]
    for rid, shifts in locks.items():
        if not shifts:
            continue
        lines.append(f"  {rid}:")
        lines.append(f"    from: {_q(shifts[0].start.isoformat())}")
        lines.append(f"    until: {_q(shifts[-1].end.isoformat())}")
        lines.append("    shifts:")
        lines.extend(
            f"      - {{start: {_q(s.start.isoformat())}, end: {_q(s.end.isoformat())}, "
            f"person: {_q(s.person)}, reason: {_q(s.reason)}}}"
            for s in shifts
        )
    if len(lines) == 2:
        lines[-1] = "locks: {}"
    return "\n".join(lines) + "\n"


def _header_of(path: Path) -> str:
    """The leading comment block of an existing lock file (kept on rewrite), else HEADER."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return HEADER
    head = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        head.append(line)
    return "\n".join(head) + "\n" if head else HEADER


def write_locks(cfg: Config, locks: dict[str, tuple[LockedShift, ...]]) -> Path:
    """Write schedule.lock.yaml atomically, keeping its header comment."""
    from oncall.adapters.files import atomic_write

    path = lock_path(cfg.dir)
    atomic_write(path, render_lock_file(locks, _header_of(path)).encode())
    return path


def lock_problems(cfg: Config, availability: Availability, now: datetime) -> list[Problem]:
    """Locks that no longer fit the config, for ``oncall validate``.

    Errors: a lock of an unknown rotation, a locked shift whose bounds are no longer one of
    the rotation's shifts, a locked person who is not a member; a locked holder now on leave
    (with the override that fixes it). Warnings: a locked holder with a holiday (and who
    responds instead), and a lock across a roster phase change (allowed, noted).
    """
    from oncall.domain.phases import phase_firsts
    from oncall.domain.rotation import lock_index, members_for_shift

    locks, marks = cfg.lock_file
    if locks is None or marks is None:
        return []
    problems: list[Problem] = []
    for rid, entry in locks.locks.items():
        if rid not in cfg.rotation.rotations:
            known = ", ".join(sorted(cfg.rotation.rotations))
            problems.append(
                marks.problem(
                    ("locks", rid),
                    f"locks.{rid}: unknown rotation '{rid}' (known: {known}): remove the "
                    "lock or fix the name",
                    key=True,
                )
            )
            continue
        spec = cfg.rotation_specs[rid]
        indexes: list[int] = []
        entry_of: dict[int, int] = {}  # shift index -> its entry in the lock file
        for i, s in enumerate(entry.shifts):
            where = f"locks.{rid}.shifts[{i}]"
            k = lock_index(spec, LockedShift(s.start, s.end, s.person, s.reason))
            if k is None:
                problems.append(
                    marks.problem(
                        ("locks", rid, "shifts", i, "start"),
                        f"{where}: {s.start.isoformat()} to {s.end.isoformat()} is no longer "
                        f"one of rotation '{rid}''s shifts (its start, handoff or shift_days "
                        "changed), so it holds nothing: re-lock with "
                        f"`oncall schedule lock --rotation {rid} --force`",
                    )
                )
                continue
            indexes.append(k)
            entry_of[k] = i
            if s.person not in members_for_shift(spec, k):
                problems.append(
                    marks.problem(
                        ("locks", rid, "shifts", i, "person"),
                        f"{where}: {s.person} is locked on {s.start:%Y-%m-%d} but is no longer "
                        f"a member of rotation '{rid}' then: re-lock with --force, or add an "
                        "override for the shift",
                    )
                )
        firsts = phase_firsts(spec.start, spec.shift_days, spec.roster) if spec.roster else ()
        for p, k_i in enumerate(firsts[1:], start=1):
            if indexes and min(indexes) < k_i <= max(indexes):
                problems.append(
                    marks.problem(
                        ("locks", rid),
                        f"locks.{rid}: note: the lock spans roster phase {p} of rotation "
                        f"'{rid}' (from {spec.roster[p].start}); allowed: the locked holders "
                        "stay, and the new order applies to the shifts outside the lock",
                        severity=Severity.warning,
                        key=True,
                    )
                )
        lo = max(_utc(entry.from_), _utc(now))
        if lo >= _utc(entry.until):
            continue
        for shift in rotation_shifts(cfg, availability, rid, lo, entry.until):
            if shift.locked is not None and shift.reason != "override" and shift.conflicts:
                n = entry_of.get(shift.index)
                at = None
                if n is not None:  # at the lock's entry: its holder is the one off
                    at = (marks, ("locks", rid, "shifts", n, "person"), f"locks.{rid}.shifts[{n}]")
                problems.append(gap_problem(cfg, rid, shift, availability, at=at))
    return problems
