"""Who responds for a pipeline at an instant, and whom to escalate to. Pure.

Availability is judged per person on the calendar date of the instant in that person's own
time zone: a responder in Kolkata and one in London can see different dates for one instant.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, overload
from zoneinfo import ZoneInfo

from oncall.domain.people import Availability, DayOff

__all__ = [
    "Responder",
    "ResponderReason",
    "is_available_at",
    "resolve_escalation",
    "resolve_escalation_skipped",
    "resolve_responder",
]

ResponderReason = Literal["oncall", "holiday-backup", "nobody-available"]


@dataclass(frozen=True, slots=True)
class Responder:
    """Who responds, and why.

    ``oncall`` is the rotation's on-call at the instant. ``reason`` is ``oncall`` when they
    respond themselves, ``holiday-backup`` when someone else covers their day off, and
    ``nobody-available`` when everyone is off (the on-call is then still the responder).
    ``unavailable`` lists the on-call's days off behind the fallback (empty for ``oncall``).
    """

    person: str
    reason: ResponderReason
    oncall: str
    unavailable: tuple[DayOff, ...]


def _days_off_at(
    person: str, at: datetime, availability: Availability, timezones: Mapping[str, ZoneInfo]
) -> tuple[DayOff, ...]:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"instant must be timezone-aware, got {at.isoformat()}")
    tz = timezones.get(person)
    if tz is None:
        raise ValueError(f"no time zone known for person {person!r}")
    return availability.days_off(person, at.astimezone(tz).date())


def is_available_at(
    person: str, at: datetime, availability: Availability, timezones: Mapping[str, ZoneInfo]
) -> bool:
    """Whether ``person`` has no day off on the date of ``at`` in their own time zone."""
    return not _days_off_at(person, at, availability, timezones)


@overload
def resolve_responder(
    *,
    oncall: str,
    primary: str,
    secondary: str,
    members: Sequence[str],
    at: datetime,
    availability: Availability,
    timezones: Mapping[str, ZoneInfo],
) -> Responder: ...


@overload
def resolve_responder(
    *,
    oncall: None,
    primary: str,
    secondary: str,
    members: Sequence[str],
    at: datetime,
    availability: Availability,
    timezones: Mapping[str, ZoneInfo],
) -> None: ...


@overload
def resolve_responder(
    *,
    oncall: str | None,
    primary: str,
    secondary: str,
    members: Sequence[str],
    at: datetime,
    availability: Availability,
    timezones: Mapping[str, ZoneInfo],
) -> Responder | None: ...


def resolve_responder(
    *,
    oncall: str | None,
    primary: str,
    secondary: str,
    members: Sequence[str],
    at: datetime,
    availability: Availability,
    timezones: Mapping[str, ZoneInfo],
) -> Responder | None:
    """The responder for a pipeline at ``at``, given its rotation's on-call ``oncall``.

    The on-call responds when available. Otherwise the first available of: the pipeline's
    secondary, its primary, then the other rotation ``members`` in rotation order after the
    on-call (from the first member when the on-call is not a member). When nobody is
    available the on-call stays the responder. ``oncall=None`` (before the rotation's first
    shift) gives None.
    """
    if oncall is None:
        return None
    unavailable = _days_off_at(oncall, at, availability, timezones)
    if not unavailable:
        return Responder(oncall, "oncall", oncall, ())
    for person in _backups(oncall, primary, secondary, members):
        if is_available_at(person, at, availability, timezones):
            return Responder(person, "holiday-backup", oncall, unavailable)
    return Responder(oncall, "nobody-available", oncall, unavailable)


def _backups(oncall: str, primary: str, secondary: str, members: Sequence[str]) -> list[str]:
    """Fallback order: secondary, primary, then members after the on-call, each once."""
    if oncall in members:
        i = members.index(oncall)
        rest = [*members[i + 1 :], *members[:i]]
    else:
        rest = list(members)
    out: list[str] = []
    for person in (secondary, primary, *rest):
        if person != oncall and person not in out:
            out.append(person)
    return out


def resolve_escalation(
    *,
    responder: str | None,
    primary: str,
    secondary: str,
    manager: str | None,
    at: datetime,
    availability: Availability,
    timezones: Mapping[str, ZoneInfo],
) -> list[str]:
    """Escalation chain at ``at``: the responder, then the pipeline's primary and secondary
    owners who are available (each once), then the team manager if set. Nobody repeats.

    With no responder (the rotation has not started) the chain is the available owners,
    then the manager: the people to page when nobody is on call.
    """
    chain = [responder] if responder is not None else []
    for owner in (primary, secondary):
        if owner not in chain and is_available_at(owner, at, availability, timezones):
            chain.append(owner)
    if manager is not None and manager not in chain:
        chain.append(manager)
    return chain


def resolve_escalation_skipped(
    chain: Sequence[str],
    *,
    primary: str,
    secondary: str,
    at: datetime,
    availability: Availability,
    timezones: Mapping[str, ZoneInfo],
) -> list[tuple[str, tuple[DayOff, ...]]]:
    """The pipeline's owners that ``chain`` (from :func:`resolve_escalation`) leaves out,
    each with the days off that are the reason."""
    out: list[tuple[str, tuple[DayOff, ...]]] = []
    for owner in dict.fromkeys((primary, secondary)):
        if owner in chain:
            continue
        off = _days_off_at(owner, at, availability, timezones)
        if off:
            out.append((owner, off))
    return out
