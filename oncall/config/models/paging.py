"""``config/paging.yaml``: channels (where pages go) and urgency levels (when and how).

Inputs are hidden from validation errors: a mistyped field may hold a secret. Secrets
themselves are never in this file, only the names of the environment variables holding
them (``*_env`` keys).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Literal

from pydantic import (
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from oncall.config.models.common import StrictModel
from oncall.domain.paging.quiet import parse_quiet_hours
from oncall.domain.paging.secret import check_env_name
from oncall.domain.paging.urgency import Urgency
from oncall.domain.paging.url import check_channel_url
from oncall.domain.timeutil import duration_from_seconds, parse_duration

__all__ = [
    "DEFAULT_PAGERDUTY_URL",
    "AnyChannel",
    "ChannelConfig",
    "EmailChannel",
    "PagerDutyChannel",
    "PagingConfig",
    "SlackChannel",
    "UrgencyConfig",
    "UrgencyLevel",
    "WebhookChannel",
]

DEFAULT_PAGERDUTY_URL = "https://events.pagerduty.com/v2/enqueue"


def _duration(value: object) -> object:
    if isinstance(value, bool):
        raise ValueError("expected a duration like 20s, 5m or 1h")
    if isinstance(value, int | float):
        return duration_from_seconds(value)
    if isinstance(value, str):
        return parse_duration(value)
    return value


def _positive(value: timedelta) -> timedelta:
    if value <= timedelta(0):
        raise ValueError("duration must be greater than zero")
    return value


Duration = Annotated[timedelta, BeforeValidator(_duration)]
EnvName = Annotated[str, BeforeValidator(lambda v: check_env_name(v) if isinstance(v, str) else v)]


class _PagingModel(StrictModel):
    model_config = ConfigDict(hide_input_in_errors=True)


class _ChannelBase(_PagingModel):
    retry_budget: Duration = timedelta(seconds=20)
    timeout: Duration = timedelta(seconds=5)

    @field_validator("retry_budget", "timeout")
    @classmethod
    def _check_positive(cls, value: timedelta) -> timedelta:
        return _positive(value)

    def secret_envs(self) -> list[tuple[str, str]]:
        """(key, environment variable name) of each secret this channel uses."""
        return []


class PagerDutyChannel(_ChannelBase):
    kind: Literal["pagerduty"]
    routing_key_env: EnvName
    url: str = DEFAULT_PAGERDUTY_URL

    @field_validator("url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        return check_channel_url(value, allow_credentials=False)

    def secret_envs(self) -> list[tuple[str, str]]:
        return [("routing_key_env", self.routing_key_env)]


class SlackChannel(_ChannelBase):
    kind: Literal["slack"]
    webhook_url_env: EnvName

    def secret_envs(self) -> list[tuple[str, str]]:
        return [("webhook_url_env", self.webhook_url_env)]


class EmailChannel(_ChannelBase):
    model_config = ConfigDict(
        validate_by_name=True, validate_by_alias=True, serialize_by_alias=True
    )

    kind: Literal["email"]
    host: str = Field(min_length=1)
    port: int = Field(default=587, ge=1, le=65535)
    starttls: bool = True
    username_env: EnvName | None = None
    password_env: EnvName | None = None
    from_: str = Field(alias="from", pattern=r"^[^@\s<>]+@[^@\s<>]+$")

    @model_validator(mode="after")
    def _login_pair(self) -> EmailChannel:
        if (self.username_env is None) != (self.password_env is None):
            raise ValueError("set both username_env and password_env, or neither")
        return self

    def secret_envs(self) -> list[tuple[str, str]]:
        pairs = [("username_env", self.username_env), ("password_env", self.password_env)]
        return [(k, v) for k, v in pairs if v]


class WebhookChannel(_ChannelBase):
    kind: Literal["webhook"]
    url_env: EnvName | None = None
    url: str | None = None

    @field_validator("url")
    @classmethod
    def _check_url(cls, value: str | None) -> str | None:
        return None if value is None else check_channel_url(value, allow_credentials=False)

    @model_validator(mode="after")
    def _one_url(self) -> WebhookChannel:
        if (self.url_env is None) == (self.url is None):
            raise ValueError("set exactly one of url_env (secret URL) or url")
        return self

    def secret_envs(self) -> list[tuple[str, str]]:
        return [("url_env", self.url_env)] if self.url_env else []


AnyChannel = PagerDutyChannel | SlackChannel | EmailChannel | WebhookChannel
ChannelConfig = Annotated[AnyChannel, Field(discriminator="kind")]


class UrgencyLevel(_PagingModel):
    channels: list[str] = Field(min_length=1)
    ack_timeout: Duration | None = None
    repeat: int = Field(default=0, ge=0, le=10)
    quiet_hours: str | None = None

    @field_validator("ack_timeout")
    @classmethod
    def _check_ack(cls, value: timedelta | None) -> timedelta | None:
        return None if value is None else _positive(value)

    @field_validator("quiet_hours")
    @classmethod
    def _check_quiet(cls, value: str | None) -> str | None:
        if value is not None:
            parse_quiet_hours(value)
        return value

    @model_validator(mode="after")
    def _repeat_needs_ack(self) -> UrgencyLevel:
        if self.repeat and self.ack_timeout is None:
            raise ValueError("repeat needs ack_timeout (how long to wait before repeating)")
        return self


class UrgencyConfig(_PagingModel):
    high: UrgencyLevel
    low: UrgencyLevel
    by_purpose: dict[str, Urgency] = Field(default_factory=dict)


class PagingConfig(_PagingModel):
    """``config/paging.yaml``."""

    channels: dict[str, ChannelConfig]
    urgency: UrgencyConfig

    @field_validator("urgency")
    @classmethod
    def _known_channels(cls, value: UrgencyConfig, info: ValidationInfo) -> UrgencyConfig:
        channels = info.data.get("channels")
        if channels is None:  # channels itself failed; its error is enough
            return value
        for name, level in (("high", value.high), ("low", value.low)):
            for i, ch in enumerate(level.channels):
                if ch not in channels:
                    known = ", ".join(sorted(channels)) or "none"
                    raise ValueError(
                        f"{name}.channels[{i}]: unknown channel {ch!r} (defined: {known})"
                    )
        return value

    def level(self, urgency: Urgency) -> UrgencyLevel:
        return self.urgency.high if urgency == "high" else self.urgency.low

    def secret_envs(self) -> list[str]:
        """Every channel's secret environment variable names, unique, in config order."""
        names = [var for ch in self.channels.values() for _, var in ch.secret_envs()]
        return list(dict.fromkeys(names))
