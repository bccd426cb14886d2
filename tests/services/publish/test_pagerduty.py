"""publish pagerduty against a local PagerDuty REST API (bodies checked against its OpenAPI)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from oncall.errors import PublishMappingError, PublishUnavailableError
from oncall.services.publish.run import run_pagerduty
from tests.services.publish.conftest import ENV, NOW, PD_TOKEN, SLACK_TOKEN, Setup

START = datetime(2026, 1, 5, 9, 0, tzinfo=NOW.tzinfo)


def publish(s: Setup, **kw: object) -> list:  # type: ignore[type-arg]
    args: dict[str, object] = {
        "now": NOW,
        "start": START,
        "weeks": 4,
        "environ": ENV,
        "retry": s.retry,
    }
    args.update(kw)
    return run_pagerduty(s.cfg, s.store, **args)  # type: ignore[arg-type]


def test_first_publish_creates_one_override_per_stretch(setup: Setup) -> None:
    [result] = publish(setup)
    assert result.rotation == "primary" and result.schedule == "PABC123"
    # de1 holds two weeks in a row (a holiday swap): one override for both
    assert len(result.created) == 3 and result.kept == 0 and not result.deleted
    assert [o.user for o in result.created] == ["PUSER1", "PUSER3", "PUSER4"]
    first = result.created[0]
    assert first.start == START.astimezone(UTC)
    assert first.end == (START + timedelta(days=14)).astimezone(UTC)
    assert "holiday swap with de2" in first.why
    posts = [r for r in setup.pd.requests if r[0] == "POST"]
    assert len(posts) == 1 and len(posts[0][2]["overrides"]) == 3  # several per request
    assert posts[0][2]["overrides"][0]["time_zone"] == "Asia/Kolkata"
    # the users were found by email, following the pages (2 per page)
    assert any(r[1] == "/users" and "offset=2" in r[3] for r in setup.pd.requests)


def test_republish_with_nothing_changed_writes_nothing(setup: Setup) -> None:
    publish(setup)
    before = len(setup.pd.writes)
    lookups = sum(1 for r in setup.pd.requests if r[1] == "/users")
    [again] = publish(setup, now=NOW + timedelta(days=1))
    assert len(setup.pd.writes) == before
    assert again.kept == 3 and not again.created and not again.deleted
    # the email matches were cached in the store
    assert sum(1 for r in setup.pd.requests if r[1] == "/users") == lookups


def test_window_starting_mid_shift_keeps_the_earlier_override(setup: Setup) -> None:
    publish(setup)
    before = len(setup.pd.writes)
    later = START + timedelta(days=3)
    [again] = publish(setup, start=later, weeks=2)
    # [Jan 8, Jan 22): de1's override began before the window, de3's runs past it
    assert again.kept == 2 and not again.created and not again.deleted
    assert len(setup.pd.writes) == before


def test_leave_added_rewrites_only_changed_shifts_and_notifies(setup: Setup) -> None:
    publish(setup)
    owners = setup.dir / "config" / "owners.yaml"
    text = owners.read_text()
    marker = "    name: Data Engineer 3\n"
    assert marker in text
    leave = "    leave: [{from: 2026-01-21, to: 2026-01-22, reason: wedding}]\n"
    owners.write_text(text.replace(marker, marker + leave, 1))
    [result] = publish(setup)
    # de3's week goes to de2 (a swap); the other two stretches stay as they are
    assert [o.person for o in result.created] == ["de2"]
    assert [o.person for o in result.deleted] == ["de3"] and result.kept == 2
    assert {n.person for n in result.notices} == {"de2", "de3"}
    assert all(n.status == "sent" and n.via == "slack" for n in result.notices)
    assert {channel for channel, _ in setup.slack.messages} == {"U01DE0002", "U01DE0003"}
    text = dict(setup.slack.messages)["U01DE0003"]
    assert "Before: 2026-01-19" in text and "After: none" in text and "wedding" in text
    # told once: a re-run sends nothing more
    [again] = publish(setup)
    assert not again.notices and len(setup.slack.messages) == 2


def test_hand_made_override_is_left_alone_as_a_conflict(setup: Setup) -> None:
    hand = setup.pd.add_override("2026-01-06T00:00:00Z", "2026-01-07T00:00:00Z", "PUSER4")
    [result] = publish(setup)
    assert [c.id for c in result.conflicts] == [hand]
    [again] = publish(setup)
    assert hand in setup.pd.overrides and [c.id for c in again.conflicts] == [hand]
    assert not any(r[0] == "DELETE" for r in setup.pd.requests)


def test_429_with_retry_after_is_retried(setup: Setup) -> None:
    setup.pd.fail_next = [(429, {"Retry-After": "7"})]
    [result] = publish(setup)
    assert len(result.created) == 3
    assert 7.0 in setup.sleeps


def test_rejected_item_is_reported(setup: Setup) -> None:
    setup.pd.reject_users = {"PUSER3"}
    [result] = publish(setup)
    assert [x.person for x in result.rejected] == ["de3"]
    assert result.rejected[0].status == 400 and "User cannot be added" in result.rejected[0].errors
    assert len(result.created) == 2


def test_dry_run_writes_nothing(setup: Setup) -> None:
    [result] = publish(setup, dry_run=True)
    assert result.dry_run and len(result.created) == 3
    assert not setup.pd.writes and setup.store.get_published("pagerduty", "primary") is None


def test_unmapped_person_is_named_before_any_write(setup: Setup) -> None:
    setup.pd.users = [u for u in setup.pd.users if u["id"] != "PUSER3"]
    with pytest.raises(PublishMappingError, match="de3") as err:
        publish(setup)
    assert err.value.exit_code == 2 and not setup.pd.writes


def test_contacts_pagerduty_user_skips_the_lookup(setup: Setup) -> None:
    owners = setup.dir / "config" / "owners.yaml"
    text = owners.read_text()
    for i in range(1, 5):
        text = text.replace(
            f"contacts: {{slack: U01DE000{i}}}",
            f"contacts: {{slack: U01DE000{i}, pagerduty_user: PMAP{i}}}",
        )
    owners.write_text(text)
    [result] = publish(setup)
    assert not any(r[1] == "/users" for r in setup.pd.requests)
    assert [o.user for o in result.created] == ["PMAP1", "PMAP3", "PMAP4"]


def test_bad_token_is_explained_without_the_token(setup: Setup) -> None:
    env = {**ENV, "ONCALL_PAGERDUTY_API_TOKEN": "wrong-token-abcdefgh"}
    with pytest.raises(PublishUnavailableError) as err:
        publish(setup, environ=env)
    assert err.value.exit_code == 3
    assert "401" in str(err.value) and "ONCALL_PAGERDUTY_API_TOKEN" in str(err.value)
    assert "wrong-token-abcdefgh" not in str(err.value)


def test_secrets_never_in_results(setup: Setup) -> None:
    setup.pd.reject_users = {"PUSER1"}
    results = publish(setup)
    text = json.dumps([r.model_dump(mode="json", by_alias=True) for r in results])
    assert PD_TOKEN not in text and SLACK_TOKEN not in text
    assert '"from"' in text and '"kept"' in text


def _email_only(setup: Setup, port: int, *people: str) -> None:
    """``people`` lose their Slack member id; paging.yaml's email channel is a local server."""
    cfg_dir = setup.dir / "config"
    owners = cfg_dir / "owners.yaml"
    text = owners.read_text()
    for pid in people:
        member = f"U01DE000{pid[-1]}"
        assert f"contacts: {{slack: {member}}}" in text
        text = text.replace(f"    contacts: {{slack: {member}}}\n", "", 1)
    owners.write_text(text)
    paging = cfg_dir / "paging.yaml"
    shipped = "host: smtp.example.com, port: 587, starttls: true, username_env: ONCALL_SMTP_USER, password_env: ONCALL_SMTP_PASSWORD,"
    assert shipped in paging.read_text()
    paging.write_text(
        paging.read_text().replace(shipped, f"host: 127.0.0.1, port: {port}, starttls: false,")
    )


def _add_leave(setup: Setup) -> None:
    owners = setup.dir / "config" / "owners.yaml"
    marker = "    name: Data Engineer 3\n"
    leave = "    leave: [{from: 2026-01-21, to: 2026-01-22, reason: wedding}]\n"
    owners.write_text(owners.read_text().replace(marker, marker + leave, 1))


def test_change_notices_go_by_email_without_a_slack_member_id(setup: Setup) -> None:
    from tests.support.mailbox import Mailbox, serving

    box = Mailbox("unused", "unused")
    with serving(box) as port:
        _email_only(setup, port, "de3")
        publish(setup)
        _add_leave(setup)
        [planned] = publish(setup, dry_run=True)
        # the dry run shows the notices it would send, and sends none
        assert {(n.person, n.via, n.status) for n in planned.notices} == {
            ("de2", "slack", "planned"),
            ("de3", "email", "planned"),
        }
        assert not box.messages and not setup.slack.messages
        [result] = publish(setup)
    assert {(n.person, n.via, n.status) for n in result.notices} == {
        ("de2", "slack", "sent"),
        ("de3", "email", "sent"),
    }
    assert [channel for channel, _ in setup.slack.messages] == ["U01DE0002"]
    [(sender, rcpts, message)] = box.messages
    assert sender == "oncall@example.com" and rcpts == ["de3@example.com"]
    body = message.get_payload(decode=True).decode()  # type: ignore[union-attr]
    assert "on-call shifts on primary changed" in str(message["Subject"])
    assert "before: 2026-01-19 09:00 → 2026-01-26 09:00 IST" in body
    assert "after: none" in body and "wedding" in body
    # told once
    [again] = publish(setup)
    assert not again.notices and len(box.messages) == 1
