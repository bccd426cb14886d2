"""Paging config and pure decisions: urgency, quiet hours (DST), dedup keys, messages."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from oncall.domain.paging import (
    DEFAULT_PAGERDUTY_URL,
    EmailChannel,
    MissingSecretError,
    PageContent,
    PagerDutyChannel,
    PagingConfig,
    Secret,
    SlackChannel,
    WebhookChannel,
    check_channel_url,
    compute_repeats,
    default_dedup_key,
    email_message,
    hold_until,
    in_quiet_hours,
    missing_env,
    pagerduty_event,
    quiet_hours_end,
    resolve_secret,
    resolve_target,
    slack_message,
    urgency_for,
    webhook_body,
)
from oncall.errors import OncallError
from tests.support.pagerduty import pagerduty_validator

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


# --------------------------------------------------------------------------- schema


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


@pytest.mark.parametrize(
    "url",
    [
        "https://events.pagerduty.com/v2/enqueue",
        "http://127.0.0.1:8080/x",
        "http://127.9.9.9/x",
        "http://[::1]:9000/x",
        "http://localhost/x",
        "http://LOCALHOST:1/x",
    ],
)
def test_channel_url_accepts_https_and_loopback_http(url: str) -> None:
    assert check_channel_url(url) == url


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/x",
        "http://128.0.0.1/x",
        "http://[::2]/x",
        "http://localhost.example.com/x",
        "ftp://127.0.0.1/x",
        "https:///nohost",
        "https://example.com/a b",
        "hooks.slack.com/services/T/B/C",
    ],
)
def test_channel_url_rejects_the_rest_without_echoing(url: str) -> None:
    with pytest.raises(ValueError) as info:
        check_channel_url(url)
    assert url not in str(info.value)


# --------------------------------------------------------------------------- secrets


def test_secret_masks_itself_everywhere() -> None:
    value = "R0uting-Key-0123456789abcd"
    secret = Secret(value)
    assert secret.reveal() == value
    for shown in (repr(secret), str(secret), f"{secret}", f"{secret!r}", repr([secret])):
        assert value not in shown
        assert "****abcd" in shown
    assert Secret("short").mask() == "****"
    with pytest.raises(TypeError):
        import pickle

        pickle.dumps(secret)


def test_resolve_secret_reads_env_and_names_missing_variable() -> None:
    env = {"ONCALL_SLACK_WEBHOOK": " https://hooks.slack.com/services/T/B/tok3n "}
    assert resolve_secret("ONCALL_SLACK_WEBHOOK", env).reveal().endswith("/tok3n")
    with pytest.raises(MissingSecretError) as info:
        resolve_secret("ONCALL_PAGERDUTY_ROUTING_KEY", {})
    assert isinstance(info.value, OncallError)
    assert info.value.exit_code == 2
    assert "ONCALL_PAGERDUTY_ROUTING_KEY" in str(info.value)
    with pytest.raises(MissingSecretError):
        resolve_secret("EMPTY", {"EMPTY": "  "})
    with pytest.raises(ValueError, match="NAME of an environment variable"):
        resolve_secret("not a name", {})


def test_resolve_secret_defaults_to_process_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ONCALL_PAGERDUTY_ROUTING_KEY", "abcdefghijklmnop")
    assert resolve_secret("ONCALL_PAGERDUTY_ROUTING_KEY").reveal() == "abcdefghijklmnop"


def test_missing_env_lists_unset_secret_variables() -> None:
    cfg = load()
    env = {"ONCALL_SLACK_WEBHOOK": "https://x", "ONCALL_SMTP_USER": "u"}
    assert missing_env(cfg, env) == [
        "ONCALL_PAGERDUTY_ROUTING_KEY",
        "ONCALL_SMTP_PASSWORD",
        "ONCALL_WEBHOOK_URL",
    ]
    assert missing_env(cfg, env, extra=["DE1_PD_KEY"])[0] == "DE1_PD_KEY"
    full = dict.fromkeys(missing_env(cfg, {}), "v") | env
    assert missing_env(cfg, full) == []


def test_resolve_target_reads_contacts() -> None:
    target = resolve_target(
        "de1", "de1@example.com", {"slack": "U012AB3CD", "pagerduty_routing_key_env": "DE1_PD"}
    )
    assert (target.person, target.slack, target.email) == ("de1", "U012AB3CD", "de1@example.com")
    assert target.pagerduty_routing_key_env == "DE1_PD"
    assert target.label == "de1"
    assert resolve_target("de2", None).slack is None


# --------------------------------------------------------------------------- urgency


def test_urgency_for_purpose_defaults_to_high() -> None:
    cfg = load()
    assert urgency_for("experiments", cfg) == "low"
    assert urgency_for("investor-reporting", cfg) == "high"
    assert urgency_for("unmapped", cfg) == "high"
    assert urgency_for(None, cfg) == "high"


def test_repeats_follow_ack_timeout() -> None:
    cfg = load()
    first = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    assert compute_repeats(cfg.urgency.high, first) == [first + timedelta(minutes=15)]
    assert compute_repeats(cfg.urgency.low, first) == []
    # 01:50 EST + 15 minutes of real time is 03:05 EDT on the spring-forward night.
    night = datetime(2026, 3, 8, 1, 50, tzinfo=NEW_YORK)
    (repeat,) = compute_repeats(cfg.urgency.high, night)
    assert (repeat.hour, repeat.minute) == (3, 5)


# --------------------------------------------------------------------------- quiet hours

QUIET = "21:00-08:00"


@pytest.mark.parametrize(
    ("wall", "spec", "quiet"),
    [
        ("20:59:59", QUIET, False),
        ("21:00:00", QUIET, True),
        ("23:59:59", QUIET, True),
        ("00:00:00", QUIET, True),
        ("07:59:59", QUIET, True),
        ("08:00:00", QUIET, False),
        ("12:00:00", QUIET, False),
        ("12:59:59", "13:00-14:00", False),
        ("13:00:00", "13:00-14:00", True),
        ("14:00:00", "13:00-14:00", False),
        ("23:59:00", "23:59-00:01", True),
        ("00:00:30", "23:59-00:01", True),
        ("00:01:00", "23:59-00:01", False),
    ],
)
def test_quiet_hours_boundaries(wall: str, spec: str, quiet: bool) -> None:
    now = datetime.combine(date(2026, 6, 10), time.fromisoformat(wall), tzinfo=BERLIN)
    assert in_quiet_hours(now, BERLIN, spec) is quiet
    # The same instant seen from another zone gives the same answer.
    assert in_quiet_hours(now.astimezone(UTC), BERLIN, spec) is quiet


def test_quiet_hours_end_wraps_past_midnight() -> None:
    evening = datetime(2026, 6, 10, 22, 30, tzinfo=BERLIN)
    assert quiet_hours_end(evening, BERLIN, QUIET) == datetime(2026, 6, 11, 8, 0, tzinfo=BERLIN)
    early = datetime(2026, 6, 11, 3, 0, tzinfo=BERLIN)
    assert quiet_hours_end(early, BERLIN, QUIET) == datetime(2026, 6, 11, 8, 0, tzinfo=BERLIN)
    noon = datetime(2026, 6, 11, 12, 0, tzinfo=BERLIN)
    assert quiet_hours_end(noon, BERLIN, QUIET) == noon


def test_quiet_hours_use_the_responders_zone() -> None:
    now = datetime(2026, 6, 10, 20, 0, tzinfo=UTC)  # 22:00 Berlin, 16:00 New York
    assert in_quiet_hours(now, BERLIN, QUIET)
    assert not in_quiet_hours(now, NEW_YORK, QUIET)


def test_quiet_night_across_spring_forward_is_an_hour_shorter() -> None:
    # Berlin springs forward 2026-03-29 02:00 -> 03:00.
    now = datetime(2026, 3, 28, 22, 0, tzinfo=BERLIN)
    end = quiet_hours_end(now, BERLIN, QUIET)
    assert end.astimezone(BERLIN).replace(tzinfo=None) == datetime(2026, 3, 29, 8, 0)
    assert end.astimezone(UTC) - now.astimezone(UTC) == timedelta(hours=9)


def test_quiet_night_across_fall_back_is_an_hour_longer() -> None:
    # Berlin falls back 2026-10-25 03:00 -> 02:00.
    now = datetime(2026, 10, 24, 22, 0, tzinfo=BERLIN)
    end = quiet_hours_end(now, BERLIN, QUIET)
    assert end.astimezone(UTC) - now.astimezone(UTC) == timedelta(hours=11)


def test_quiet_start_in_a_dst_gap_moves_to_the_end_of_the_gap() -> None:
    # New York springs forward 2026-03-08 02:00 -> 03:00; 02:30 does not exist.
    spec = "02:30-06:00"
    before = datetime(2026, 3, 8, 6, 59, tzinfo=UTC)  # 01:59 EST
    at_gap_end = datetime(2026, 3, 8, 7, 0, tzinfo=UTC)  # 03:00 EDT
    assert not in_quiet_hours(before, NEW_YORK, spec)
    assert in_quiet_hours(at_gap_end, NEW_YORK, spec)
    assert quiet_hours_end(at_gap_end, NEW_YORK, spec) == datetime(
        2026, 3, 8, 6, 0, tzinfo=NEW_YORK
    )


def test_quiet_end_in_a_fall_back_overlap_is_the_first_occurrence() -> None:
    # New York falls back 2026-11-01 02:00 -> 01:00; 01:30 happens twice.
    spec = "22:00-01:30"
    first = datetime(2026, 11, 1, 1, 15, tzinfo=NEW_YORK)  # fold=0, EDT
    second = first.replace(fold=1)  # EST, an hour later
    assert second.astimezone(UTC) - first.astimezone(UTC) == timedelta(hours=1)
    assert in_quiet_hours(first, NEW_YORK, spec)
    assert not in_quiet_hours(second, NEW_YORK, spec)
    assert quiet_hours_end(first, NEW_YORK, spec).astimezone(UTC) == datetime(
        2026, 11, 1, 5, 30, tzinfo=UTC
    )


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/New_York", "Australia/Sydney"])
def test_brute_force_year_sweep_matches_wall_clock(zone: str) -> None:
    """Every 10 minutes for a year: quiet iff the local wall clock is in 21:00-08:00."""
    tz = ZoneInfo(zone)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    checked = 0
    for step in range(0, 365 * 24 * 6):
        now = start + timedelta(minutes=10 * step)
        wall = now.astimezone(tz).time()
        expected = wall >= time(21, 0) or wall < time(8, 0)
        assert in_quiet_hours(now, tz, QUIET) is expected, now
        if expected:
            end = quiet_hours_end(now, tz, QUIET)
            assert end > now
            assert end.astimezone(tz).time() == time(8, 0)
            assert end - now <= timedelta(hours=12)
        checked += 1
    assert checked == 52560


@settings(max_examples=300, deadline=None)
@given(
    now=st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2040, 1, 1), timezones=st.just(UTC)
    ),
    zone=st.sampled_from(["Europe/Berlin", "America/New_York", "Asia/Kolkata", "Pacific/Apia"]),
    spec=st.sampled_from(["21:00-08:00", "13:00-14:30", "23:30-00:30", "01:30-02:30"]),
)
def test_quiet_hours_end_leaves_quiet_hours(now: datetime, zone: str, spec: str) -> None:
    tz = ZoneInfo(zone)
    # Compare in UTC: PEP 495 makes == between zones False for ambiguous wall times.
    end = quiet_hours_end(now, tz, spec).astimezone(UTC)
    if in_quiet_hours(now, tz, spec):
        assert end > now
        assert end - now <= timedelta(hours=26)
        assert in_quiet_hours(end - timedelta(microseconds=1), tz, spec)
        assert not in_quiet_hours(end, tz, spec)
    else:
        assert end == now


def test_hold_until_only_in_quiet_hours() -> None:
    cfg = load()
    night = datetime(2026, 6, 10, 23, 0, tzinfo=BERLIN)
    assert hold_until(cfg.urgency.low, night, BERLIN) == datetime(2026, 6, 11, 8, 0, tzinfo=BERLIN)
    assert hold_until(cfg.urgency.high, night, BERLIN) is None
    assert hold_until(cfg.urgency.low, night.replace(hour=10), BERLIN) is None


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        in_quiet_hours(datetime(2026, 1, 1, 22, 0), BERLIN, QUIET)


# --------------------------------------------------------------------------- dedup


def test_dedup_key_is_stable_and_readable() -> None:
    key = default_dedup_key("aggregate-profit", "profit table is 3h stale")
    # A golden value: keys must not change between versions, or open alerts duplicate.
    assert key == "oncall/aggregate-profit/1538b843fd5777e6"
    assert default_dedup_key("aggregate-profit", "  profit table\nis 3h   stale ") == key
    assert default_dedup_key("aggregate-profit", "profit table is 4h stale") != key
    assert default_dedup_key("aggregate-revenue", "profit table is 3h stale") != key


@settings(max_examples=200)
@given(pipeline=st.text(min_size=1, max_size=600), summary=st.text(max_size=2000))
def test_dedup_key_fits_pagerduty(pipeline: str, summary: str) -> None:
    key = default_dedup_key(pipeline, summary)
    assert len(key) <= 255
    assert key.startswith("oncall/")
    assert key == default_dedup_key(pipeline, summary)


# --------------------------------------------------------------------------- messages


def test_page_content_is_validated() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        content(created=datetime(2026, 1, 1))
    with pytest.raises(ValueError, match="severity"):
        content(severity="urgent")
    with pytest.raises(ValueError, match="dedup_key"):
        content(dedup_key="x" * 256)
    with pytest.raises(ValueError, match="summary"):
        content(summary="  ")


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
