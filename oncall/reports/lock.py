"""What ``oncall schedule lock`` reports: the locked span per rotation and what changed."""

from __future__ import annotations

from pydantic import ConfigDict, Field

from oncall.reports.common import Instant, Report

__all__ = ["LockChange", "LockReport", "RotationLockOut"]


class LockChange(Report):
    """A locked shift that ``--force`` changes (``after`` None: dropped by shortening)."""

    start: Instant
    end: Instant
    before: str | None
    after: str | None


class RotationLockOut(Report):
    model_config = ConfigDict(extra="forbid", validate_by_name=True, serialize_by_alias=True)

    rotation: str
    from_: Instant = Field(alias="from")
    until: Instant
    shifts: int
    added: int
    changes: list[LockChange] = Field(default_factory=list)
    differs: list[LockChange] = Field(default_factory=list)
    """Locked shifts the config now gives someone else (kept without ``--force``)."""


class LockReport(Report):
    path: str
    written: bool
    rotations: list[RotationLockOut]
