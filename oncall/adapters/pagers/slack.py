"""Slack incoming-webhook delivery (the webhook URL is a secret read from the env), and
its wire format (:func:`slack_message`: Block Kit)."""

from __future__ import annotations

import re
from typing import Any

from oncall.adapters.pagers.http import (
    HttpPager,
    not_attempted,
    resolve_url_secret,
)
from oncall.config.models.paging import SlackChannel
from oncall.domain.paging.content import PageAction, PageContent, cap_details, cap_text, utc_iso
from oncall.domain.paging.routing import DeliveryResult, Target
from oncall.errors import MissingSecretError

__all__ = ["SlackPager", "slack_message"]

_SLACK_MEMBER = re.compile(r"^[UW][A-Z0-9]{2,31}$")
_ACTION_WORD = {"trigger": "", "acknowledge": "Acknowledged: ", "resolve": "Resolved: "}
_SEVERITY_ICON = {
    "critical": ":rotating_light:",
    "error": ":red_circle:",
    "warning": ":warning:",
    "info": ":information_source:",
}


def _slack_escape(text: str) -> str:
    """Escape Slack mrkdwn control characters so data cannot ping ``<!channel>``."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_message(
    content: PageContent, mention: str | None, action: PageAction = "trigger"
) -> dict[str, Any]:
    """A Slack incoming-webhook message: ``text`` fallback plus Block Kit blocks.

    ``mention`` is a Slack member id (``U…``/``W…``); anything else is ignored.
    """
    tag = f"<@{mention}> " if mention and _SLACK_MEMBER.match(mention) else ""
    prefix = _ACTION_WORD[action]
    label = _slack_escape(content.subject_label)
    summary = _slack_escape(" ".join(content.summary.split()))
    text = cap_text(f"{tag}{prefix}[{content.severity.upper()}] {label}: {summary}", 3000)
    header = cap_text(f"{prefix}[{content.severity.upper()}] {content.subject_label}", 150)
    esc = _slack_escape
    fields: list[tuple[str, str | None]] = [
        ("Severity", content.severity),
        ("Responder", content.responder and esc(content.responder)),
        ("Primary owner", content.owners[0] and esc(content.owners[0])),
        ("Secondary owner", content.owners[1] and esc(content.owners[1])),
        ("Escalation", esc(" → ".join(content.escalation)) or None),
        ("Runbook", f"`{esc(content.runbook)}`" if content.runbook else None),
        ("Family", content.family and esc(content.family)),
    ]
    fields += [(esc(k), esc(str(v))) for k, v in list(cap_details(content.details).items())[:3]]
    rendered = [{"type": "mrkdwn", "text": cap_text(f"*{k}*\n{v}", 2000)} for k, v in fields if v][
        :10
    ]
    section_text = cap_text(f"{tag}{prefix}{summary}", 3000)
    context = (
        f"{_SEVERITY_ICON[content.severity]} page {esc(content.page_id)}"
        f" · dedup {esc(content.dedup_key)} · {utc_iso(content.created)}"
    )
    return {
        "text": text,
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": header}},
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": section_text},
                "fields": rendered,
            },
            {"type": "context", "elements": [{"type": "mrkdwn", "text": cap_text(context, 3000)}]},
        ],
    }


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
