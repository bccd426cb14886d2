"""Paging delivery adapters: one per channel kind, each behind :class:`Pager`.

A pager resolves its secrets from the environment at send time, delivers within the
channel's ``retry_budget`` and returns a :class:`DeliveryResult`; it never raises for
delivery failures and never reports a secret. Each provider's wire format lives in its
pager's module (``pagerduty_event``, ``slack_message``, ``email_message``, ``webhook_body``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

from oncall.adapters.pagers.http import DEFAULT_BACKOFF_BASE
from oncall.adapters.pagers.pagerduty import PagerDutyPager
from oncall.adapters.pagers.slack import SlackPager
from oncall.adapters.pagers.webhook import WebhookPager
from oncall.config.models.paging import (
    AnyChannel,
    EmailChannel,
    PagerDutyChannel,
    PagingConfig,
    SlackChannel,
    WebhookChannel,
)
from oncall.domain.paging.content import PageAction, PageContent
from oncall.domain.paging.routing import DeliveryResult, Target

if TYPE_CHECKING:
    from oncall.adapters.pagers.email import EmailPager

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


def _email_pager(*args: Any, **kwargs: Any) -> Pager:
    """The email pager, imported only where a channel sends email (smtplib, email.*)."""
    from oncall.adapters.pagers.email import EmailPager

    return EmailPager(*args, **kwargs)


def __getattr__(name: str) -> Any:
    if name == "EmailPager":
        from oncall.adapters.pagers.email import EmailPager

        return EmailPager
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_PAGERS: dict[type, Callable[..., Pager]] = {
    PagerDutyChannel: PagerDutyPager,
    SlackChannel: SlackPager,
    EmailChannel: _email_pager,
    WebhookChannel: WebhookPager,
}


def build_pager(
    name: str,
    config: AnyChannel,
    *,
    backoff_base: float = DEFAULT_BACKOFF_BASE,
    environ: Mapping[str, str] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    monotonic: Callable[[], float] = time.monotonic,
) -> Pager:
    """The pager for one configured channel (``environ`` defaults to ``os.environ``;
    ``sleep`` and ``monotonic`` drive the retries: tests pass fakes)."""
    make = _PAGERS[type(config)]
    return make(
        name,
        config,
        backoff_base=backoff_base,
        environ=environ,
        sleep=sleep,
        monotonic=monotonic,
    )


def build_pagers(
    config: PagingConfig,
    *,
    backoff_base: float = DEFAULT_BACKOFF_BASE,
    environ: Mapping[str, str] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    monotonic: Callable[[], float] = time.monotonic,
) -> dict[str, Pager]:
    """A pager for every channel in ``config``, by channel name."""
    return {
        name: build_pager(
            name,
            ch,
            backoff_base=backoff_base,
            environ=environ,
            sleep=sleep,
            monotonic=monotonic,
        )
        for name, ch in config.channels.items()
    }
