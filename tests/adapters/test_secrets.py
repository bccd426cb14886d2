"""Secrets from the environment: read at the point of use, names only in messages."""

from __future__ import annotations

import pytest

from oncall.adapters.secrets import resolve_secret, unset_env
from oncall.errors import MissingSecretError, OncallError
from tests.support.paging import load


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
    assert unset_env(cfg.secret_envs(), env) == [
        "ONCALL_PAGERDUTY_ROUTING_KEY",
        "ONCALL_SMTP_PASSWORD",
        "ONCALL_WEBHOOK_URL",
    ]
    assert unset_env([*cfg.secret_envs(), "DE1_PD_KEY"], env)[0] == "DE1_PD_KEY"
    full = dict.fromkeys(unset_env(cfg.secret_envs(), {}), "v") | env
    assert unset_env(cfg.secret_envs(), full) == []
