"""The loaded config: both files, validated against each other, with helpers for the domain."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from oncall.config.locate import runbooks_dir
from oncall.config.marks import Marks
from oncall.domain.people import LeaveRange, Person
from oncall.domain.rotation import LockedShift, Override, RosterPhase, RotationSpec
from oncall.domain.timeutil import resolve_wall_time
from oncall.errors import Problem

if TYPE_CHECKING:
    from oncall.config.models.lock import LockFile
    from oncall.config.models.owners import HolidaysSpec, OwnersFile
    from oncall.config.models.rotation import RotationFile


@dataclass
class Config:
    """Both files, validated against each other, with helpers for the domain.

    ``owners`` and ``rotation`` are read-only views of the validated models (plain
    namespaces with the same attributes, so a cached config needs no pydantic); they are
    typed as the models so that mypy checks every attribute used.
    """

    dir: Path
    owners: OwnersFile
    rotation: RotationFile
    owners_marks: Marks
    rotation_marks: Marks
    warnings: list[Problem] = field(default_factory=list)

    @property
    def runbooks_dir(self) -> Path:
        return runbooks_dir(self.dir)

    @property
    def owners_path(self) -> Path:
        return self.owners_marks.path

    @property
    def rotation_path(self) -> Path:
        return self.rotation_marks.path

    @cached_property
    def team_tz(self) -> ZoneInfo:
        return ZoneInfo(self.owners.team.timezone)

    def person_tz(self, person_id: str) -> ZoneInfo:
        spec = self.owners.people.get(person_id)
        if spec is None or spec.timezone is None:
            return self.team_tz
        return ZoneInfo(spec.timezone)

    @cached_property
    def timezones(self) -> dict[str, ZoneInfo]:
        return {pid: self.person_tz(pid) for pid in self.owners.people}

    @cached_property
    def people(self) -> dict[str, Person]:
        out: dict[str, Person] = {}
        for pid, spec in self.owners.people.items():
            raw = {
                "slack": spec.contacts.slack,
                "pagerduty_routing_key_env": spec.contacts.pagerduty_routing_key_env,
            }
            contacts = {k: v for k, v in raw.items() if v is not None}
            out[pid] = Person(pid, spec.name, spec.email, self.person_tz(pid), contacts)
        return out

    def person_name(self, person_id: str) -> str:
        spec = self.owners.people.get(person_id)
        return spec.name if spec else person_id

    def holidays_for(self, person_id: str) -> HolidaysSpec | None:
        spec = self.owners.people.get(person_id)
        if spec is not None and spec.holidays is not None:
            return spec.holidays
        return self.owners.team.holidays

    def leave(self) -> dict[str, list[LeaveRange]]:
        return {
            pid: [LeaveRange(lv.from_, lv.to, lv.reason) for lv in spec.leave]
            for pid, spec in self.owners.people.items()
        }

    def company_holidays(self) -> dict[date, str]:
        return {h.date: h.name for h in self.owners.team.company_holidays}

    def rotation_tz(self, rotation_id: str) -> ZoneInfo:
        entry = self.rotation.rotations[rotation_id]
        return ZoneInfo(entry.timezone) if entry.timezone else self.team_tz

    @cached_property
    def lock_file(self) -> tuple[LockFile | None, Marks | None]:
        """``schedule.lock.yaml`` and its marks, (None, None) without one; read on first use."""
        from oncall.config.lock import load_locks

        return load_locks(self.dir)

    def locked_shifts(self, rotation_id: str) -> tuple[LockedShift, ...]:
        locks = self.lock_file[0]
        entry = locks.locks.get(rotation_id) if locks is not None else None
        if entry is None:
            return ()
        return tuple(LockedShift(s.start, s.end, s.person, s.reason) for s in entry.shifts)

    def rotation_members(self, rotation_id: str) -> tuple[str, ...]:
        """Everyone taking turns in a rotation, in any roster phase (first appearance order)."""
        entry = self.rotation.rotations[rotation_id]
        if entry.roster is None:
            return tuple(entry.members or ())
        return tuple(dict.fromkeys(m for phase in entry.roster for m in phase.members))

    @cached_property
    def rotation_specs(self) -> dict[str, RotationSpec]:
        out: dict[str, RotationSpec] = {}
        for rid, entry in self.rotation.rotations.items():
            hh, mm = (int(x) for x in entry.handoff.split(":"))
            roster = tuple(
                RosterPhase(entry.start if i == 0 else ph.from_, tuple(ph.members))
                for i, ph in enumerate(entry.roster or ())
            )
            out[rid] = RotationSpec(
                id=rid,
                members=self.rotation_members(rid),
                roster=roster,
                locks=self.locked_shifts(rid),
                start=entry.start,
                handoff=time(hh, mm),
                tz=self.rotation_tz(rid),
                shift_days=entry.shift_days,
                swap_enabled=entry.holiday_swap.enabled,
                swap_weekends=entry.holiday_swap.weekends,
                swap_horizon=entry.holiday_swap.horizon,
            )
        return out

    def overrides_for(self, rotation_id: str) -> list[Override]:
        """The rotation's overrides as instants, in start order."""
        return list(self._overrides.get(rotation_id, ()))

    @cached_property
    def _overrides(self) -> dict[str, tuple[Override, ...]]:
        out: dict[str, list[Override]] = {}
        for ov in self.rotation.overrides:
            if ov.rotation not in self.rotation.rotations:
                continue
            tz = self.rotation_tz(ov.rotation)
            out.setdefault(ov.rotation, []).append(
                Override(
                    rotation=ov.rotation,
                    start=aware_in(ov.start, tz),
                    end=aware_in(ov.end, tz),
                    person=ov.person,
                    reason=ov.reason,
                )
            )
        return {
            rid: tuple(sorted(found, key=lambda o: o.start.astimezone(UTC)))
            for rid, found in out.items()
        }

    def pipeline_rotation(self, pipeline_id: str) -> str:
        spec = self.owners.pipelines[pipeline_id]
        return spec.rotation or next(iter(self.rotation.rotations))

    @cached_property
    def rotation_pipelines(self) -> dict[str, tuple[str, ...]]:
        """Each rotation's pipelines, in the order of owners.yaml."""
        out: dict[str, list[str]] = {}
        for pid in self.owners.pipelines:
            out.setdefault(self.pipeline_rotation(pid), []).append(pid)
        return {rid: tuple(pids) for rid, pids in out.items()}


def aware_in(value: datetime, tz: ZoneInfo) -> datetime:
    """``value`` as an instant: naive values are wall time in ``tz`` (DST rules apply)."""
    if value.tzinfo is not None:
        return value
    return resolve_wall_time(value.date(), value.time(), tz)
