"""``oncall publish pagerduty``: a rotation as overrides on a PagerDuty schedule.

Afterwards the schedule's overrides inside the window ``[start, start + weeks)``, in whole
shifts (it ends on the handoff after ``start + weeks``), give exactly our schedule: one
override per stretch of one person's duty, clipped to the window's start. What
already matches is kept, what is missing is created (several per request; each item's status
checked), and overrides this tool created earlier that no longer match are deleted. Overrides
made by hand are never deleted: they are reported as conflicts. A second run with nothing
changed writes nothing. The store remembers the ids created and the shifts announced.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from oncall.domain.people import describe_days
from oncall.domain.publish import (
    Announced,
    OverridePlan,
    RemoteOverride,
    Slot,
    compute_changes,
    compute_slots,
    plan_overrides,
)
from oncall.reports.publish import (
    NoticeOut,
    OverrideOut,
    PagerDutyPublishOut,
    RejectedOut,
    WindowOut,
)
from oncall.services.publish.mapping import resolve_pagerduty_users
from oncall.services.roster import resolve_rotation

if TYPE_CHECKING:
    from oncall.adapters.store.protocol import PublishStore
    from oncall.config import Config
    from oncall.config.models.publish import PagerDutyPublish
    from oncall.domain.people import Availability
    from oncall.domain.rotation import Shift
    from oncall.services.publish.common import PagerDutyApi
    from oncall.services.publish.notices import NoticeSender

__all__ = ["TARGET", "publish_pagerduty", "shift_why"]

TARGET = "pagerduty"
BATCH = 50
"""Overrides per create request."""


def shift_why(shift: Shift) -> str:
    """What put the holder on this piece: an override, a holiday swap, or the rotation."""
    if shift.reason == "override":
        return f"override: {shift.override_reason or 'no reason given'}"
    if shift.reason == "swap":
        cause = describe_days(shift.swap_cause)
        who = shift.swap_cause_person or shift.swapped_with
        return f"holiday swap with {shift.swapped_with}" + (f" ({who}: {cause})" if cause else "")
    return ""


def _slots(
    cfg: Config, availability: Availability, rid: str, start: datetime, end: datetime
) -> tuple[list[Slot], datetime]:
    """The slots of the shifts overlapping [start, end), and where they end: whole shifts
    (and override pieces), so the window ends on a handoff. A window that moves by a day
    then rewrites nothing: its last override is the same until a new shift comes into it."""
    from oncall.domain.rotation import compute_shifts

    shifts = compute_shifts(
        cfg.rotation_specs[rid],
        start,
        end,
        availability=availability,
        overrides=cfg.overrides_for(rid),
    )
    last = max([end, *(s.end for s in shifts)], key=lambda t: t.astimezone(UTC))
    pieces = ((s.start, s.end, s.person, shift_why(s)) for s in shifts)
    return compute_slots(pieces, start, last), last


def publish_pagerduty(
    cfg: Config,
    config: PagerDutyPublish,
    api: PagerDutyApi,
    store: PublishStore | None,
    availability: Availability,
    *,
    now: datetime,
    start: datetime,
    weeks: int = 8,
    rotation: str | None = None,
    dry_run: bool = False,
    notices: NoticeSender | None = None,
) -> list[PagerDutyPublishOut]:
    """Publish each configured rotation (or only ``rotation``) for ``weeks`` from ``start``.

    Every person is mapped before anything is written (PublishMappingError names who cannot
    be). ``dry_run`` reads PagerDuty and the store but writes neither, nor sends notices.
    """
    from oncall.errors import NotFoundError

    if rotation is not None:
        rotation = resolve_rotation(cfg, rotation)
        if rotation not in config.schedules:
            raise NotFoundError(
                f"rotation '{rotation}' has no PagerDuty schedule: add it under "
                "pagerduty.schedules in publish.yaml"
            )
    end = start + timedelta(weeks=weeks)
    wanted = [r for r in config.schedules if rotation is None or r == rotation]
    found = {rid: _slots(cfg, availability, rid, start, end) for rid in wanted}
    slots = {rid: pair[0] for rid, pair in found.items()}
    users = resolve_pagerduty_users(
        cfg,
        {s.person for found_slots in slots.values() for s in found_slots},
        api,
        store,
        now=now,
        write_cache=not dry_run,
    )
    return [
        _publish_one(
            cfg,
            config.schedules[rid],
            rid,
            slots[rid],
            users,
            api,
            store,
            now=now,
            window=(start, found[rid][1]),
            dry_run=dry_run,
            notices=notices,
        )
        for rid in wanted
    ]


def _out(o: RemoteOverride, persons: dict[str, str]) -> OverrideOut:
    return OverrideOut(id=o.id, start=o.start, end=o.end, user=o.user, person=persons.get(o.user))


def _publish_one(
    cfg: Config,
    schedule: str,
    rid: str,
    slots: list[Slot],
    users: dict[str, str],
    api: PagerDutyApi,
    store: PublishStore | None,
    *,
    now: datetime,
    window: tuple[datetime, datetime],
    dry_run: bool,
    notices: NoticeSender | None,
) -> PagerDutyPublishOut:
    from oncall.adapters.publish.pagerduty import override_body

    start, end = window
    tz = cfg.rotation_tz(rid)
    record = store.get_published(TARGET, rid) if store is not None else None
    payload: dict[str, Any] = dict(record.payload) if record is not None else {}
    ours = set(payload.get("overrides", [])) if payload.get("schedule") == schedule else set()
    existing = api.list_overrides(schedule, start, end)
    plan: OverridePlan = plan_overrides(
        [(s, users[s.person]) for s in slots], existing, ours, start, end
    )
    stored = payload.get("people")
    known: dict[str, str] = dict(stored) if isinstance(stored, dict) else {}
    persons = {**known, **{uid: pid for pid, uid in users.items()}}
    created: list[OverrideOut] = []
    rejected: list[RejectedOut] = []
    deleted: list[OverrideOut] = []
    if not dry_run:
        for i in range(0, len(plan.create), BATCH):
            batch = plan.create[i : i + BATCH]
            bodies = [
                override_body(s.start.astimezone(tz), s.end.astimezone(tz), user, str(tz))
                for s, user in batch
            ]
            for (slot, user), item in zip(
                batch, api.create_overrides(schedule, bodies), strict=True
            ):
                if item.ok:
                    ours.add(str(item.id))
                    created.append(
                        OverrideOut(
                            id=item.id,
                            start=slot.start,
                            end=slot.end,
                            user=user,
                            person=slot.person,
                            why=slot.why,
                        )
                    )
                else:
                    rejected.append(
                        RejectedOut(
                            start=slot.start,
                            end=slot.end,
                            person=slot.person,
                            status=item.status,
                            errors=item.errors,
                        )
                    )
        for o in plan.delete:
            api.delete_override(schedule, o.id)
            ours.discard(o.id)
            deleted.append(_out(o, persons))
    else:
        created = [
            OverrideOut(start=s.start, end=s.end, user=u, person=s.person, why=s.why)
            for s, u in plan.create
        ]
        deleted = [_out(o, persons) for o in plan.delete]
    announced = [Announced(s.start, s.end, s.person, s.why) for s in slots]
    sent = _notices(cfg, rid, payload, announced, window, dry_run=dry_run, notices=notices)
    if not dry_run and store is not None:
        new_payload = {
            "schedule": schedule,
            "overrides": sorted(ours),
            "people": {uid: persons[uid] for uid in sorted(persons)},
            "window": {"from": start.isoformat(), "to": end.isoformat()},
            "announced": [a.as_json() for a in announced],
        }
        digest = hashlib.sha256(json.dumps(new_payload, sort_keys=True).encode()).hexdigest()
        if record is None or record.fingerprint != digest:
            store.put_published(TARGET, rid, fingerprint=digest, payload=new_payload, at=now)
    return PagerDutyPublishOut(
        schedule=schedule,
        rotation=rid,
        window=WindowOut(from_=start, to=end),
        created=created,
        deleted=deleted,
        kept=len(plan.keep),
        conflicts=[_out(o, persons) for o in plan.conflicts],
        rejected=rejected,
        notices=sent,
        dry_run=dry_run,
    )


def _notices(
    cfg: Config,
    rid: str,
    payload: dict[str, Any],
    announced: list[Announced],
    window: tuple[datetime, datetime],
    *,
    dry_run: bool,
    notices: NoticeSender | None,
) -> list[NoticeOut]:
    """Tell each person whose announced shifts moved (nothing on a first publish)."""
    from oncall.services.publish.notices import plan_notices

    old = payload.get("announced")
    old_window = payload.get("window")
    if not isinstance(old, list) or not isinstance(old_window, dict):
        return []
    before = [Announced.from_json(a) for a in old]
    changes = compute_changes(
        before,
        (datetime.fromisoformat(old_window["from"]), datetime.fromisoformat(old_window["to"])),
        announced,
        window,
    )
    planned = plan_notices(cfg, rid, changes, notices)
    if dry_run or notices is None:
        return planned
    return [notices.send(cfg, n) for n in planned]
