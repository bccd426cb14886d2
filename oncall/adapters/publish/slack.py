"""Slack's Web API through the official ``slack-sdk`` (``WebClient`` with ``base_url``).

The SDK's own retry handlers are off: 429 (``Retry-After`` honoured), 5xx and network errors
are retried with the project's policy and injected sleeper instead. A Slack ``ok: false``
answer is explained by its ``error`` code; the bot token never appears in a message.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import tenacity

from oncall.adapters.pagers.http import (
    DEFAULT_BACKOFF_BASE,
    DEFAULT_BACKOFF_MAX,
    gave_up,
    parse_retry_after,
    scrub,
)
from oncall.adapters.pagers.retry import backoff, budget_stop, wait_retry_after
from oncall.domain.paging.secret import Secret
from oncall.errors import PublishUnavailableError, TransientDeliveryError

__all__ = ["SlackWeb"]

_HINTS = {
    "invalid_auth": "the bot token in {env} was refused",
    "not_authed": "no bot token was sent: set {env}",
    "missing_scope": "the bot token in {env} lacks a scope (usergroups:read, usergroups:write, "
    "chat:write)",
    "no_such_subteam": "no such user group: check slack.usergroups in publish.yaml",
    "channel_not_found": "no such channel, or the bot is not in it: check slack.channel",
    "not_in_channel": "the bot is not in the channel: invite it",
    "permission_denied": "the bot may not change this user group",
}


class SlackWeb:
    """The Web API methods a publish uses, each retried within ``retry_budget``."""

    def __init__(
        self,
        base_url: str,
        token: Secret,
        *,
        token_env: str,
        timeout: float = 10.0,
        retry_budget: float = 30.0,
        backoff_base: float = DEFAULT_BACKOFF_BASE,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        from slack_sdk import WebClient

        self.token_env = token_env
        self._token = token
        self.retry_budget = retry_budget
        self._backoff_base = backoff_base
        self._clock = clock
        self._sleep = sleep
        self._monotonic = monotonic
        self._client = WebClient(
            token=token.reveal(),
            base_url=base_url.rstrip("/") + "/",
            timeout=max(1, round(timeout)),
            retry_handlers=[],
        )

    def __repr__(self) -> str:
        return f"SlackWeb({self._client.base_url!r})"

    def _call(self, method: str, **kwargs: Any) -> dict[str, Any]:
        from slack_sdk.errors import SlackApiError

        start = self._monotonic()
        attempts = 0

        def elapsed() -> float:
            return self._monotonic() - start

        def once() -> dict[str, Any]:
            try:
                response = self._client.api_call(method, json=kwargs)
            except SlackApiError as exc:
                status = exc.response.status_code
                error = str(exc.response.get("error", "") or "")
                if status == 429 or status >= 500:
                    retry_after = parse_retry_after(
                        _header(exc.response.headers, "retry-after"), self._clock()
                    )
                    label = "rate limited" if status == 429 else "server error"
                    raise TransientDeliveryError(
                        f"HTTP {status} {label}" + (f": {error}" if error else ""), retry_after
                    ) from None
                hint = _HINTS.get(error, "").format(env=self.token_env)
                raise PublishUnavailableError(
                    f"Slack: {method}: {error or f'HTTP {status}'}" + (f" ({hint})" if hint else "")
                ) from None
            except OSError as exc:  # urllib: connection refused, timeouts, DNS
                raise TransientDeliveryError(
                    f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
                ) from None
            data = response.data
            return data if isinstance(data, dict) else {}

        retrying = tenacity.Retrying(
            stop=budget_stop(self.retry_budget, elapsed),
            wait=wait_retry_after(backoff(self._backoff_base, DEFAULT_BACKOFF_MAX)),
            retry=tenacity.retry_if_exception_type(TransientDeliveryError),
            sleep=self._sleep,
            reraise=True,
        )
        try:
            for attempt in retrying:
                with attempt:
                    attempts = attempt.retry_state.attempt_number
                    return once()
        except TransientDeliveryError as exc:
            detail = f"Slack: {method}: {exc.detail}; {gave_up(attempts, elapsed())}"
            raise PublishUnavailableError(scrub(detail, [self._token])) from None
        except PublishUnavailableError as exc:
            raise PublishUnavailableError(scrub(str(exc), [self._token])) from None
        raise AssertionError("unreachable")  # pragma: no cover

    def auth_test(self) -> str:
        """The bot's user id (an authenticated read: what doctor checks)."""
        return str(self._call("auth.test").get("user_id", ""))

    def usergroup_members(self, usergroup: str) -> list[str]:
        users = self._call("usergroups.users.list", usergroup=usergroup).get("users", [])
        return [str(u) for u in users] if isinstance(users, list) else []

    def set_usergroup_members(self, usergroup: str, users: list[str]) -> None:
        self._call("usergroups.users.update", usergroup=usergroup, users=",".join(users))

    def post_message(self, channel: str, text: str) -> str:
        """Post ``text`` to a channel or a member id (a DM); the message's ``ts``."""
        return str(self._call("chat.postMessage", channel=channel, text=text).get("ts", ""))


def _header(headers: Any, name: str) -> str | None:
    if not isinstance(headers, dict):
        return None
    for key, value in headers.items():
        if str(key).lower() == name:
            return str(value[0] if isinstance(value, list) else value)
    return None
