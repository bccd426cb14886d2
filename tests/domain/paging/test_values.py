"""Paging values: channel URLs, secrets, targets, urgency, repeats, dedup keys, content."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oncall.domain.paging.content import default_dedup_key
from oncall.domain.paging.routing import resolve_target
from oncall.domain.paging.secret import Secret
from oncall.domain.paging.urgency import compute_repeats, urgency_for
from oncall.domain.paging.url import check_channel_url
from tests.support.paging import NEW_YORK, content, load


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
    assert urgency_for("experiments", cfg.urgency.by_purpose) == "low"
    assert urgency_for("investor-reporting", cfg.urgency.by_purpose) == "high"
    assert urgency_for("unmapped", cfg.urgency.by_purpose) == "high"
    assert urgency_for(None, cfg.urgency.by_purpose) == "high"


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
