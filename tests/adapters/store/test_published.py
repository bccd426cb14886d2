"""What publishers last published, per team, target and rotation, on every backend."""

from __future__ import annotations

from datetime import timedelta

from oncall.adapters.store import Store
from tests.adapters.store.conftest import Reopen
from tests.adapters.store.sample import BERLIN, NOW


def test_put_get_replace_list_and_delete(store: Store) -> None:
    assert store.get_published("gcal:team", "primary") is None
    first = store.put_published(
        "gcal:team", "primary", fingerprint="sha256:aa", payload={"ids": ["e1"]}, at=NOW
    )
    assert (first.fingerprint, first.payload, first.at) == ("sha256:aa", {"ids": ["e1"]}, NOW)
    assert store.get_published("gcal:team", "primary") == first

    later = NOW.astimezone(BERLIN) + timedelta(hours=1)
    second = store.put_published(
        "gcal:team", "primary", fingerprint="sha256:bb", payload={"ids": ["e2"]}, at=later
    )
    assert second.fingerprint == "sha256:bb" and second.at == later
    assert store.get_published("gcal:team", "primary") == second
    store.put_published("gcal:team", "backup", fingerprint="x", payload={}, at=NOW)
    store.put_published("slack:#de", "primary", fingerprint="y", payload={}, at=NOW)

    assert [(r.target, r.rotation) for r in store.list_published()] == [
        ("gcal:team", "backup"),
        ("gcal:team", "primary"),
        ("slack:#de", "primary"),
    ]
    assert [r.rotation for r in store.list_published("gcal:team")] == ["backup", "primary"]
    assert store.delete_published("gcal:team", "backup") is True
    assert store.delete_published("gcal:team", "backup") is False
    assert store.get_published("gcal:team", "backup") is None


def test_another_team_has_its_own_records(store: Store, reopen: Reopen) -> None:
    other = reopen(store, team="other-team")
    store.put_published("gcal:shared", "primary", fingerprint="mine", payload={}, at=NOW)
    assert other.get_published("gcal:shared", "primary") is None
    other.put_published("gcal:shared", "primary", fingerprint="theirs", payload={}, at=NOW)
    mine = store.get_published("gcal:shared", "primary")
    assert mine is not None and mine.fingerprint == "mine"
    assert other.delete_published("gcal:shared", "primary") is True
    assert store.get_published("gcal:shared", "primary") is not None


def test_put_if_is_a_compare_and_set(store: Store, reopen: Reopen) -> None:
    # nothing stored: only the first "nothing yet" put wins
    won = store.put_published_if(
        "slack", "primary", expected=None, fingerprint="de1@1", payload={"holder": "de1"}, at=NOW
    )
    assert won is not None and won.fingerprint == "de1@1"
    assert (
        store.put_published_if(
            "slack", "primary", expected=None, fingerprint="de2@2", payload={}, at=NOW
        )
        is None
    )
    # two machines read the same record and race to replace it: exactly one wins
    other = reopen(store)
    seen = other.get_published("slack", "primary")
    assert seen is not None
    results = [
        handle.put_published_if(
            "slack",
            "primary",
            expected=seen.fingerprint,
            fingerprint=f"de3@{i}",
            payload={"holder": "de3", "machine": i},
            at=NOW + timedelta(minutes=i),
        )
        for i, handle in enumerate((store, other))
    ]
    assert results[0] is not None and results[1] is None
    kept = store.get_published("slack", "primary")
    assert kept is not None and kept.fingerprint == "de3@0" and kept.payload["machine"] == 0
    # a stale expectation leaves the record alone, in another team too
    assert (
        store.put_published_if(
            "slack", "primary", expected="de1@1", fingerprint="x", payload={}, at=NOW
        )
        is None
    )
    stranger = reopen(store, team="other-team")
    assert (
        stranger.put_published_if(
            "slack", "primary", expected="de3@0", fingerprint="x", payload={}, at=NOW
        )
        is None
    )
    assert store.get_published("slack", "primary") == kept
