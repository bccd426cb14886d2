# ruff: noqa: F811  (the ``setup`` fixture is imported, then requested by name)
"""``oncall publish``, ``publish pagerduty`` and ``publish slack`` end to end, through the CLI,
against local PagerDuty REST and Slack Web API servers (PagerDuty bodies checked against its
OpenAPI document by the fixture)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.conftest import Run
from tests.services.publish.conftest import (  # noqa: F401  (the fixture)
    ENV,
    PD_TOKEN,
    SLACK_TOKEN,
    Setup,
    publish_yaml,
    setup,
)
from tests.support.mailbox import free_port

NOW = "2026-01-05T10:00"
FROM = "2026-01-05T09:00"  # the first handoff
PD_KEYS = {"schedule", "rotation", "window", "created", "deleted", "kept", "conflicts"}
DOCUMENTED_EXTRA = {"rejected", "notices", "dry_run"}


def _no_secrets(*texts: str) -> None:
    for text in texts:
        assert PD_TOKEN not in text and SLACK_TOKEN not in text


def _pd(oncall: Run, *args: str, env: dict[str, str] | None = None) -> Any:
    result = oncall(
        "publish", "pagerduty", "--now", NOW, "--from", FROM, "--weeks", "4", *args, env=env or ENV
    )
    _no_secrets(result.stdout, result.stderr)
    return result


def _add_leave(s: Setup) -> None:
    owners = s.dir / "config" / "owners.yaml"
    marker = "    name: Data Engineer 3\n"
    leave = "    leave: [{from: 2026-01-21, to: 2026-01-22, reason: wedding}]\n"
    owners.write_text(owners.read_text().replace(marker, marker + leave, 1))


def test_pagerduty_json_is_a_list_with_one_object_per_rotation(oncall: Run, setup: Setup) -> None:
    result = _pd(oncall, "--json")
    assert result.exit_code == 0, result.stderr
    [out] = json.loads(result.stdout)
    assert set(out) == PD_KEYS | DOCUMENTED_EXTRA
    assert (out["schedule"], out["rotation"]) == ("PABC123", "primary")
    assert out["window"] == {"from": "2026-01-05T09:00:00+05:30", "to": "2026-02-02T09:00:00+05:30"}
    assert [o["person"] for o in out["created"]] == ["de1", "de3", "de4"]
    assert set(out["created"][0]) == {"id", "start", "end", "user", "person", "why"}
    assert out["kept"] == 0 and out["deleted"] == [] and out["conflicts"] == []
    assert out["rejected"] == [] and out["notices"] == [] and out["dry_run"] is False
    assert len(setup.pd.overrides) == 3

    again = _pd(oncall, "--json", "--rotation", "primary")
    assert again.exit_code == 0, again.stderr
    [second] = json.loads(again.stdout)  # still a list, with --rotation too
    assert second["kept"] == 3 and second["created"] == [] and second["deleted"] == []
    assert len([r for r in setup.pd.requests if r[0] == "POST"]) == 1


def test_pagerduty_dry_run_shows_the_plan_and_the_notices_and_writes_nothing(
    oncall: Run, setup: Setup
) -> None:
    assert _pd(oncall).exit_code == 0
    hand = setup.pd.add_override("2026-01-06T00:00:00Z", "2026-01-07T00:00:00Z", "PUSER4")
    _add_leave(setup)
    writes = len(setup.pd.writes)
    result = _pd(oncall, "--dry-run")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "(dry run)" in out
    assert "dry run, nothing written: 1 to create, 1 to delete, 2 to keep, 1 conflicts" in out
    lines = out.splitlines()
    assert any(line.split()[:2] == ["create", "de2"] for line in lines)
    assert any(line.split()[:2] == ["delete", "de3"] for line in lines)
    assert any(line.split()[:2] == ["conflict", "de4"] and hand in line for line in lines)
    assert "notice to de2 via slack: would send" in out
    assert "notice to de3 via slack: would send" in out
    assert "wedding" in out
    assert len(setup.pd.writes) == writes and not setup.slack.messages

    as_json = json.loads(_pd(oncall, "--dry-run", "--json").stdout)[0]
    assert as_json["dry_run"] is True and [c["id"] for c in as_json["conflicts"]] == [hand]
    assert {(n["person"], n["status"]) for n in as_json["notices"]} == {
        ("de2", "planned"),
        ("de3", "planned"),
    }
    assert len(setup.pd.writes) == writes and not setup.slack.messages


def test_pagerduty_exit_2_for_an_unmapped_person_named(oncall: Run, setup: Setup) -> None:
    setup.pd.users = [u for u in setup.pd.users if u["id"] != "PUSER3"]
    result = _pd(oncall)
    assert result.exit_code == 2
    assert "de3" in result.stderr and "contacts.pagerduty_user" in result.stderr
    assert not setup.pd.writes and "Traceback" not in result.stderr


def test_pagerduty_exit_2_for_a_config_error_located(oncall: Run, setup: Setup) -> None:
    path = setup.dir / "config" / "publish.yaml"
    path.write_text(path.read_text().replace("{primary: PABC123}", "{primray: PABC123}"))
    result = _pd(oncall)
    assert result.exit_code == 2
    assert "publish.yaml:3:" in result.stderr and "primray" in result.stderr
    assert "primary" in result.stderr and not setup.pd.requests


def test_pagerduty_exit_2_without_the_token(oncall: Run, setup: Setup) -> None:
    result = _pd(oncall, env={"ONCALL_SLACK_BOT_TOKEN": SLACK_TOKEN})
    assert result.exit_code == 2 and "ONCALL_PAGERDUTY_API_TOKEN" in result.stderr
    assert "export it before publishing (see docs/publish.md)" in result.stderr  # not paging's
    assert not setup.pd.requests


def test_pagerduty_exit_3_while_another_run_publishes(oncall: Run, setup: Setup) -> None:
    from datetime import datetime, timedelta

    from oncall.services.publish.lease import LEASE_TARGET
    from oncall.services.store import open_team_store

    since = datetime.fromisoformat(NOW + "+05:30")
    with open_team_store(setup.cfg) as store:  # the store this command uses (ONCALL_STATE_DB)
        store.put_published(
            LEASE_TARGET,
            "pagerduty",
            fingerprint="cron-b:99:abc",
            payload={
                "holder": "cron-b:99:abc",
                "until": (since + timedelta(minutes=9)).isoformat(),
            },
            at=since,
        )
    result = _pd(oncall)
    assert result.exit_code == 3, result.stderr
    assert "publish pagerduty: another run (cron-b:99:abc) has been publishing since" in (
        result.stderr
    )
    assert setup.pd.writes == []  # nothing created or deleted
    assert _pd(oncall, "--dry-run").exit_code == 0  # a dry run writes nothing: no lease
    slack = oncall("publish", "slack", "--now", NOW, env=ENV)
    assert slack.exit_code == 0, slack.stderr  # another target is not held


def test_pagerduty_exit_3_when_an_item_is_rejected(oncall: Run, setup: Setup) -> None:
    setup.pd.reject_users = {"PUSER3"}
    result = _pd(oncall, "--json")
    assert result.exit_code == 3
    [out] = json.loads(result.stdout)  # the report is printed before the failure
    assert [x["person"] for x in out["rejected"]] == ["de3"] and len(out["created"]) == 2
    assert "rejected 1 override" in result.stderr and "User cannot be added" in result.stderr


def test_pagerduty_exit_3_when_unreachable(oncall: Run, setup: Setup) -> None:
    path = setup.dir / "config" / "publish.yaml"
    closed = f"http://127.0.0.1:{free_port()}"
    path.write_text(
        publish_yaml(closed).replace(
            "  schedules:", "  retry_budget: 0.2s\n  timeout: 0.1s\n  schedules:", 1
        )
    )
    result = oncall("publish", "pagerduty", "--now", NOW, env=ENV)
    assert result.exit_code == 3, result.stderr
    assert "PagerDuty: GET /users: connection failed" in result.stderr
    assert "gave up after" in result.stderr and "Traceback" not in result.stderr
    _no_secrets(result.stdout, result.stderr)


def test_pagerduty_429_waits_through_the_injected_sleeper(oncall: Run, setup: Setup) -> None:
    setup.pd.fail_next = [(429, {"Retry-After": "7"})]
    sleeps: list[float] = []
    result = oncall(
        "publish", "pagerduty", "--now", NOW, "--json", env=ENV, obj={"sleep": sleeps.append}
    )
    assert result.exit_code == 0, result.stderr
    assert sleeps == [7.0]  # Retry-After honoured, and no real sleep


def test_slack_json_and_exit_codes(oncall: Run, setup: Setup) -> None:
    result = oncall("publish", "slack", "--now", NOW, "--json", env=ENV)
    assert result.exit_code == 0, result.stderr
    [group] = json.loads(result.stdout)
    assert (group["rotation"], group["usergroup"], group["holder"]) == (
        "primary",
        "S0123ABCD",
        "de1",
    )
    assert group["updated"] is False and group["handoff"] is None
    later = oncall("publish", "slack", "--now", "2026-01-19T10:00", "--dry-run", env=ENV)
    assert later.exit_code == 0, later.stderr
    assert "would update; on call: de3" in later.stdout
    assert "handoff notice to post in C0123ABCD:" in later.stdout
    assert "hands over to Data Engineer 3 (de3)" in later.stdout
    assert setup.slack.groups["S0123ABCD"] == ["U01DE0001"] and not setup.slack.messages
    _no_secrets(result.stdout, later.stdout, later.stderr)

    no_token = oncall("publish", "slack", "--now", NOW, env={})
    assert no_token.exit_code == 2 and "ONCALL_SLACK_BOT_TOKEN" in no_token.stderr
    bad = oncall(
        "publish", "slack", "--now", NOW, env={**ENV, "ONCALL_SLACK_BOT_TOKEN": "xoxb-wrong-1234"}
    )
    assert bad.exit_code == 3 and "invalid_auth" in bad.stderr and "xoxb-wrong" not in bad.stderr


def test_publish_alone_runs_every_target(oncall: Run, setup: Setup, tmp_path: Path) -> None:
    dry = oncall("publish", "--now", NOW, "--dry-run", env=ENV)
    assert dry.exit_code == 0, dry.stderr
    assert "PagerDuty schedule PABC123 ← rotation primary (dry run)" in dry.stdout
    assert "Slack group S0123ABCD (primary) (dry run): unchanged; on call: de1" in dry.stdout
    assert not setup.pd.writes and not setup.slack.messages

    result = oncall("publish", "--now", NOW, "--json", env=ENV)
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert set(report) == {"pagerduty", "slack"}
    [pd] = report["pagerduty"]
    assert set(pd) == PD_KEYS | DOCUMENTED_EXTRA and pd["created"]
    # 8 weeks from now, to the end of the shift then (whole shifts: the 2 March handoff is
    # at 09:00, so the shift holding 10:00 runs until 9 March)
    assert pd["window"] == {"from": "2026-01-05T10:00:00+05:30", "to": "2026-03-09T09:00:00+05:30"}
    [group] = report["slack"]
    assert group["holder"] == "de1"
    _no_secrets(dry.stdout, dry.stderr, result.stdout, result.stderr)

    # without publish.yaml: a usage error that says what to write
    (setup.dir / "config" / "publish.yaml").unlink()
    missing = oncall("publish", "--now", NOW, env=ENV)
    assert missing.exit_code == 2 and "docs/publish.md" in missing.stderr


def test_a_window_moved_by_a_day_rewrites_no_override(oncall: Run, setup: Setup) -> None:
    # Whole shifts: the last override ends at a handoff, not at from + weeks, so the daily
    # cron's window that moved by a day matches every override it made yesterday.
    first = oncall("publish", "pagerduty", "--now", NOW, "--weeks", "4", env=ENV)
    assert first.exit_code == 0, first.stderr
    made = len(setup.pd.writes)
    assert made > 0
    for day in ("2026-01-06T10:00", "2026-01-08T10:00"):
        again = oncall("publish", "pagerduty", "--now", day, "--weeks", "4", "--json", env=ENV)
        assert again.exit_code == 0, again.stderr
        [pd] = json.loads(again.stdout)
        assert (pd["created"], pd["deleted"]) == ([], []), pd
        assert len(setup.pd.writes) == made


def test_pagerduty_times_shown_as_utc_are_utc(oncall: Run, setup: Setup) -> None:
    """PagerDuty answers overrides in the schedule's time zone (here as we sent them, +05:30):
    the report's deleted items and the table's times, labelled UTC, are converted to UTC."""
    assert _pd(oncall).exit_code == 0
    _add_leave(setup)
    result = _pd(oncall, "--json", "--dry-run")
    [out] = json.loads(result.stdout)
    assert out["deleted"] and all(
        o["start"].endswith("Z") and o["end"].endswith("Z") for o in out["deleted"]
    )
    table = _pd(oncall, "--dry-run").stdout
    # the window 2026-01-05 09:00 IST is 03:30 UTC; the deleted de3 shift begins 03:30 UTC too
    assert "2026-01-05 03:30 → 2026-02-02 03:30 UTC" in table
    assert "09:00" not in table.split("notice to")[0]


def test_dry_run_creates_no_store(oncall: Run, setup: Setup, tmp_path: Path) -> None:
    db = tmp_path / "fresh" / "state.db"
    db.parent.mkdir()
    env = {**ENV, "ONCALL_STATE_URL": f"sqlite:///{db}"}
    for args in (["pagerduty"], ["slack"], []):
        result = oncall("publish", *args, "--now", NOW, "--dry-run", env=env)
        assert result.exit_code == 0, result.stderr
        assert "dry run" in result.stdout
    assert not db.exists() and not setup.pd.writes and not setup.slack.messages
