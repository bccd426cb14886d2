"""Each provider's wire format: PagerDuty (against its schema), Slack, email, webhook."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest

from oncall.adapters.pagers.email import email_message
from oncall.adapters.pagers.pagerduty import pagerduty_event
from oncall.adapters.pagers.slack import slack_message
from oncall.adapters.pagers.webhook import webhook_body
from oncall.domain.paging.content import default_dedup_key
from oncall.domain.paging.secret import Secret
from tests.support.pagerduty import pagerduty_validator
from tests.support.paging import content


def check_pagerduty_event(event: dict[str, Any]) -> None:
    """The request-body schema of POST /v2/enqueue plus the documented limits."""
    pagerduty_validator().validate(event)
    assert len(event["dedup_key"]) <= 255
    if event["event_action"] == "trigger":
        payload = event["payload"]
        assert len(payload["summary"]) <= 1024
        assert isinstance(payload["custom_details"], dict)
        assert datetime.fromisoformat(payload["timestamp"]).tzinfo is not None
    assert len(json.dumps(event).encode()) < 512 * 1024


def test_schema_validator_rejects_a_bad_event() -> None:
    validator = pagerduty_validator()
    event = pagerduty_event(content(), "k" * 32)
    del event["payload"]["severity"]
    with pytest.raises(Exception, match="severity"):
        validator.validate(event)
    event = pagerduty_event(content(), "k" * 32)
    event["event_action"] = "explode"
    with pytest.raises(Exception, match="explode"):
        validator.validate(event)


# --------------------------------------------------------------------------- config


def test_pagerduty_trigger_matches_schema_and_carries_context() -> None:
    event = pagerduty_event(content(), Secret("R0UTINGKEY0123456789abcdef012345"))
    check_pagerduty_event(event)
    assert event["routing_key"] == "R0UTINGKEY0123456789abcdef012345"
    assert event["event_action"] == "trigger"
    assert event["dedup_key"].startswith("oncall/aggregate-profit/")
    payload = event["payload"]
    assert payload["source"] == "oncall"
    assert payload["severity"] == "critical"
    assert payload["component"] == "aggregate-profit"
    assert payload["group"] == "finance"
    assert payload["timestamp"] == "2026-11-21T08:00:00+00:00"
    details = payload["custom_details"]
    assert details["responder"] == "de1"
    assert details["escalation"] == ["de1", "de2", "lead1"]
    assert details["owners"] == {"primary": "de1", "secondary": "de2"}
    assert details["runbook"] == "oncall runbook profit"
    assert details["details"]["lag"] == "3h 5m"


@pytest.mark.parametrize("action", ["acknowledge", "resolve"])
def test_pagerduty_ack_and_resolve_match_schema(action: Any) -> None:
    event = pagerduty_event(content(), "key", action)
    check_pagerduty_event(event)
    assert event == {"routing_key": "key", "event_action": action, "dedup_key": content().dedup_key}


def test_pagerduty_limits_hold_for_huge_pages() -> None:
    big = content(
        summary="stale " * 1000,
        pipeline=None,
        family=None,
        details={f"k{i}": "v" * 10_000 for i in range(200)},
        dedup_key=default_dedup_key("p" * 1000, "s"),
    )
    event = pagerduty_event(big, "key")
    check_pagerduty_event(event)
    assert len(event["payload"]["summary"]) == 1024
    assert "component" not in event["payload"]
    assert "group" not in event["payload"]
    assert len(event["payload"]["custom_details"]["details"]) == 50


def test_slack_message_mentions_and_escapes() -> None:
    page = content(summary="<!channel> profit & loss > stale")
    msg = slack_message(page, "U012AB3CD")
    assert msg["text"].startswith("<@U012AB3CD> [CRITICAL] aggregate-profit:")
    assert "<!channel>" not in json.dumps(msg)
    assert "&lt;!channel&gt; profit &amp; loss &gt; stale" in msg["text"]
    assert [b["type"] for b in msg["blocks"]] == ["header", "section", "context"]
    fields = {f["text"].split("\n")[0]: f["text"] for f in msg["blocks"][1]["fields"]}
    assert "`oncall runbook profit`" in fields["*Runbook*"]
    assert "de1 → de2 → lead1" in fields["*Escalation*"]
    assert len(msg["blocks"][1]["fields"]) <= 10
    assert "<@" not in json.dumps(slack_message(page, "<!here>"))
    assert "<@" not in json.dumps(slack_message(page, None))
    assert slack_message(page, None, "resolve")["text"].startswith("Resolved: [CRITICAL]")


def test_slack_header_respects_block_kit_limit() -> None:
    msg = slack_message(content(pipeline="p" * 400), None)
    assert len(msg["blocks"][0]["text"]["text"]) <= 150


def test_email_message_subject_and_body() -> None:
    msg = email_message(content(), "oncall@example.com", ["de1@example.com"])
    assert msg["Subject"] == "[CRITICAL] aggregate-profit: profit table is 3h stale"
    assert msg["From"] == "oncall@example.com"
    assert msg["To"] == "de1@example.com"
    body = msg.get_content()
    assert "Runbook: oncall runbook profit" in body
    assert "Escalation: de1 -> de2 -> lead1" in body
    assert "  lag: 3h 5m" in body


def test_email_subject_cannot_inject_headers() -> None:
    page = content(summary="stale\r\nBcc: attacker@example.com", severity="warning", pipeline=None)
    msg = email_message(page, "oncall@example.com", ["de1@example.com"], "resolve")
    assert msg["Subject"] == "RESOLVED [WARNING] page for de1: stale Bcc: attacker@example.com"
    assert msg["Bcc"] is None


def test_webhook_body_is_the_page_record() -> None:
    body = webhook_body(content())
    assert json.loads(json.dumps(body)) == body
    assert body["page_id"] == "pg-20261121-0001"
    assert body["action"] == "trigger"
    assert body["owners"] == {"primary": "de1", "secondary": "de2"}
    assert body["created"] == "2026-11-21T09:00:00+01:00"
    assert body["details"] == {"lag": "3h 5m", "last_run": "2026-11-21T05:55:00+00:00"}
