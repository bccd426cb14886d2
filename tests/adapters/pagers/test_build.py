"""One pager per configured channel."""

from __future__ import annotations

from oncall.adapters.pagers import (
    EmailPager,
    PagerDutyPager,
    SlackPager,
    WebhookPager,
    build_pagers,
)
from oncall.config.models.paging import (
    PagingConfig,
)
from tests.adapters.pagers.helpers import (
    FAST,
)


def test_build_pagers_makes_one_pager_per_channel() -> None:
    config = PagingConfig.model_validate(
        {
            "channels": {
                "pd": {"kind": "pagerduty", "routing_key_env": "PD"},
                "chat": {"kind": "slack", "webhook_url_env": "SLACK"},
                "mail": {"kind": "email", "host": "127.0.0.1", "from": "a@b.c"},
                "hook": {"kind": "webhook", "url_env": "HOOK"},
            },
            "urgency": {"high": {"channels": ["pd"]}, "low": {"channels": ["mail"]}},
        }
    )
    pagers = build_pagers(config, backoff_base=FAST)
    assert {name: type(p) for name, p in pagers.items()} == {
        "pd": PagerDutyPager,
        "chat": SlackPager,
        "mail": EmailPager,
        "hook": WebhookPager,
    }
    assert all(p.channel == name for name, p in pagers.items())
