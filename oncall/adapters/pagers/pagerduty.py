"""PagerDuty Events API v2 delivery."""

from __future__ import annotations

from oncall.adapters.pagers.http import (
    HttpPager,
    not_attempted,
)
from oncall.domain.paging import (
    DeliveryResult,
    MissingSecretError,
    PageAction,
    PageContent,
    PagerDutyChannel,
    Target,
    check_env_name,
    pagerduty_event,
    resolve_secret,
)

__all__ = ["PagerDutyPager"]


class PagerDutyPager(HttpPager[PagerDutyChannel]):
    """Sends Events API v2 events. A person's own routing key (``contacts:
    pagerduty_routing_key_env``) overrides the channel's ``routing_key_env``."""

    def __repr__(self) -> str:
        return f"PagerDutyPager({self.channel!r}, key from {self.config.routing_key_env})"

    def send(
        self, content: PageContent, target: Target, action: PageAction = "trigger"
    ) -> DeliveryResult:
        env_name = target.pagerduty_routing_key_env or self.config.routing_key_env
        try:
            check_env_name(env_name)
        except ValueError:
            return not_attempted(
                self.channel,
                target.label,
                f"contacts.pagerduty_routing_key_env of {target.label} is not a valid "
                "environment variable name",
            )
        try:
            key = resolve_secret(env_name, self._environ)
        except MissingSecretError as exc:
            return not_attempted(self.channel, target.label, str(exc))
        return self._http.post_json(
            self.config.url,
            pagerduty_event(content, key, action),
            channel=self.channel,
            to=target.label,
            secrets=[key],
            where=f"channels.{self.channel}.url in paging.yaml",
        )
