"""publish slack against a local Slack Web API (the official slack-sdk with base_url)."""

from __future__ import annotations

from datetime import datetime, timedelta

from oncall.services.publish.run import run_slack
from tests.services.publish.conftest import ENV, NOW, SLACK_TOKEN, RacingStore, Setup


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


def test_handoff_names_days_off_with_their_backup_and_the_open_pages(setup: Setup) -> None:
    from tests.adapters.store.sample import make_page

    cfg_dir = setup.dir / "config"
    rotation = cfg_dir / "rotation.yaml"
    rotation.write_text(rotation.read_text().replace("enabled: true", "enabled: false", 1))
    owners = cfg_dir / "owners.yaml"
    marker = "    name: Data Engineer 3\n"
    leave = "    leave: [{from: 2026-01-21, to: 2026-01-21, reason: wedding}]\n"
    owners.write_text(owners.read_text().replace(marker, marker + leave, 1))
    page = make_page("aggregate-growth:freshness", pipeline="aggregate-growth")
    closed = make_page("daily-growth:freshness", pipeline="daily-growth")
    elsewhere = make_page("orders:freshness")  # not a pipeline of this rotation
    for record in (page, closed, elsewhere):
        setup.store.create_page_if_absent(record)
    setup.store.resolve(closed.page_id, NOW)

    publish(setup, now=NOW + timedelta(days=7))  # de2's week: recorded, nobody to hand over
    [group] = publish(setup, now=NOW + timedelta(days=14))  # de3's week, without swaps
    assert group.holder == "de3" and group.handoff is not None
    [(_, text)] = setup.slack.messages
    assert text == group.handoff.text
    assert "(de2) hands over to Data Engineer 3 (de3)" in text
    day_off = next(line for line in text.splitlines() if line.startswith("Day off"))
    assert day_off.startswith("Day off 2026-01-21 (") and "wedding" in day_off
    backups = day_off.split("backup ", 1)[1].split(", ")
    assert backups == ["de1", "de2", "de4"]  # each pipeline's responder that day
    pages = next(line for line in text.splitlines() if line.startswith("Open pages: "))
    assert page.page_id in pages and "aggregate-growth" in pages
    assert closed.page_id not in pages and elsewhere.page_id not in pages


def test_two_machines_at_once_post_the_handoff_once(setup: Setup) -> None:
    from oncall.adapters.store import open_store

    publish(setup)
    later = NOW + timedelta(days=14)
    other = open_store(setup.store.path, team=setup.store.team)  # type: ignore[attr-defined]
    try:
        other_result: list[object] = []
        racing = RacingStore(
            setup.store,
            lambda: other_result.extend(
                run_slack(setup.cfg, other, now=later, environ=ENV, retry=setup.retry)
            ),
        )
        [mine] = run_slack(setup.cfg, racing, now=later, environ=ENV, retry=setup.retry)  # type: ignore[arg-type]
    finally:
        other.close()
    [theirs] = other_result
    assert theirs.handoff is not None and theirs.handoff.posted  # type: ignore[attr-defined]
    assert mine.handoff is None  # lost the compare-and-set: posts nothing
    assert [m for m in setup.slack.methods() if m == "chat.postMessage"] == ["chat.postMessage"]
    record = setup.store.get_published("slack", "primary")
    assert record is not None and record.payload["holder"] == "de3"


def test_handoff_until_is_the_end_of_the_holders_run_of_shifts(setup: Setup) -> None:
    """de2 holds two weeks in a row (a holiday swap): on call until the second one ends."""
    publish(setup, now=NOW + timedelta(days=21))  # de4's week
    [group] = publish(setup, now=NOW + timedelta(days=28))  # de2: 02-02 to 02-16
    assert group.holder == "de2" and group.handoff is not None
    first = group.handoff.text.splitlines()[:2]
    assert first[0].endswith("on call until 2026-02-16 09:00 IST.")
    assert first[1] == "Shift: 2026-02-02 09:00 → 2026-02-16 09:00 IST"
