"""Generic webhook delivery, and its wire format (:func:`webhook_body`: the page as JSON)."""

from __future__ import annotations

from typing import Any

from oncall.adapters.pagers.http import (
    HttpPager,
    not_attempted,
    resolve_url_secret,
)
from oncall.config.models.paging import WebhookChannel
from oncall.domain.paging.content import PageAction, PageContent
from oncall.domain.paging.routing import DeliveryResult, Target
from oncall.domain.paging.secret import Secret
from oncall.errors import MissingSecretError

__all__ = ["WebhookPager", "webhook_body"]


def webhook_body(content: PageContent, action: PageAction = "trigger") -> dict[str, Any]:
    """The page record as JSON for a generic webhook."""
    return {
        "page_id": content.page_id,
        "action": action,
        "dedup_key": content.dedup_key,
        "pipeline": content.pipeline,
        "family": content.family,
        "severity": content.severity,
        "summary": content.summary,
        "details": dict(content.details),
        "responder": content.responder,
        "escalation": list(content.escalation),
        "owners": {"primary": content.owners[0], "secondary": content.owners[1]},
        "runbook": content.runbook,
        "created": content.created.isoformat(),
    }


class WebhookPager(HttpPager[WebhookChannel]):
    """POSTs :func:`webhook_body` to ``url`` (or the secret URL in ``url_env``). Retries
    carry the same ``Idempotency-Key`` so receivers can dedupe."""

    def __repr__(self) -> str:
        source = f"url from {self.config.url_env}" if self.config.url_env else "url in config"
        return f"WebhookPager({self.channel!r}, {source})"

    def send(
        self, content: PageContent, target: Target, action: PageAction = "trigger"
    ) -> DeliveryResult:
        url: Secret | str
        if self.config.url_env is not None:
            try:
                url = resolve_url_secret(self.config.url_env, self._environ)
            except (MissingSecretError, ValueError) as exc:
                return not_attempted(self.channel, target.label, str(exc))
        else:
            assert self.config.url is not None  # the model requires one of the two
            url = self.config.url
        body = webhook_body(content, action)
        body["to"] = target.label
        return self._http.post_json(
            url,
            body,
            channel=self.channel,
            to=target.label,
            headers={"Idempotency-Key": f"{content.page_id}:{action}:{target.label}"},
            where=(
                f"the URL in {self.config.url_env}"
                if self.config.url_env is not None
                else f"channels.{self.channel}.url in paging.yaml"
            ),
        )
