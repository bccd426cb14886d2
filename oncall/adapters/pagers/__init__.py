"""Paging delivery adapters: one per channel kind, each behind :class:`Pager`.

A pager resolves its secrets from the environment at send time, delivers within the
channel's ``retry_budget`` and returns a :class:`DeliveryResult`; it never raises for
delivery failures and never reports a secret.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from oncall.adapters.pagers.email import EmailPager
from oncall.adapters.pagers.http import DEFAULT_BACKOFF_BASE
from oncall.adapters.pagers.pagerduty import PagerDutyPager
from oncall.adapters.pagers.slack import SlackPager
from oncall.adapters.pagers.webhook import WebhookPager
from oncall.domain.paging import (
    ChannelConfig,
    DeliveryResult,
    EmailChannel,
    PageAction,
    PageContent,
    PagerDutyChannel,
    PagingConfig,
    SlackChannel,
    Target,
)

__all__ = [
    "DeliveryResult",
    "EmailPager",
    "Pager",
    "PagerDutyPager",
    "SlackPager",
    "Target",
    "WebhookPager",
    "build_pager",
    "build_pagers",
]


class Pager(Protocol):
    """Delivers one page to one target over one channel."""

    channel: str

    def send(
        self, content: PageContent, target: Target, action: PageAction = "trigger"
    ) -> DeliveryResult: ...


def build_pager(
    name: str,
    config: ChannelConfig,
    *,
    backoff_base: float = DEFAULT_BACKOFF_BASE,
    environ: Mapping[str, str] | None = None,
) -> Pager:
    """The pager for one configured channel (``environ`` defaults to ``os.environ``)."""
    if isinstance(config, PagerDutyChannel):
        return PagerDutyPager(name, config, backoff_base=backoff_base, environ=environ)
    if isinstance(config, SlackChannel):
        return SlackPager(name, config, backoff_base=backoff_base, environ=environ)
    if isinstance(config, EmailChannel):
        return EmailPager(name, config, backoff_base=backoff_base, environ=environ)
    return WebhookPager(name, config, backoff_base=backoff_base, environ=environ)


def build_pagers(
    config: PagingConfig,
    *,
    backoff_base: float = DEFAULT_BACKOFF_BASE,
    environ: Mapping[str, str] | None = None,
) -> dict[str, Pager]:
    """A pager for every channel in ``config``, by channel name."""
    return {
        name: build_pager(name, ch, backoff_base=backoff_base, environ=environ)
        for name, ch in config.channels.items()
    }
