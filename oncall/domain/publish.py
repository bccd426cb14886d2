"""Publishing decisions: which overrides a schedule needs, and whose shifts moved. Pure.

Every instant is compared in UTC. A slot is one stretch with one holder, clipped to the
publish window; adjacent pieces of one person are joined, so a target gets one override per
stretch of duty rather than one per calendar cut.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

__all__ = [
    "Announced",
    "OverridePlan",
    "PersonChange",
    "RemoteOverride",
    "Slot",
    "compute_changes",
    "compute_slots",
    "plan_overrides",
]


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("publish times must be timezone-aware")
    return value.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class Slot:
    """``person`` holds the rotation during [start, end) (UTC); ``why`` says what put them there."""

    start: datetime
    end: datetime
    person: str
    why: str = ""


@dataclass(frozen=True, slots=True)
class RemoteOverride:
    """An override as the target reports it; ``user`` is the target's user id."""

    id: str
    start: datetime
    end: datetime
    user: str


@dataclass
class OverridePlan:
    """What a publish does: create the missing slots, keep the matching overrides, delete
    our own that no longer match, and list the hand-made ones that disagree (never deleted)."""

    create: list[tuple[Slot, str]] = field(default_factory=list)
    keep: list[RemoteOverride] = field(default_factory=list)
    delete: list[RemoteOverride] = field(default_factory=list)
    conflicts: list[RemoteOverride] = field(default_factory=list)


def compute_slots(
    pieces: Iterable[tuple[datetime, datetime, str, str]], start: datetime, end: datetime
) -> list[Slot]:
    """``(start, end, person, why)`` pieces clipped to [start, end); same-person neighbours joined.

    ``why`` of a joined slot lists each distinct reason once, in order.
    """
    lo, hi = _utc(start), _utc(end)
    out: list[Slot] = []
    for a, b, person, why in sorted(pieces, key=lambda p: _utc(p[0])):
        a, b = max(_utc(a), lo), min(_utc(b), hi)
        if a >= b:
            continue
        if out and out[-1].person == person and out[-1].end == a:
            prev = out.pop()
            whys = [w for w in (prev.why, why) if w]
            joined = "; ".join(dict.fromkeys("; ".join(whys).split("; "))) if whys else ""
            out.append(Slot(prev.start, b, person, joined))
        else:
            out.append(Slot(a, b, person, why))
    return out


def _clip(o: RemoteOverride, lo: datetime, hi: datetime) -> tuple[datetime, datetime]:
    return max(_utc(o.start), lo), min(_utc(o.end), hi)


def plan_overrides(
    wanted: Sequence[tuple[Slot, str]],
    existing: Sequence[RemoteOverride],
    ours: Iterable[str],
    start: datetime,
    end: datetime,
) -> OverridePlan:
    """The plan that makes the overrides inside [start, end) give exactly ``wanted``.

    ``wanted`` pairs each slot with the target's user id. An existing override matches a
    slot when, clipped to the window, it has the same bounds and user (so an override that
    began before the window is kept). ``ours`` are the ids an earlier publish created: only
    those are deleted; any other override that does not match is a conflict.
    """
    lo, hi = _utc(start), _utc(end)
    mine = set(ours)
    plan = OverridePlan()
    remaining = [o for o in existing if _utc(o.start) < hi and _utc(o.end) > lo]
    for slot, user in wanted:
        key = (_utc(slot.start), _utc(slot.end))
        match = next((o for o in remaining if o.user == user and _clip(o, lo, hi) == key), None)
        if match is None:
            plan.create.append((slot, user))
        else:
            plan.keep.append(match)
            remaining.remove(match)
    for o in remaining:
        (plan.delete if o.id in mine else plan.conflicts).append(o)
    return plan


@dataclass(frozen=True, slots=True)
class Announced:
    """A slot as an earlier publish announced it (stored, then compared with the next)."""

    start: datetime
    end: datetime
    person: str
    why: str = ""

    def as_json(self) -> dict[str, str]:
        return {
            "start": _utc(self.start).isoformat(),
            "end": _utc(self.end).isoformat(),
            "person": self.person,
            "why": self.why,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, str]) -> Announced:
        return cls(
            datetime.fromisoformat(data["start"]),
            datetime.fromisoformat(data["end"]),
            data["person"],
            data.get("why", ""),
        )


@dataclass(frozen=True)
class PersonChange:
    """One person's shifts inside the compared window, before and after, and why they moved."""

    person: str
    before: tuple[Announced, ...]
    after: tuple[Announced, ...]
    why: tuple[str, ...]


def _cut(items: Iterable[Announced], lo: datetime, hi: datetime) -> list[Announced]:
    out = []
    for s in items:
        a, b = max(_utc(s.start), lo), min(_utc(s.end), hi)
        if a < b:
            out.append(Announced(a, b, s.person, s.why))
    return out


def compute_changes(
    before: Sequence[Announced],
    before_window: tuple[datetime, datetime],
    after: Sequence[Announced],
    after_window: tuple[datetime, datetime],
) -> list[PersonChange]:
    """The people whose duty differs where both windows overlap (and from ``after``'s start).

    ``why`` collects the reasons of every slot (old or new) that does not appear on both
    sides: the swap, leave or override behind the move. Sorted by person id.
    """
    lo = max(_utc(before_window[0]), _utc(after_window[0]))
    hi = min(_utc(before_window[1]), _utc(after_window[1]))
    if lo >= hi:
        return []
    old, new = _cut(before, lo, hi), _cut(after, lo, hi)
    people = sorted({s.person for s in (*old, *new)})
    changes: list[PersonChange] = []
    for person in people:
        was = [s for s in old if s.person == person]
        now = [s for s in new if s.person == person]
        was_keys = {(s.start, s.end) for s in was}
        now_keys = {(s.start, s.end) for s in now}
        if was_keys == now_keys:
            continue
        moved_new = [s for s in now if (s.start, s.end) not in was_keys]
        moved_old = [s for s in was if (s.start, s.end) not in now_keys]
        # Why a slot was lost is told by whoever holds that time now.
        takers = [
            s
            for s in new
            if s.person != person and any(s.start < m.end and m.start < s.end for m in moved_old)
        ]
        why = tuple(dict.fromkeys(s.why for s in (*moved_new, *takers) if s.why))
        changes.append(PersonChange(person, tuple(was), tuple(now), why))
    return changes
