"""``oncall doctor``'s publish probes against the local PagerDuty and Slack servers: an
authenticated read per target, the person mapping, nothing written, no token shown."""

from __future__ import annotations

import json

from oncall.services.doctor.publish import publish_probes
from oncall.services.doctor.runner import run_all
from tests.services.publish.conftest import ENV, NOW, PD_TOKEN, SLACK_TOKEN, Setup


def _checks(s: Setup, env: dict[str, str] = ENV) -> dict[str, tuple[str, str]]:
    probes, early, secrets = publish_probes(s.cfg, env, NOW)
    checks = [*early, *run_all(probes)]
    text = json.dumps([c.model_dump() for c in checks])
    assert PD_TOKEN not in text and SLACK_TOKEN not in text
    assert not any(value in text for value in env.values())
    if probes:  # the tokens are handed back to be scrubbed
        assert {x.reveal() for x in secrets} == set(env.values())
    return {c.name: (c.status, c.detail + " | " + (c.fix or "")) for c in checks}


def _nothing_written(s: Setup) -> None:
    assert not s.pd.writes
    assert {m for m in s.slack.methods()} <= {"auth.test", "usergroups.users.list"}
    assert s.store.list_published() == []


def test_tokens_and_mapping_ok_with_nothing_written(setup: Setup) -> None:
    checks = _checks(setup)
    status, detail = checks["publish pagerduty"]
    assert status == "ok", detail
    assert "primary → PABC123 (Data on-call)" in detail and "4 people mapped (4 by email)" in detail
    assert ("GET", "/schedules/PABC123") in {(r[0], r[1]) for r in setup.pd.requests}
    status, detail = checks["publish slack"]
    assert status == "ok", detail
    assert "bot UBOT" in detail and "S0123ABCD" in detail
    assert setup.slack.methods().count("auth.test") == 1
    _nothing_written(setup)


def test_refused_tokens_fail_without_showing_them(setup: Setup) -> None:
    env = {"ONCALL_PAGERDUTY_API_TOKEN": "wrong-pd-123456", "ONCALL_SLACK_BOT_TOKEN": "xoxb-no-1"}
    checks = _checks(setup, env)
    status, detail = checks["publish pagerduty"]
    assert status == "fail" and "401" in detail and "wrong-pd" not in detail
    status, detail = checks["publish slack"]
    assert status == "fail" and "invalid_auth" in detail and "xoxb-no" not in detail
    _nothing_written(setup)


def test_unset_tokens_fail_naming_the_variable(setup: Setup) -> None:
    checks = _checks(setup, {})
    assert checks["publish pagerduty"][0] == "fail"
    assert "ONCALL_PAGERDUTY_API_TOKEN is not set" in checks["publish pagerduty"][1]
    assert checks["publish slack"][0] == "fail"
    assert "ONCALL_SLACK_BOT_TOKEN is not set" in checks["publish slack"][1]
    assert not setup.pd.requests and not setup.slack.calls


def test_unknown_schedule_and_unmapped_people_fail(setup: Setup) -> None:
    setup.pd.schedules = {"POTHER1"}
    status, detail = _checks(setup)["publish pagerduty"]
    assert status == "fail" and "404" in detail and "PABC123" in detail
    setup.pd.schedules = {"PABC123"}
    setup.pd.users = [u for u in setup.pd.users if u["id"] != "PUSER2"]
    owners = setup.dir / "config" / "owners.yaml"
    owners.write_text(owners.read_text().replace("    contacts: {slack: U01DE0004}\n", "", 1))
    checks = _checks(setup)
    status, detail = checks["publish pagerduty"]
    assert status == "fail" and "de2" in detail and "contacts.pagerduty_user" in detail
    status, detail = checks["publish slack"]
    assert status == "fail" and "no Slack member id for de4" in detail
    _nothing_written(setup)


def test_missing_or_invalid_publish_yaml(setup: Setup) -> None:
    path = setup.dir / "config" / "publish.yaml"
    path.write_text(path.read_text().replace("{primary: PABC123}", "{nope: PABC123}"))
    checks = _checks(setup)
    assert checks["publish"][0] == "fail" and "publish.yaml:3:" in checks["publish"][1]
    path.unlink()
    assert _checks(setup) == {}  # publishing is optional: doctor says nothing of it
