"""Shared by the paging tests: an example paging.yaml and a sample page's content."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from oncall.config.models.paging import PagingConfig
from oncall.domain.paging.content import PageContent, default_dedup_key

PAGING_YAML = """
channels:
  pagerduty: {kind: pagerduty, routing_key_env: ONCALL_PAGERDUTY_ROUTING_KEY,
              url: https://events.pagerduty.com/v2/enqueue}
  slack: {kind: slack, webhook_url_env: ONCALL_SLACK_WEBHOOK}
  email: {kind: email, host: smtp.example.com, port: 587, starttls: true,
          username_env: ONCALL_SMTP_USER, password_env: ONCALL_SMTP_PASSWORD,
          from: oncall@example.com}
  hook: {kind: webhook, url_env: ONCALL_WEBHOOK_URL}
urgency:
  high: {channels: [pagerduty, slack], ack_timeout: 15m, repeat: 1}
  low: {channels: [slack, email], quiet_hours: "21:00-08:00"}
  by_purpose: {investor-reporting: high, experiments: low}
"""


BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def raw_config() -> dict[str, Any]:
    data = yaml.safe_load(PAGING_YAML)
    assert isinstance(data, dict)
    return data


def load(data: dict[str, Any] | None = None) -> PagingConfig:
    return PagingConfig.model_validate(raw_config() if data is None else data)


def content(**overrides: Any) -> PageContent:
    fields: dict[str, Any] = {
        "page_id": "pg-20261121-0001",
        "dedup_key": default_dedup_key("aggregate-profit", "profit table is 3h stale"),
        "pipeline": "aggregate-profit",
        "family": "finance",
        "severity": "critical",
        "summary": "profit table is 3h stale",
        "created": datetime(2026, 11, 21, 9, 0, tzinfo=BERLIN),
        "details": {"lag": "3h 5m", "last_run": "2026-11-21T05:55:00+00:00"},
        "responder": "de1",
        "escalation": ("de1", "de2", "lead1"),
        "owners": ("de1", "de2"),
        "runbook": "oncall runbook profit",
    }
    fields.update(overrides)
    return PageContent(**fields)
