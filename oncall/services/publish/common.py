"""What the publish use cases share: the clients' Protocols, building them, the time rules."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

from oncall.adapters.pagers.http import DEFAULT_BACKOFF_BASE

if TYPE_CHECKING:
    from oncall.adapters.publish.pagerduty import CreatedItem
    from oncall.config.models.publish import PagerDutyPublish, SlackPublish
    from oncall.domain.publish import RemoteOverride

__all__ = [
    "PagerDutyApi",
    "Retry",
    "SlackApi",
    "build_pagerduty",
    "build_slack",
    "format_span",
]


class PagerDutyApi(Protocol):
    def get_schedule(self, schedule: str) -> dict[str, Any]: ...
    def list_overrides(
        self, schedule: str, since: datetime, until: datetime
    ) -> list[RemoteOverride]: ...
    def create_overrides(
        self, schedule: str, items: Sequence[dict[str, Any]]
    ) -> list[CreatedItem]: ...
    def delete_override(self, schedule: str, override_id: str) -> bool: ...
    def find_users(self, query: str) -> list[tuple[str, str]]: ...


class SlackApi(Protocol):
    def auth_test(self) -> str: ...
    def usergroup_members(self, usergroup: str) -> list[str]: ...
    def set_usergroup_members(self, usergroup: str, users: list[str]) -> None: ...
    def post_message(self, channel: str, text: str) -> str: ...


@dataclass(frozen=True)
class Retry:
    """How clients retry: the backoff base and the injected sleeper and clocks (tests fake them)."""

    backoff_base: float = DEFAULT_BACKOFF_BASE
    sleep: Callable[[float], None] = time.sleep
    monotonic: Callable[[], float] = time.monotonic
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))


def build_pagerduty(
    config: PagerDutyPublish, environ: Mapping[str, str] | None = None, retry: Retry = Retry()
) -> PagerDutyApi:
    """The PagerDuty client of ``config``; MissingSecretError names an unset token variable."""
    from oncall.adapters.publish.pagerduty import PagerDutyRest

    client: PagerDutyApi = _build(PagerDutyRest, config, config.api_token_env, environ, retry)
    return client


def build_slack(
    config: SlackPublish, environ: Mapping[str, str] | None = None, retry: Retry = Retry()
) -> SlackApi:
    """The Slack client of ``config``; MissingSecretError names an unset token variable."""
    from oncall.adapters.publish.slack import SlackWeb

    client: SlackApi = _build(SlackWeb, config, config.bot_token_env, environ, retry)
    return client


def _build(
    client: Callable[..., Any],
    config: PagerDutyPublish | SlackPublish,
    token_env: str,
    environ: Mapping[str, str] | None,
    retry: Retry,
) -> Any:
    """A publish client with the token from ``token_env`` and the shared retry policy."""
    from oncall.adapters.secrets import resolve_secret
    from oncall.errors import MissingSecretError

    try:
        token = resolve_secret(token_env, environ)
    except MissingSecretError:
        raise MissingSecretError(token_env, use="publishing", doc="docs/publish.md") from None
    return client(
        config.url,
        token,
        token_env=token_env,
        timeout=config.timeout.total_seconds(),
        retry_budget=config.retry_budget.total_seconds(),
        backoff_base=retry.backoff_base,
        clock=retry.clock,
        sleep=retry.sleep,
        monotonic=retry.monotonic,
    )


def format_span(start: datetime, end: datetime, tz: Any) -> str:
    """``2026-01-05 09:00 → 2026-01-12 09:00 IST`` in ``tz``."""
    a, b = start.astimezone(tz), end.astimezone(tz)
    return f"{a:%Y-%m-%d %H:%M} → {b:%Y-%m-%d %H:%M} {b.tzname()}"
