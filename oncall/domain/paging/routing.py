"""Routing: who a delivery goes to, who can be reached on which channel kinds, and the
order channels are tried in."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from oncall.domain.paging.urgency import Urgency

__all__ = ["DeliveryResult", "Target", "can_reach", "compute_fallthrough", "resolve_target"]


@dataclass(frozen=True, slots=True)
class Target:
    """Who a delivery goes to. ``person`` None means the channel itself (no person)."""

    person: str | None = None
    slack: str | None = None
    email: str | None = None
    pagerduty_routing_key_env: str | None = None

    @property
    def label(self) -> str:
        """What results report as ``to``: a person id or ``channel``; never a secret."""
        return self.person or "channel"


def resolve_target(
    person_id: str, email: str | None, contacts: Mapping[str, str] | None = None
) -> Target:
    """A person's delivery target from their ``email`` and ``contacts``."""
    c = contacts or {}
    return Target(
        person=person_id,
        slack=c.get("slack"),
        email=email,
        pagerduty_routing_key_env=c.get("pagerduty_routing_key_env"),
    )


def can_reach(target: Target, kinds: Iterable[str]) -> bool:
    """Whether ``target`` has a personal contact for any of the channel ``kinds``: a
    routing key of their own (pagerduty), a Slack member id (slack), an address (email)."""
    for kind in kinds:
        if kind == "pagerduty" and target.pagerduty_routing_key_env:
            return True
        if kind == "slack" and target.slack:
            return True
        if kind == "email" and target.email:
            return True
    return False


def compute_fallthrough(
    channels: Iterable[str],
    urgency: Urgency,
    tried: Sequence[str],
    *,
    high: Sequence[str],
    low: Sequence[str],
) -> list[str]:
    """Configured ``channels`` to try one by one when none of ``tried`` delivered.

    Config order; a low-urgency page never falls through to a channel listed only under
    ``high`` (a success notice must not wake anyone through PagerDuty).
    """
    reserved: set[str] = set()
    if urgency == "low":
        reserved = set(high) - set(low)
    return [n for n in channels if n not in tried and n not in reserved]


@dataclass(frozen=True, slots=True)
class DeliveryResult:
    """The outcome of one delivery. ``to`` is a person id or ``channel``; ``detail``
    never holds a secret (secret URLs and keys are masked)."""

    channel: str
    to: str
    status: Literal["sent", "failed"]
    attempts: int
    detail: str

    @property
    def ok(self) -> bool:
        return self.status == "sent"
