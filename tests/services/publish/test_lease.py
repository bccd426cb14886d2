"""One publisher at a time per target (services/publish/lease.py), on a real SQLite store."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from oncall.adapters.store import Store, open_store
from oncall.errors import PublishBusyError
from oncall.services.publish.lease import LEASE_TARGET, LEASE_TTL, publish_lease
from tests.services.publish.conftest import RacingStore

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def stores(tmp_path: Path) -> Iterator[tuple[Store, Store]]:
    """Two connections to one store: two machines sharing the team's store."""
    path = tmp_path / "state.db"
    with open_store(path, team="t") as one, open_store(path, team="t") as two:
        yield one, two


def _hold(store: Store, target: str, holder: str, until: datetime) -> None:
    store.put_published(
        LEASE_TARGET,
        target,
        fingerprint=holder,
        payload={"holder": holder, "until": until.isoformat()},
        at=NOW - timedelta(minutes=1),
    )


def test_without_a_store_the_block_just_runs() -> None:
    ran = []
    with publish_lease(None, "pagerduty", now=NOW):
        ran.append(1)
    assert ran == [1]


def test_a_held_lease_stops_the_other_run_before_it_changes_anything(
    stores: tuple[Store, Store],
) -> None:
    one, two = stores
    _hold(one, "pagerduty", "cron-a:41:abc", NOW + timedelta(minutes=10))
    ran = []
    with pytest.raises(PublishBusyError) as caught, publish_lease(two, "pagerduty", now=NOW):
        ran.append(1)
    assert ran == []
    message = str(caught.value)
    assert "publish pagerduty: another run (cron-a:41:abc)" in message
    assert "since 2026-12-02 08:59 UTC, until 2026-12-02 09:10 UTC" in message
    assert caught.value.exit_code == 3
    record = one.get_published(LEASE_TARGET, "pagerduty")
    assert record is not None and record.fingerprint == "cron-a:41:abc"  # left as it was
    # Another target is not held: Slack can publish meanwhile.
    with publish_lease(two, "slack", now=NOW):
        ran.append(2)
    assert ran == [2]


def test_the_lease_is_given_back_also_when_the_run_fails(stores: tuple[Store, Store]) -> None:
    one, two = stores
    with pytest.raises(RuntimeError), publish_lease(one, "pagerduty", now=NOW, holder="a"):
        held = two.get_published(LEASE_TARGET, "pagerduty")
        assert held is not None and held.payload["holder"] == "a"
        assert held.payload["until"] == (NOW + LEASE_TTL).isoformat()
        raise RuntimeError("PagerDuty went away")
    with publish_lease(two, "pagerduty", now=NOW, holder="b"):  # at once, same instant
        pass
    record = one.get_published(LEASE_TARGET, "pagerduty")
    assert record is not None and record.payload == {"holder": "b", "until": NOW.isoformat()}


def test_a_lease_that_ran_out_is_taken_over(stores: tuple[Store, Store]) -> None:
    one, two = stores
    _hold(one, "pagerduty", "died:7:000", NOW - timedelta(seconds=1))  # its run was killed
    with publish_lease(two, "pagerduty", now=NOW, holder="b"):
        record = one.get_published(LEASE_TARGET, "pagerduty")
        assert record is not None and record.fingerprint == "b"


def test_of_two_runs_racing_for_the_lease_one_wins(stores: tuple[Store, Store]) -> None:
    one, two = stores
    inside: list[str] = []

    def other_takes_it() -> None:  # and is still publishing when we try
        _hold(two, "pagerduty", "other", NOW + timedelta(minutes=5))

    racing: Store = RacingStore(one, other_takes_it)  # type: ignore[assignment]
    with pytest.raises(PublishBusyError), publish_lease(racing, "pagerduty", now=NOW, holder="me"):
        inside.append("me")
    assert inside == []
    record = two.get_published(LEASE_TARGET, "pagerduty")
    assert record is not None and record.fingerprint == "other"


def test_a_run_that_finished_while_we_raced_leaves_the_lease_to_us(
    stores: tuple[Store, Store],
) -> None:
    one, two = stores
    order: list[str] = []

    def other_runs_whole() -> None:
        with publish_lease(two, "pagerduty", now=NOW, holder="other"):
            order.append("other")

    with publish_lease(RacingStore(one, other_runs_whole), "pagerduty", now=NOW, holder="me"):  # type: ignore[arg-type]
        order.append("me")
    assert order == ["other", "me"]
