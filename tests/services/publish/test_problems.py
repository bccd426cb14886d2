"""``oncall validate`` on publish.yaml: located errors, and whether every member of a
published rotation can be mapped (warning when only an email lookup can tell)."""

from __future__ import annotations

import json

from oncall.services.publish.problems import publish_problems
from tests.conftest import Run
from tests.services.publish.conftest import ENV, Setup


def _owners(s: Setup, old: str, new: str) -> None:
    path = s.dir / "config" / "owners.yaml"
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def _mine(s: Setup, env: dict[str, str] = ENV) -> list[tuple[str, int, str, str]]:
    return [
        (p.path.rsplit("/", 1)[-1], p.line, p.severity, p.message)
        for p in publish_problems(s.cfg, env)
    ]


def test_email_only_members_are_warned_at_their_email(setup: Setup) -> None:
    _owners(
        setup,
        "contacts: {slack: U01DE0001}",
        "contacts: {slack: U01DE0001, pagerduty_user: PUSER1}",
    )
    problems = _mine(setup)
    assert [(f, sev) for f, _, sev, _ in problems] == [("owners.yaml", "warning")] * 3
    assert [m.split(":")[0] for *_, m in problems] == ["people.de2", "people.de3", "people.de4"]
    assert "only a lookup of de2@example.com" in problems[0][3]
    text = (setup.dir / "config" / "owners.yaml").read_text().splitlines()
    assert "de2@example.com" in text[problems[0][1] - 1]  # located at the email key


def test_a_member_without_user_or_email_is_an_error_and_slack_needs_member_ids(
    setup: Setup,
) -> None:
    _owners(setup, "    email: de3@example.com\n", "")
    _owners(setup, "    contacts: {slack: U01DE0004}\n", "    contacts: {pagerduty_user: PUSER4}\n")
    problems = _mine(setup)
    errors = [m for _, _, sev, m in problems if sev == "error"]
    assert len(errors) == 2
    assert errors[0].startswith("people.de3: rotation primary is published to PagerDuty")
    assert "neither contacts.pagerduty_user nor email" in errors[0]
    assert errors[1].startswith("people.de4: rotation primary is published to a Slack user group")


def test_unset_tokens_are_warnings_and_a_bad_file_is_located(setup: Setup) -> None:
    problems = _mine(setup, {})
    tokens = [m for f, _, _, m in problems if f == "publish.yaml"]
    assert len(tokens) == 2 and all("is not set" in m for m in tokens)
    path = setup.dir / "config" / "publish.yaml"
    path.write_text(path.read_text().replace("{primary: PABC123}", "{primray: PABC123}"))
    [(name, line, sev, message)] = _mine(setup)
    assert (name, line, sev) == ("publish.yaml", 3, "error")
    assert "unknown rotation 'primray'" in message and "primary" in message
    path.write_text(path.read_text() + "extra: 1\n")
    assert any("extra" in m for *_, m in _mine(setup))
    path.unlink()
    assert _mine(setup) == []


def test_validate_reports_them(oncall: Run, setup: Setup) -> None:
    _owners(setup, "    email: de3@example.com\n", "")
    result = oncall("validate", "--json", "--now", "2026-01-05T10:00", env=ENV)
    findings = json.loads(result.stdout)["findings"]
    mapping = [f for f in findings if "published to PagerDuty" in f["message"]]
    assert {(f["severity"], f["message"].split(":")[0]) for f in mapping} == {
        ("error", "people.de3"),
        ("warning", "people.de1"),
        ("warning", "people.de2"),
        ("warning", "people.de4"),
    }
    assert all(f["file"].endswith("owners.yaml") and f["line"] > 0 for f in mapping)
    assert result.exit_code == 1
