"""Generic webhook delivery: the page record as JSON."""

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
    Secret,
    Target,
    WebhookChannel,
    webhook_body,
)

__all__ = ["WebhookPager"]


class WebhookPager(HttpPager[WebhookChannel]):
    """POSTs :func:`~oncall.domain.paging.webhook_body` to ``url`` (or the secret URL in
    ``url_env``). Retries carry the same ``Idempotency-Key`` so receivers can dedupe."""

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
