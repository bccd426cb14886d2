"""``oncall publish slack``: the on-call user group names exactly the holder at ``now``.

Reads the group's members (``usergroups.users.list``) and updates them only when they
differ. When the holder changed since the last publish (the store remembers it, target
``slack``) and ``channel`` is set, posts a handoff notice. Meant for cron every 15 minutes
from one or several machines: the update is idempotent, and the store is written before the
notice is posted, as a compare-and-set: of two machines that run at the same time, only
the one whose write succeeds posts the notice; one that runs after it finds nothing to
announce.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from oncall.errors import PublishMappingError
from oncall.reports.publish import HandoffOut, SlackGroupOut
from oncall.services.publish.common import format_span
from oncall.services.roster import compute_responder, oncall_shift

if TYPE_CHECKING:
    from oncall.adapters.store.protocol import PageStore, PublishStore
    from oncall.config import Config
    from oncall.config.models.publish import SlackPublish
    from oncall.domain.people import Availability
    from oncall.domain.rotation import Shift
    from oncall.services.publish.common import SlackApi

__all__ = ["TARGET", "handoff_text", "publish_slack"]

TARGET = "slack"


def _slack_id(cfg: Config, person: str) -> str:
    spec = cfg.owners.people.get(person)
    member = spec.contacts.slack if spec is not None else None
    if not member:
        raise PublishMappingError(
            f"cannot map {person} to a Slack member: set contacts.slack in owners.yaml "
            "(a member id, e.g. U0123ABCD)"
        )
    return member


def publish_slack(
    cfg: Config,
    config: SlackPublish,
    api: SlackApi,
    store: PublishStore | None,
    availability: Availability,
    *,
    now: datetime,
    pages: PageStore | None = None,
    dry_run: bool = False,
) -> list[SlackGroupOut]:
    """Make each configured user group name its rotation's holder at ``now``."""
    holders = {rid: oncall_shift(cfg, availability, rid, now) for rid in config.usergroups}
    members = {rid: _slack_id(cfg, s.person) for rid, s in holders.items() if s is not None}
    out: list[SlackGroupOut] = []
    for rid, group in config.usergroups.items():
        shift = holders[rid]
        before = api.usergroup_members(group)
        if shift is None:
            out.append(
                SlackGroupOut(
                    rotation=rid,
                    usergroup=group,
                    holder=None,
                    members_before=before,
                    members_after=before,
                    updated=False,
                    dry_run=dry_run,
                    note="the rotation has not started: the group is left as it is",
                )
            )
            continue
        after = [members[rid]]
        updated = sorted(before) != after
        if updated and not dry_run:
            api.set_usergroup_members(group, after)
        handoff = _handoff(
            cfg, config, api, store, availability, rid, shift, now=now, pages=pages, dry_run=dry_run
        )
        out.append(
            SlackGroupOut(
                rotation=rid,
                usergroup=group,
                holder=shift.person,
                members_before=before,
                members_after=after,
                updated=updated,
                handoff=handoff,
                dry_run=dry_run,
            )
        )
    return out


def _handoff(
    cfg: Config,
    config: SlackPublish,
    api: SlackApi,
    store: PublishStore | None,
    availability: Availability,
    rid: str,
    shift: Shift,
    *,
    now: datetime,
    pages: PageStore | None,
    dry_run: bool,
) -> HandoffOut | None:
    record = store.get_published(TARGET, rid) if store is not None else None
    previous = record.payload.get("holder") if record is not None else None
    fingerprint = f"{shift.person}@{shift.start.isoformat()}"
    if not dry_run and store is not None and (record is None or record.fingerprint != fingerprint):
        # Compare and set: of several machines that saw the same old holder, one records the
        # change and posts the notice; the others find it recorded and post nothing.
        won = store.put_published_if(
            TARGET,
            rid,
            expected=record.fingerprint if record is not None else None,
            fingerprint=fingerprint,
            payload={"holder": shift.person, "since": shift.start.isoformat()},
            at=now,
        )
        if won is None:
            return None
    if previous is None or previous == shift.person or config.channel is None:
        return None
    text = handoff_text(cfg, availability, rid, str(previous), shift, pages=pages)
    if not dry_run:
        api.post_message(config.channel, text)
    return HandoffOut(
        channel=config.channel,
        previous=str(previous),
        holder=shift.person,
        text=text,
        posted=not dry_run,
    )


def handoff_text(
    cfg: Config,
    availability: Availability,
    rid: str,
    previous: str,
    shift: Shift,
    *,
    pages: PageStore | None = None,
) -> str:
    """Who hands over to whom, until when (both timezones), days off and backups, open pages.

    "Until" is the end of the holder's run: the shifts that follow while they hold them (a
    holiday swap can give someone two in a row), and the days off of all of them.
    """
    rtz, ptz = cfg.rotation_tz(rid), cfg.person_tz(shift.person)
    run = _run_of(cfg, availability, rid, shift)
    end = run[-1].end
    until = f"{end.astimezone(rtz):%Y-%m-%d %H:%M} {end.astimezone(rtz).tzname()}"
    if ptz != rtz:
        local = end.astimezone(ptz)
        until += f" ({local:%Y-%m-%d %H:%M} {local.tzname()}, {shift.person}'s time)"
    lines = [
        f"Handoff on {rid}: {cfg.person_name(previous)} ({previous}) hands over to "
        f"{cfg.person_name(shift.person)} ({shift.person}), on call until {until}.",
    ]
    lines.append("Shift: " + format_span(shift.start, end, rtz))
    pipelines = [p for p in cfg.owners.pipelines if cfg.pipeline_rotation(p) == rid]
    conflicts = [d for s in run for d in s.conflicts]
    for day in sorted({d.date for d in conflicts}):
        labels = ", ".join(dict.fromkeys(d.label() for d in conflicts if d.date == day))
        from oncall.domain.timeutil import resolve_wall_time

        at = resolve_wall_time(day, cfg.rotation_specs[rid].handoff, ptz)
        backups = sorted(
            {
                r.person
                for p in pipelines
                for r in [compute_responder(cfg, availability, p, at)[1]]
                if r is not None and r.person != shift.person
            }
        )
        lines.append(
            f"Day off {day.isoformat()} ({labels}): backup "
            + (", ".join(backups) if backups else "nobody found")
        )
    if pages is not None:
        open_pages = [p for p in pages.list_pages(open_only=True) if p.pipeline in pipelines]
        if open_pages:
            lines.append(
                "Open pages: "
                + "; ".join(f"{p.page_id} {p.pipeline}: {p.summary}" for p in open_pages[:10])
            )
        else:
            lines.append("Open pages: none")
    return "\n".join(lines)


MAX_RUN = 52
"""At most this many shifts in a row are followed to find where a holder's run ends."""


def _run_of(cfg: Config, availability: Availability, rid: str, shift: Shift) -> list[Shift]:
    """``shift`` and the shifts right after it that the same person holds (bounded)."""
    run = [shift]
    for _ in range(MAX_RUN):
        following = oncall_shift(cfg, availability, rid, run[-1].end)
        if following is None or following.person != shift.person or following.end <= run[-1].end:
            break
        run.append(following)
    return run
