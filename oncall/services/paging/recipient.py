"""Who a page goes to: a pipeline's responder and chain, or a person and their manager;
and who can be reached personally on which channels."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from oncall.domain.paging.routing import Target, can_reach, resolve_target
from oncall.domain.paging.urgency import Urgency, urgency_for
from oncall.domain.text import suggest
from oncall.errors import NotFoundError
from oncall.services.paging.common import CHANNEL_TARGET, Paging

if TYPE_CHECKING:
    from oncall.adapters.store import PageRecord
    from oncall.config.loaded import Config

__all__ = ["Recipient", "has_contact", "notice_targets", "person_target", "resolve_recipient"]


@dataclass(frozen=True)
class Recipient:
    """Who a new page goes to."""

    target: str
    pipeline: str | None
    responder: str | None
    chain: tuple[str, ...]
    urgency: Urgency
    tz: ZoneInfo


def resolve_recipient(paging: Paging, target: str, at: datetime) -> Recipient:
    """A pipeline's responder and chain at ``at``, or a person and their manager."""
    from oncall.services.roster import build_availability, compute_responder

    cfg = paging.cfg
    if target in cfg.owners.pipelines:
        _, responder, chain = compute_responder(cfg, build_availability(cfg), target, at)
        person = responder.person if responder else (chain[0] if chain else None)
        purpose = cfg.owners.pipelines[target].purpose
        return Recipient(
            target=target,
            pipeline=target,
            responder=person,
            chain=tuple(chain),
            urgency=urgency_for(purpose, paging.config.urgency.by_purpose),
            tz=cfg.person_tz(person) if person else cfg.team_tz,
        )
    if target in cfg.owners.people:
        chain = [target]
        manager = cfg.owners.team.manager
        if manager and manager != target:
            chain.append(manager)
        return Recipient(
            target=target,
            pipeline=None,
            responder=target,
            chain=tuple(chain),
            urgency="high",
            tz=cfg.person_tz(target),
        )
    known = [*cfg.owners.pipelines, *cfg.owners.people]
    raise NotFoundError(
        f"'{target}' is neither a pipeline nor a person{suggest(target, known)}; pipelines: "
        f"{', '.join(sorted(cfg.owners.pipelines))}; people: {', '.join(sorted(cfg.owners.people))}"
    )


def person_target(cfg: Config, person: str | None) -> Target:
    if person is None or person == CHANNEL_TARGET:
        return Target()
    found = cfg.people.get(person)
    if found is None:
        return Target(person=person)
    return resolve_target(person, found.email, found.contacts)


def has_contact(paging: Paging, person: str, channels: Iterable[str]) -> bool:
    """Whether ``person`` can be reached personally on any of ``channels``."""
    found = paging.cfg.people.get(person)
    if found is None:
        return False
    kinds = [paging.config.channels[n].kind for n in channels if n in paging.config.channels]
    return can_reach(resolve_target(person, found.email, found.contacts), kinds)


def notice_targets(cfg: Config, record: PageRecord) -> list[Target]:
    """A notice goes to everyone in its chain (the owners), each once."""
    people = record.escalation or (record.responder,)
    return [person_target(cfg, p) for p in dict.fromkeys(people)]
