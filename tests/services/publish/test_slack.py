"""publish slack against a local Slack Web API (the official slack-sdk with base_url)."""

from __future__ import annotations

from datetime import datetime, timedelta

from oncall.services.publish.run import run_slack
from tests.services.publish.conftest import ENV, NOW, SLACK_TOKEN, Setup


def publish(s: Setup, now: datetime = NOW, **kw: object) -> list:  # type: ignore[type-arg]
    return run_slack(s.cfg, s.store, now=now, environ=ENV, retry=s.retry, **kw)  # type: ignore[arg-type]


def test_group_unchanged_makes_no_update_call(setup: Setup) -> None:
    [group] = publish(setup)
    assert group.holder == "de1" and not group.updated
    assert "usergroups.users.update" not in setup.slack.methods()
    assert group.handoff is None  # first run: nobody to hand over from


def test_handoff_updates_the_group_and_posts_a_notice_once(setup: Setup) -> None:
    publish(setup)
    later = NOW + timedelta(days=14)  # de3's week (de1 held two through a swap)
    [group] = publish(setup, now=later)
    assert group.updated and setup.slack.groups["S0123ABCD"] == ["U01DE0003"]
    assert group.handoff is not None and group.handoff.posted
    [(channel, text)] = setup.slack.messages
    assert channel == "C0123ABCD"
    assert (
        "(de1) hands over to" in text and "(de3)" in text and "until 2026-01-26 09:00 IST" in text
    )
    assert "Open pages: none" in text
    # a second machine (or the next cron run) finds nothing to do
    [again] = publish(setup, now=later + timedelta(minutes=15))
    assert not again.updated and again.handoff is None and len(setup.slack.messages) == 1


def test_dry_run_changes_nothing(setup: Setup) -> None:
    setup.slack.groups["S0123ABCD"] = ["U01DE0004"]
    [group] = publish(setup, dry_run=True)
    assert group.updated and group.dry_run
    assert setup.slack.groups["S0123ABCD"] == ["U01DE0004"]
    assert "usergroups.users.update" not in setup.slack.methods()


def test_rate_limit_is_retried_after_retry_after(setup: Setup) -> None:
    setup.slack.fail_next = [(429, {"Retry-After": "3"})]
    [group] = publish(setup)
    assert group.holder == "de1" and 3.0 in setup.sleeps
    assert SLACK_TOKEN not in repr(group.model_dump())
