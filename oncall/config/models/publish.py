"""``config/publish.yaml``: where the schedule is published (PagerDuty schedules, Slack groups).

Secrets are never in this file, only the names of the environment variables holding them
(``*_env`` keys). URLs are https, or plain http to a loopback host (tests, local proxies).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from pydantic import BeforeValidator, ConfigDict, Field, field_validator

from oncall.config.models.common import StrictModel
from oncall.config.models.paging import Duration
from oncall.domain.paging.secret import check_env_name
from oncall.domain.paging.url import check_channel_url

__all__ = [
    "DEFAULT_PAGERDUTY_API_URL",
    "DEFAULT_SLACK_API_URL",
    "PagerDutyPublish",
    "PublishFile",
    "SlackPublish",
]

DEFAULT_PAGERDUTY_API_URL = "https://api.pagerduty.com"
DEFAULT_SLACK_API_URL = "https://slack.com/api"

EnvName = Annotated[str, BeforeValidator(lambda v: check_env_name(v) if isinstance(v, str) else v)]
PagerDutyId = Annotated[str, Field(pattern=r"^[A-Z0-9]{2,20}$")]
SlackId = Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9]{2,20}$")]


class _Target(StrictModel):
    model_config = ConfigDict(hide_input_in_errors=True)

    retry_budget: Duration = Field(
        timedelta(seconds=30), description="How long one request may be retried (429, 5xx)"
    )
    timeout: Duration = Field(timedelta(seconds=10), description="Timeout of one attempt")

    @field_validator("retry_budget", "timeout")
    @classmethod
    def _positive(cls, value: timedelta) -> timedelta:
        if value <= timedelta(0):
            raise ValueError("duration must be greater than zero")
        return value

    @field_validator("url", check_fields=False)
    @classmethod
    def _url(cls, value: str) -> str:
        return check_channel_url(value.rstrip("/"), allow_credentials=False)


class PagerDutyPublish(_Target):
    """Publish each rotation as overrides on a PagerDuty schedule."""

    api_token_env: EnvName = Field(
        "ONCALL_PAGERDUTY_API_TOKEN", description="Env var holding a PagerDuty REST API key"
    )
    url: str = Field(DEFAULT_PAGERDUTY_API_URL, description="PagerDuty REST API base URL")
    schedules: dict[str, PagerDutyId] = Field(
        min_length=1, description="rotation id -> PagerDuty schedule id"
    )


class SlackPublish(_Target):
    """Keep a Slack user group naming the person on call; post handoff notices."""

    bot_token_env: EnvName = Field(
        "ONCALL_SLACK_BOT_TOKEN",
        description="Env var holding a bot token (usergroups:read, usergroups:write, chat:write)",
    )
    url: str = Field(DEFAULT_SLACK_API_URL, description="Slack Web API base URL")
    usergroups: dict[str, SlackId] = Field(
        {}, description="rotation id -> Slack user group id (e.g. @data-oncall)"
    )
    channel: SlackId | None = Field(None, description="Channel id for handoff notices")


class PublishFile(StrictModel):
    """``publish.yaml``: at least one of ``pagerduty`` and ``slack``."""

    model_config = ConfigDict(hide_input_in_errors=True)

    pagerduty: PagerDutyPublish | None = None
    slack: SlackPublish | None = None
