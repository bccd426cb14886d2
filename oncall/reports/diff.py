"""What ``oncall schedule diff`` reports: the spans whose holder a config change moves."""

from __future__ import annotations

from pydantic import ConfigDict, Field

from oncall.reports.common import Instant, Report

__all__ = ["DiffChange", "DiffLoad", "DiffWindow", "RotationDiff", "ScheduleDiff"]


class DiffWindow(Report):
    model_config = ConfigDict(extra="forbid", validate_by_name=True, serialize_by_alias=True)

    from_: Instant = Field(alias="from")
    to: Instant


class DiffChange(Report):
    """A maximal span [start, end) held by ``before`` in the old config, ``after`` in the new.

    ``None`` means nobody holds it (before the rotation starts, or the rotation is new or
    gone). ``why`` names the leave, holiday, swap, override, lock or roster change behind it.
    """

    start: Instant
    end: Instant
    before: str | None
    after: str | None
    why: str


class RotationDiff(Report):
    rotation: str
    changes: list[DiffChange]


class DiffLoad(Report):
    """On-call days (dates at their handoff, see docs/rotations.md section 7) in the window."""

    person: str
    days_before: int
    days_after: int


class ScheduleDiff(Report):
    against: str
    window: DiffWindow
    rotations: list[RotationDiff]
    load: list[DiffLoad]

    @property
    def changed(self) -> bool:
        return any(r.changes for r in self.rotations)
