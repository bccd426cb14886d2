"""PagerDuty Events API v2 delivery, and its wire format (:func:`pagerduty_event`)."""

from __future__ import annotations

from typing import Any

from oncall.adapters.pagers.http import (
    HttpPager,
    not_attempted,
)
from oncall.adapters.secrets import resolve_secret
from oncall.config.models.paging import PagerDutyChannel
from oncall.domain.paging.content import (
    ACTIONS,
    PageAction,
    PageContent,
    cap_details,
    cap_text,
    one_line,
    utc_iso,
)
from oncall.domain.paging.routing import DeliveryResult, Target
from oncall.domain.paging.secret import Secret, check_env_name
from oncall.errors import MissingSecretError

__all__ = ["PD_SUMMARY_MAX", "PagerDutyPager", "pagerduty_event"]

PD_SUMMARY_MAX = 1024
"""PagerDuty Events API v2 documented limit of ``payload.summary``."""


def pagerduty_event(
    content: PageContent, routing_key: Secret | str, action: PageAction = "trigger"
) -> dict[str, Any]:
    """A PagerDuty Events API v2 event (POST body for ``/v2/enqueue``)."""
    if action not in ACTIONS:
        raise ValueError(f"action must be one of {', '.join(ACTIONS)}")
    key = routing_key.reveal() if isinstance(routing_key, Secret) else routing_key
    event: dict[str, Any] = {
        "routing_key": key,
        "event_action": action,
        "dedup_key": content.dedup_key,
    }
    if action != "trigger":
        return event
    payload: dict[str, Any] = {
        "summary": cap_text(one_line(content.summary), PD_SUMMARY_MAX),
        "source": "oncall",
        "severity": content.severity,
        "timestamp": utc_iso(content.created),
        "custom_details": {
            "page_id": content.page_id,
            "responder": content.responder,
            "escalation": list(content.escalation),
            "owners": {"primary": content.owners[0], "secondary": content.owners[1]},
            "runbook": content.runbook,
            "details": cap_details(content.details),
        },
    }
    if content.pipeline is not None:
        payload["component"] = content.pipeline
    if content.family is not None:
        payload["group"] = content.family
    event["payload"] = payload
    event["client"] = "oncall"
    return event


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
