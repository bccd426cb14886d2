"""Responder fallbacks and escalation chains, with hand-made holiday calendars."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from oncall.domain.ownership import (
    Responder,
    is_available_at,
    resolve_escalation,
    resolve_responder,
)
from oncall.domain.people import DaysOffTable, Holiday, LeaveRange

IST = ZoneInfo("Asia/Kolkata")
LONDON = ZoneInfo("Europe/London")
DIWALI = date(2026, 11, 8)
# 2026-11-08 20:00 UTC is already 9 November (01:30) in Kolkata, still 8 November in London.
EVENING_UTC = datetime(2026, 11, 8, 20, 0, tzinfo=UTC)
MIDDAY = datetime(2026, 11, 8, 12, 0, tzinfo=IST)

MEMBERS = ("de1", "de2", "de3", "de4")
ZONES: dict[str, ZoneInfo] = {p: IST for p in (*MEMBERS, "own1", "own2", "boss")}


def calendar_with(days: Mapping[date, str]) -> object:
    def calendar(year: int) -> dict[date, Holiday]:
        return {d: Holiday(n) for d, n in days.items() if d.year == year}

    return calendar


def off_on(day: date, people: Sequence[str], name: str = "Diwali") -> DaysOffTable:
    return DaysOffTable({p: calendar_with({day: name}) for p in people})  # type: ignore[misc]


def responder(
    availability: DaysOffTable,
    *,
    oncall: str = "de1",
    primary: str = "own1",
    secondary: str = "own2",
    members: Sequence[str] = MEMBERS,
    at: datetime = MIDDAY,
    timezones: Mapping[str, ZoneInfo] = ZONES,
) -> Responder:
    return resolve_responder(
        oncall=oncall,
        primary=primary,
        secondary=secondary,
        members=members,
        at=at,
        availability=availability,
        timezones=timezones,
    )


def test_available_oncall_responds() -> None:
    got = responder(off_on(DIWALI, ["own2", "own1"]))
    assert got == Responder("de1", "oncall", "de1", ())


def test_secondary_covers_first() -> None:
    got = responder(off_on(DIWALI, ["de1"]))
    assert (got.person, got.reason, got.oncall) == ("own2", "holiday-backup", "de1")
    assert [(d.date, d.name, d.kind) for d in got.unavailable] == [(DIWALI, "Diwali", "holiday")]


def test_primary_when_secondary_is_off() -> None:
    got = responder(off_on(DIWALI, ["de1", "own2"]))
    assert (got.person, got.reason) == ("own1", "holiday-backup")


def test_next_members_in_rotation_order_after_the_oncall() -> None:
    # Owners and de3 (right after the on-call de2) are off: de4 is next, then wraps to de1.
    got = responder(off_on(DIWALI, ["de2", "own1", "own2", "de3"]), oncall="de2")
    assert (got.person, got.reason) == ("de4", "holiday-backup")
    wrapped = responder(off_on(DIWALI, ["de2", "own1", "own2", "de3", "de4"]), oncall="de2")
    assert wrapped.person == "de1"


def test_oncall_not_a_member_falls_back_from_the_first_member() -> None:
    off = off_on(DIWALI, ["guest", "own1", "own2", "de1"])
    got = responder(off, oncall="guest", timezones={**ZONES, "guest": IST})
    assert (got.person, got.reason, got.oncall) == ("de2", "holiday-backup", "guest")


def test_nobody_available_keeps_the_oncall() -> None:
    everyone = [*MEMBERS, "own1", "own2"]
    got = responder(off_on(DIWALI, everyone))
    assert (got.person, got.reason, got.oncall) == ("de1", "nobody-available", "de1")
    assert [d.date for d in got.unavailable] == [DIWALI]


def test_oncall_who_is_also_an_owner_is_not_asked_twice() -> None:
    # de1 is the on-call and the secondary: the primary is the first fallback.
    got = responder(off_on(DIWALI, ["de1"]), secondary="de1")
    assert got.person == "own1"


def test_no_oncall_before_shift_zero() -> None:
    got = resolve_responder(
        oncall=None,
        primary="own1",
        secondary="own2",
        members=MEMBERS,
        at=MIDDAY,
        availability=DaysOffTable({}),
        timezones=ZONES,
    )
    assert got is None


def test_availability_uses_each_persons_own_date() -> None:
    # Diwali is the 8th. At 20:00 UTC it is the 9th in Kolkata, the 8th in London.
    timezones = {**ZONES, "own2": LONDON}
    off = off_on(DIWALI, ["de1", "own2"])
    assert is_available_at("de1", EVENING_UTC, off, timezones)
    assert not is_available_at("own2", EVENING_UTC, off, timezones)
    assert not is_available_at("de1", MIDDAY, off, timezones)
    # Mid-day on the 8th in Kolkata de1 is off, and own2 (London, also the 8th) too.
    got = responder(off, at=MIDDAY, timezones=timezones)
    assert (got.person, got.reason) == ("own1", "holiday-backup")


def test_leave_makes_someone_unavailable() -> None:
    off = DaysOffTable({}, leave={"de1": [LeaveRange(date(2026, 11, 2), date(2026, 11, 13))]})
    got = responder(off)
    assert got.person == "own2" and [d.kind for d in got.unavailable] == ["leave"]


def test_unknown_timezone_and_naive_instant_are_errors() -> None:
    with pytest.raises(ValueError, match="time zone"):
        is_available_at("stranger", MIDDAY, DaysOffTable({}), ZONES)
    with pytest.raises(ValueError, match="timezone-aware"):
        is_available_at("de1", datetime(2026, 11, 8, 12), DaysOffTable({}), ZONES)


def chain(
    availability: DaysOffTable,
    *,
    responder: str = "de1",
    primary: str = "own1",
    secondary: str = "own2",
    manager: str | None = "boss",
) -> list[str]:
    return resolve_escalation(
        responder=responder,
        primary=primary,
        secondary=secondary,
        manager=manager,
        at=MIDDAY,
        availability=availability,
        timezones=ZONES,
    )


def test_escalation_chain_order() -> None:
    assert chain(DaysOffTable({})) == ["de1", "own1", "own2", "boss"]


def test_escalation_skips_unavailable_owners() -> None:
    assert chain(off_on(DIWALI, ["own1"])) == ["de1", "own2", "boss"]
    # The manager is always last, even on a holiday.
    assert chain(off_on(DIWALI, ["own1", "own2", "boss"])) == ["de1", "boss"]


def test_escalation_never_repeats_anyone() -> None:
    assert chain(DaysOffTable({}), responder="own2") == ["own2", "own1", "boss"]
    assert chain(DaysOffTable({}), primary="own2") == ["de1", "own2", "boss"]
    assert chain(DaysOffTable({}), responder="boss", manager="boss") == ["boss", "own1", "own2"]


def test_escalation_without_manager() -> None:
    assert chain(DaysOffTable({}), manager=None) == ["de1", "own1", "own2"]
