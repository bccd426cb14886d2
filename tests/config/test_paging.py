"""paging.yaml: channels, urgencies, durations and what is refused (without echoing secrets)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from oncall.config.models.paging import (
    DEFAULT_PAGERDUTY_URL,
    EmailChannel,
    PagerDutyChannel,
    SlackChannel,
    WebhookChannel,
)
from tests.support.paging import load, raw_config


def test_shipped_example_loads_with_defaults() -> None:
    cfg = load()
    pd = cfg.channels["pagerduty"]
    assert isinstance(pd, PagerDutyChannel)
    assert pd.retry_budget == timedelta(seconds=20)
    assert pd.timeout == timedelta(seconds=5)
    assert isinstance(cfg.channels["slack"], SlackChannel)
    mail = cfg.channels["email"]
    assert isinstance(mail, EmailChannel)
    assert mail.from_ == "oncall@example.com"
    assert mail.starttls is True
    assert isinstance(cfg.channels["hook"], WebhookChannel)
    assert cfg.urgency.high.ack_timeout == timedelta(minutes=15)
    assert cfg.urgency.high.repeat == 1
    assert cfg.urgency.low.quiet_hours == "21:00-08:00"


def test_pagerduty_url_defaults_and_durations_parse() -> None:
    data = raw_config()
    data["channels"]["pagerduty"] = {
        "kind": "pagerduty",
        "routing_key_env": "PD_KEY",
        "retry_budget": "1m",
        "timeout": 2,
    }
    pd = load(data).channels["pagerduty"]
    assert isinstance(pd, PagerDutyChannel)
    assert pd.url == DEFAULT_PAGERDUTY_URL
    assert pd.retry_budget == timedelta(minutes=1)
    assert pd.timeout == timedelta(seconds=2)


@pytest.mark.parametrize(
    ("channel", "message"),
    [
        ({"kind": "slack", "webhook_url_env": "X", "colour": "red"}, "Extra inputs"),
        ({"kind": "pager", "webhook_url_env": "X"}, "does not match any of the expected tags"),
        ({"kind": "slack", "webhook_url_env": "X", "timeout": "0s"}, "greater than zero"),
        ({"kind": "slack", "webhook_url_env": "X", "retry_budget": "soon"}, "bad duration"),
        ({"kind": "webhook"}, "exactly one of url_env"),
        ({"kind": "webhook", "url_env": "A", "url": "https://x.example/h"}, "exactly one"),
        ({"kind": "webhook", "url": "http://hooks.example.com/h"}, "must use https"),
        ({"kind": "webhook", "url": "https://u:p@hooks.example.com/h"}, "credentials"),
        (
            {"kind": "email", "host": "h", "from": "a@b.c", "username_env": "U"},
            "both username_env and password_env",
        ),
        ({"kind": "email", "host": "h", "from": "not-an-address"}, "pattern"),
    ],
)
def test_bad_channels_are_rejected(channel: dict[str, Any], message: str) -> None:
    data = raw_config()
    data["channels"]["slack"] = channel
    with pytest.raises(ValidationError, match=message):
        load(data)


def test_a_pasted_secret_is_rejected_without_echoing_it() -> None:
    secret = "https://hooks.slack.com/services/T000/B000/XXXXsecretXXXX"
    data = raw_config()
    data["channels"]["slack"] = {"kind": "slack", "webhook_url_env": secret}
    with pytest.raises(ValidationError) as info:
        load(data)
    text = str(info.value)
    assert "NAME of an environment variable" in text
    assert "secret" not in text.replace("the secret itself", "")
    assert "hooks.slack.com" not in text


def test_urgency_must_name_defined_channels() -> None:
    data = raw_config()
    data["urgency"]["low"]["channels"] = ["slack", "pigeon"]
    with pytest.raises(ValidationError, match=r"low.channels\[1\]: unknown channel 'pigeon'"):
        load(data)


def test_bad_quiet_hours_and_repeat_without_ack_are_rejected() -> None:
    data = raw_config()
    data["urgency"]["low"]["quiet_hours"] = "21:00-25:00"
    with pytest.raises(ValidationError, match="hours 00-23"):
        load(data)
    data["urgency"]["low"]["quiet_hours"] = "08:00-08:00"
    with pytest.raises(ValidationError, match="must differ"):
        load(data)
    data = raw_config()
    data["urgency"]["low"]["repeat"] = 2
    with pytest.raises(ValidationError, match="repeat needs ack_timeout"):
        load(data)
