"""Slack incoming-webhook delivery (the webhook URL is a secret read from the env)."""

from __future__ import annotations

from oncall.adapters.pagers.http import (
    HttpPager,
    not_attempted,
    resolve_url_secret,
)
from oncall.domain.paging import (
    DeliveryResult,
    MissingSecretError,
    PageAction,
    PageContent,
    SlackChannel,
    Target,
    slack_message,
)

__all__ = ["SlackPager"]


class SlackPager(HttpPager[SlackChannel]):
    """Posts a Block Kit message; mentions the person (``<@U…>``) when their contacts
    carry a ``slack`` member id."""

    def __repr__(self) -> str:
        return f"SlackPager({self.channel!r}, url from {self.config.webhook_url_env})"

    def send(
        self, content: PageContent, target: Target, action: PageAction = "trigger"
    ) -> DeliveryResult:
        try:
            url = resolve_url_secret(self.config.webhook_url_env, self._environ)
        except (MissingSecretError, ValueError) as exc:
            return not_attempted(self.channel, target.label, str(exc))
        return self._http.post_json(
            url,
            slack_message(content, target.slack, action),
            channel=self.channel,
            to=target.label,
            where=f"the URL in {self.config.webhook_url_env}",
        )
