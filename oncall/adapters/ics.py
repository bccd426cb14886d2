"""RFC 5545 calendars of shifts: one event per shift, stable UIDs, ready to subscribe to."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from oncall.reports.schedule import RotationScheduleOut, ShiftOut

PRODID = "-//oncall-cli//oncall schedule//EN"


def shift_uid(rotation: str, shift: ShiftOut) -> str:
    """Stable across exports: the same slot keeps its UID when its holder changes."""
    start = shift["start"].astimezone(UTC)
    return f"{rotation}-{shift['index']}-{start:%Y%m%dT%H%M%SZ}@oncall-cli"


def render_ics(
    rotations: Iterable[RotationScheduleOut], *, name: str, generated: datetime
) -> bytes:
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    stamp = generated.astimezone(UTC)
    for rot in rotations:
        for shift in rot.shifts:
            event = Event()
            event.add("uid", shift_uid(rot.rotation, shift))
            event.add("dtstamp", stamp)
            event.add("dtstart", shift["start"].astimezone(UTC))
            event.add("dtend", shift["end"].astimezone(UTC))
            event.add("summary", f"On call ({rot.rotation}): {shift['person']} {shift['name']}")
            lines = [f"Reason: {shift['reason']}", *shift["notes"]]
            event.add("description", "\n".join(lines))
            event.add("categories", ["on-call", rot.rotation])
            event.add("transp", "TRANSPARENT")
            cal.add_component(event)
    return bytes(cal.to_ical())
