"""``oncall page``, ``ack``, ``resolve``: real local providers (pytest-httpserver, aiosmtpd).

The harness here (providers, mailbox, a paging.yaml pointing at them) is shared with
tests/cli/test_escalate.py, tests/integration/test_check_page.py and
tests/integration/test_paging_reliability.py.
"""

from __future__ import annotations

import gc
import json
import os
import re
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from tests.conftest import Run
from tests.support.mailbox import Mailbox, free_port, serving
from tests.support.pagerduty import pagerduty_validator

PD_KEY = "pdKEY7c1f0e9a4b2d8e6f5a3cSECRET"
SLACK_TOKEN = "slackTOKEN91ab2c3d4e5f6071SECRET"
HOOK_TOKEN = "hookTOKEN0a9b8c7d6e5f4a3bSECRET"
SMTP_USER = "smtpUSER5d4c3b2a19087f6eSECRET"
SMTP_PASSWORD = "smtpPASSa1b2c3d4e5f60789SECRET"
SECRETS = (PD_KEY, SLACK_TOKEN, HOOK_TOKEN, SMTP_USER, SMTP_PASSWORD)

T = "2026-11-18T11:00"  # a Wednesday morning in Asia/Kolkata (the team timezone)
NIGHT = "2026-11-18T23:00"  # inside the low urgency's quiet hours (21:00-08:00)


Fault = Callable[[str, dict[str, Any]], Response | None]


# --------------------------------------------------------------------------- providers


@dataclass
class Hit:
    kind: str  # pagerduty, slack or hook
    body: dict[str, Any]
    accepted: bool


class Providers:
    """One local HTTP server standing in for PagerDuty, Slack and a webhook receiver.

    Every request is recorded with whether it was accepted (2xx). ``fault`` may answer a
    request with an error instead (it may also sleep, to be slower than the timeout).
    """

    def __init__(self, server: HTTPServer) -> None:
        self.server = server
        self.lock = threading.Lock()
        self.hits: list[Hit] = []
        self.fault: Fault | None = None
        server.expect_request(re.compile("^/")).respond_with_handler(self._handle)

    @property
    def pd_url(self) -> str:
        return self.server.url_for("/v2/enqueue")

    @property
    def slack_url(self) -> str:
        return self.server.url_for(f"/slack/T000/B000/{SLACK_TOKEN}")

    @property
    def hook_url(self) -> str:
        return self.server.url_for(f"/hook/{HOOK_TOKEN}")

    def _handle(self, request: Request) -> Response:
        path = request.path
        kind = "pagerduty" if path.startswith("/v2/") else "slack" if "/slack/" in path else "hook"
        body = json.loads(request.get_data() or b"{}")
        fault = self.fault(kind, body) if self.fault is not None else None
        with self.lock:
            self.hits.append(Hit(kind, body, fault is None))
        if fault is not None:
            return fault
        if kind == "pagerduty":
            answer = {"status": "success", "message": "Event processed", "dedup_key": "k"}
            return Response(json.dumps(answer), 202, content_type="application/json")
        return Response("ok", 200)

    def accepted(self, kind: str | None = None) -> list[dict[str, Any]]:
        with self.lock:
            return [h.body for h in self.hits if h.accepted and kind in (None, h.kind)]

    def pd_events(self, action: str | None = None) -> list[dict[str, Any]]:
        return [e for e in self.accepted("pagerduty") if action in (None, e["event_action"])]

    def requests(self) -> int:
        with self.lock:
            return len(self.hits)


def paging_yaml(
    providers: Providers,
    smtp_port: int,
    *,
    high: str = "[pagerduty, slack]",
    low: str = "[slack, email]",
    budget: str = "1s",
    timeout: str = "0.5s",
    email_budget: str | None = None,
    channels: tuple[str, ...] = ("pagerduty", "slack", "email", "hook"),
) -> str:
    limits = f"retry_budget: {budget}, timeout: {timeout}"
    email_limits = f"retry_budget: {email_budget or budget}, timeout: {timeout}"
    lines = {
        "pagerduty": f"  pagerduty: {{kind: pagerduty, routing_key_env: ONCALL_PAGERDUTY_ROUTING_KEY, "
        f"url: {providers.pd_url}, {limits}}}",
        "slack": f"  slack: {{kind: slack, webhook_url_env: ONCALL_SLACK_WEBHOOK, {limits}}}",
        "email": f"  email: {{kind: email, host: 127.0.0.1, port: {smtp_port}, starttls: false, "
        "username_env: ONCALL_SMTP_USER, password_env: ONCALL_SMTP_PASSWORD, "
        f"from: oncall@example.com, {email_limits}}}",
        "hook": f"  hook: {{kind: webhook, url_env: ONCALL_WEBHOOK_URL, {limits}}}",
    }
    return (
        "channels:\n"
        + "\n".join(lines[c] for c in channels)
        + f"\nurgency:\n  high: {{channels: {high}, ack_timeout: 15m, repeat: 1}}\n"
        f'  low: {{channels: {low}, quiet_hours: "21:00-08:00"}}\n'
        "  by_purpose: {investor-reporting: high, experiments: low}\n"
    )


@dataclass
class Setup:
    config_dir: Path
    providers: Providers
    mailbox: Mailbox
    smtp_port: int
    db: Path
    extra: dict[str, Any] = field(default_factory=dict)

    def write(self, **options: Any) -> None:
        port = options.pop("smtp_port", self.smtp_port)
        text = paging_yaml(self.providers, port, **options)
        (self.config_dir / "paging.yaml").write_text(text)

    def rows(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of every table of the store."""
        with sqlite3.connect(self.db) as conn:
            names = [
                r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            ]
            return {n: list(conn.execute(f'SELECT * FROM "{n}"')) for n in names}


def set_secrets(monkeypatch: pytest.MonkeyPatch, providers: Providers) -> None:
    monkeypatch.setenv("ONCALL_PAGERDUTY_ROUTING_KEY", PD_KEY)
    monkeypatch.setenv("ONCALL_SLACK_WEBHOOK", providers.slack_url)
    monkeypatch.setenv("ONCALL_WEBHOOK_URL", providers.hook_url)
    monkeypatch.setenv("ONCALL_SMTP_USER", SMTP_USER)
    monkeypatch.setenv("ONCALL_SMTP_PASSWORD", SMTP_PASSWORD)
    monkeypatch.setenv("ONCALL_BACKOFF_BASE", "0.01")


@pytest.fixture
def providers() -> Iterator[Providers]:
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    try:
        yield Providers(server)
    finally:
        server.clear()
        server.stop()


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    box = Mailbox(SMTP_USER, SMTP_PASSWORD)
    with serving(box) as port:
        yield box, port


@pytest.fixture
def setup(
    config_dir: Path,
    providers: Providers,
    mailbox: tuple[Mailbox, int],
    monkeypatch: pytest.MonkeyPatch,
) -> Setup:
    import os

    box, port = mailbox
    set_secrets(monkeypatch, providers)
    s = Setup(config_dir, providers, box, port, Path(os.environ["ONCALL_STATE_DB"]))
    s.write()
    return s


def run_json(oncall: Run, *args: str, code: int = 0) -> Any:
    result = oncall(*args, "--json")
    assert result.exit_code == code, (result.stdout, result.stderr)
    return json.loads(result.stdout)


def who(oncall: Run, pipeline: str, at: str = T) -> tuple[str, list[str]]:
    data = run_json(oncall, "who", pipeline, "--at", at)
    return data["pipeline"]["responder"], data["pipeline"]["escalation"]


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def assert_no_secrets(*texts: object) -> None:
    for text in texts:
        for secret in SECRETS:
            assert secret not in str(text), f"a secret leaked into {str(text)[:200]!r}"


# --------------------------------------------------------------------------- page


def test_page_sends_the_urgency_channels_and_records_the_page(oncall: Run, setup: Setup) -> None:
    responder, chain = who(oncall, "aggregate-profit")
    data = run_json(
        oncall, "page", "aggregate-profit", "--summary", "profit table is 3h stale",
        "--severity", "critical", "--detail", "lag=3h 5m", "--now", T,
    )  # fmt: skip
    assert {"page_id", "dedup_key", "pipeline", "responder", "escalation", "deliveries"} <= set(
        data
    )
    assert data["pipeline"] == "aggregate-profit"
    assert (data["responder"], data["escalation"]) == (responder, chain)
    assert data["outcome"] == "delivered"
    assert data["dedup_key"].startswith("oncall/aggregate-profit/")
    assert [(d["channel"], d["to"], d["status"], d["attempts"]) for d in data["deliveries"]] == [
        ("pagerduty", responder, "sent", 1),
        ("slack", responder, "sent", 1),
    ]
    (event,) = setup.providers.pd_events()
    pagerduty_validator().validate(event)
    assert event["routing_key"] == PD_KEY
    assert event["dedup_key"] == data["dedup_key"]
    assert event["payload"]["severity"] == "critical"
    assert event["payload"]["custom_details"]["details"] == {"lag": "3h 5m"}
    assert event["payload"]["custom_details"]["runbook"] == "oncall runbook profit"
    (message,) = setup.providers.accepted("slack")
    assert message["text"].startswith("<@U01DE0001> [CRITICAL] aggregate-profit:")
    assert setup.mailbox.messages == [] and setup.providers.accepted("hook") == []
    (page,) = run_json(oncall, "page", "list")
    assert (page["page_id"], page["status"], page["level"]) == (data["page_id"], "open", 0)
    assert [d["status"] for d in page["deliveries"]] == ["sent", "sent"]
    assert instant(page["next_escalation_at"]) == instant("2026-11-18T11:15:00+05:30")


def test_human_output_names_the_page_and_channels(oncall: Run, setup: Setup) -> None:
    result = oncall("page", "aggregate-profit", "--summary", "stale", "--now", T)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("paged aggregate-profit: page p-")
    assert "pagerduty" in result.stdout and "slack" in result.stdout
    assert "escalation  de1 -> de2 -> de4 -> m1" in result.stdout


def test_same_dedup_key_while_open_is_suppressed(oncall: Run, setup: Setup) -> None:
    first = run_json(oncall, "page", "aggregate-profit", "--summary", "stale", "--now", T)
    again = run_json(oncall, "page", "aggregate-profit", "--summary", " stale ", "--now", T)
    assert again["outcome"] == "suppressed"
    assert again["page_id"] == first["page_id"]
    assert {d["status"] for d in again["deliveries"]} == {"suppressed"}
    assert len(setup.providers.pd_events()) == 1
    assert len(setup.providers.accepted("slack")) == 1
    custom = run_json(
        oncall, "page", "de2", "--summary", "other", "--dedup-key", first["dedup_key"], "--now", T
    )
    assert custom["outcome"] == "suppressed"
    assert len(run_json(oncall, "page", "list")) == 1


def test_a_failing_channel_falls_through_to_the_next_configured_one(
    oncall: Run, setup: Setup
) -> None:
    def fault(kind: str, body: dict[str, Any]) -> Response | None:
        if kind == "pagerduty":
            return Response('{"status":"invalid event","message":"bad"}', 400)
        if kind == "slack":
            return Response("down", 500)
        return None

    setup.providers.fault = fault
    data = run_json(oncall, "page", "aggregate-profit", "--summary", "stale", "--now", T)
    assert data["outcome"] == "delivered"
    statuses = [(d["channel"], d["status"]) for d in data["deliveries"]]
    assert statuses == [("pagerduty", "failed"), ("slack", "failed"), ("email", "sent")]
    assert setup.mailbox.recipients() == ["de1@example.com"]
    assert setup.providers.accepted("hook") == []  # email delivered: no further fall-through
    assert "HTTP 400" in data["deliveries"][0]["detail"]


def test_low_urgency_never_falls_through_to_pagerduty(oncall: Run, setup: Setup) -> None:
    setup.providers.fault = lambda kind, body: None if kind == "pagerduty" else Response("", 503)
    setup.write(smtp_port=free_port(), email_budget="0.2s")
    result = oncall("page", "unit-level-profit", "--summary", "late", "--now", T, "--json")
    assert result.exit_code == 3
    data = json.loads(result.stdout)
    assert [d["channel"] for d in data["deliveries"]] == ["slack", "email", "hook"]
    assert setup.providers.pd_events() == []


def test_nothing_delivered_exits_3_keeps_the_page_and_flush_sends_it_once(
    oncall: Run, setup: Setup
) -> None:
    setup.providers.fault = lambda kind, body: Response("busy", 503)
    setup.write(smtp_port=free_port(), email_budget="0.2s")
    result = oncall("page", "aggregate-profit", "--summary", "stale", "--now", T, "--json")
    assert result.exit_code == 3
    data = json.loads(result.stdout)
    assert data["outcome"] == "undelivered"
    assert {d["status"] for d in data["deliveries"]} == {"failed"}
    assert "kept in the outbox" in result.stderr and "oncall page flush" in result.stderr
    shown = run_json(oncall, "page", "show", data["page_id"])
    (item,) = shown["outbox"]
    assert item["level"] == 0 and item["channels"] == ["pagerduty", "slack"]

    setup.providers.fault = None
    setup.write()
    flushed = run_json(oncall, "page", "flush", "--now", T)
    (done,) = flushed["items"]
    assert (done["page_id"], done["outcome"], flushed["remaining"]) == (data["page_id"], "sent", 0)
    assert len(setup.providers.pd_events("trigger")) == 1
    assert len(setup.providers.accepted("slack")) == 1
    again = run_json(oncall, "page", "flush", "--now", "2026-11-18T13:00")
    assert again["items"] == [] and len(setup.providers.pd_events()) == 1
    assert run_json(oncall, "page", "show", data["page_id"])["outbox"] == []


def test_flush_that_still_fails_backs_off_and_exits_3(oncall: Run, setup: Setup) -> None:
    setup.providers.fault = lambda kind, body: Response("busy", 503)
    setup.write(smtp_port=free_port(), email_budget="0.2s")
    page = oncall("page", "aggregate-profit", "--summary", "stale", "--now", T, "--json")
    assert page.exit_code == 3
    result = oncall("page", "flush", "--now", T, "--json")
    assert result.exit_code == 3
    report = json.loads(result.stdout)
    (item,) = report["items"]
    assert item["outcome"] == "failed"
    assert instant(item["next_attempt"]) > instant("2026-11-18T11:00:30+05:30")
    assert "could not be sent" in result.stderr
    assert run_json(oncall, "page", "flush", "--now", T)["items"] == []  # backing off


@pytest.mark.parametrize("enabled", [True, False], ids=["collector-on", "collector-off"])
def test_flush_leaves_the_cycle_collector_as_it_found_it(
    oncall: Run, setup: Setup, enabled: bool
) -> None:
    """``page flush`` pauses the cycle collector while it works, also when it exits 3."""
    setup.providers.fault = lambda kind, body: Response("busy", 503)
    setup.write(smtp_port=free_port(), email_budget="0.2s")
    assert oncall("page", "aggregate-profit", "--summary", "stale", "--now", T).exit_code == 3
    was = gc.isenabled()
    (gc.enable if enabled else gc.disable)()
    try:
        assert oncall("page", "flush", "--now", T, "--json").exit_code == 3  # still failing
        assert (gc.isenabled(), gc.get_freeze_count()) == (enabled, 0)
    finally:
        (gc.enable if was else gc.disable)()


def test_low_urgency_in_quiet_hours_is_queued_and_flushed_after(oncall: Run, setup: Setup) -> None:
    data = run_json(oncall, "page", "unit-level-profit", "--summary", "late", "--now", NIGHT)
    assert data["outcome"] == "queued"
    assert data["urgency"] == "low"
    assert instant(data["hold_until"]) == instant("2026-11-19T08:00:00+05:30")
    assert {(d["channel"], d["status"]) for d in data["deliveries"]} == {
        ("slack", "queued"),
        ("email", "queued"),
    }
    assert setup.providers.requests() == 0
    assert run_json(oncall, "page", "flush", "--now", "2026-11-19T07:59")["items"] == []
    assert setup.providers.requests() == 0
    report = run_json(oncall, "page", "flush", "--now", "2026-11-19T08:00")
    assert [i["outcome"] for i in report["items"]] == ["sent"]
    assert len(setup.providers.accepted("slack")) == 1
    assert setup.mailbox.recipients() == [f"{data['responder']}@example.com"]


def test_high_urgency_ignores_low_quiet_hours(oncall: Run, setup: Setup) -> None:
    data = run_json(oncall, "page", "aggregate-profit", "--summary", "stale", "--now", NIGHT)
    assert data["outcome"] == "delivered"


def test_paging_a_person_uses_them_then_the_manager(oncall: Run, setup: Setup) -> None:
    data = run_json(oncall, "page", "de3", "--summary", "look at growth", "--now", T)
    assert (data["pipeline"], data["responder"], data["escalation"]) == (None, "de3", ["de3", "m1"])
    (message,) = setup.providers.accepted("slack")
    assert message["text"].startswith("<@U01DE0003>")
    (event,) = setup.providers.pd_events()
    assert "component" not in event["payload"]


def test_dry_run_sends_and_records_nothing_and_masks_secrets(oncall: Run, setup: Setup) -> None:
    result = oncall("page", "aggregate-profit", "--summary", "stale", "--dry-run", "--now", T)
    assert result.exit_code == 0, result.stderr
    assert f"****{PD_KEY[-4:]}" in result.stdout
    assert f"****{SLACK_TOKEN[-4:]}" in result.stdout
    assert "fall-through" in result.stdout
    assert_no_secrets(result.stdout, result.stderr)
    assert setup.providers.requests() == 0 and setup.mailbox.messages == []
    assert run_json(oncall, "page", "list") == []


def test_dry_run_marks_a_channel_without_its_secret_and_exits_0_if_another_delivers(
    oncall: Run, setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ONCALL_SLACK_WEBHOOK")
    result = oncall("page", "aggregate-profit", "--summary", "x", "--dry-run", "--now", T)
    assert result.exit_code == 0, result.stderr
    assert "would fail: ONCALL_SLACK_WEBHOOK is not set" in " ".join(result.stdout.split())
    (warning,) = result.stderr.splitlines()
    assert warning.startswith("warning: slack would fail (ONCALL_SLACK_WEBHOOK not set)")
    assert "delivered through pagerduty" in warning
    assert "ONCALL_SMTP_USER" not in result.stderr  # email is set up and would deliver
    assert setup.providers.requests() == 0
    # A set but unusable URL (plain http off loopback) would fail too, and says why.
    monkeypatch.setenv("ONCALL_SLACK_WEBHOOK", f"http://hooks.example.com/x/{SLACK_TOKEN}")
    insecure = oncall("page", "aggregate-profit", "--summary", "x", "--dry-run", "--now", T)
    assert insecure.exit_code == 0, insecure.stderr
    assert "would fail: ONCALL_SLACK_WEBHOOK: " in " ".join(insecure.stdout.split())
    assert insecure.stderr.startswith("warning: slack would fail;")
    assert_no_secrets(insecure.stdout, insecure.stderr)


def test_dry_run_without_any_secret_shows_the_plan_and_exits_2(
    oncall: Run, setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    for var in (
        "ONCALL_PAGERDUTY_ROUTING_KEY",
        "ONCALL_SLACK_WEBHOOK",
        "ONCALL_SMTP_USER",
        "ONCALL_SMTP_PASSWORD",
        "ONCALL_WEBHOOK_URL",
    ):
        monkeypatch.delenv(var)
    result = oncall("page", "aggregate-profit", "--summary", "x", "--dry-run", "--now", T)
    assert result.exit_code == 2
    flat = " ".join(result.stdout.split())
    assert "would fail: ONCALL_PAGERDUTY_ROUTING_KEY is not set" in flat
    assert "would fail: ONCALL_SMTP_USER, ONCALL_SMTP_PASSWORD are not set" in flat
    (error,) = result.stderr.splitlines()
    assert "no channel could deliver this page" in error
    # The urgency's own channels' variables come first: they are the ones to export.
    assert "ONCALL_PAGERDUTY_ROUTING_KEY, ONCALL_SLACK_WEBHOOK, ONCALL_SMTP_USER" in error
    assert "export ONCALL_PAGERDUTY_ROUTING_KEY=" in error
    data = json.loads(
        oncall("page", "aggregate-profit", "--summary", "x", "--dry-run", "--json").stdout
    )
    assert data["outcome"] == "dry-run" and {d["status"] for d in data["deliveries"]} == {"dry-run"}
    assert "would_fail" not in data["deliveries"][0]  # the JSON contract is unchanged


def test_dry_run_counts_a_fall_through_channel_that_could_deliver(
    oncall: Run, setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ONCALL_PAGERDUTY_ROUTING_KEY")
    monkeypatch.delenv("ONCALL_SLACK_WEBHOOK")
    result = oncall("page", "aggregate-profit", "--summary", "x", "--dry-run", "--now", T)
    assert result.exit_code == 0, result.stderr
    assert "pagerduty, slack would fail" in result.stderr
    assert "delivered through email" in result.stderr


def test_the_readme_tour_dry_run_works_on_a_fresh_machine(
    oncall: Run, config_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shlex

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text().splitlines()
    (export,) = [line for line in readme if line.startswith("export ONCALL_")]
    (tour,) = [line for line in readme if line.startswith("oncall page ") and "--dry-run" in line]
    name, _, value = shlex.split(export, comments=True)[1].partition("=")
    monkeypatch.setenv(name, value)
    result = oncall(*shlex.split(tour, comments=True)[1:], "--now", T)  # the shipped config
    assert result.exit_code == 0, result.stderr
    assert "would fail: ONCALL_PAGERDUTY_ROUTING_KEY is not set" in " ".join(result.stdout.split())
    monkeypatch.delenv(name)  # without the export: exit 2, saying what to export
    bare = oncall(*shlex.split(tour, comments=True)[1:], "--now", T)
    assert bare.exit_code == 2 and "export ONCALL_PAGERDUTY_ROUTING_KEY=" in bare.stderr


def test_missing_secret_is_an_error_naming_it_but_other_channels_deliver(
    oncall: Run, setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ONCALL_PAGERDUTY_ROUTING_KEY")
    result = oncall("page", "aggregate-profit", "--summary", "x", "--now", T)
    assert result.exit_code == 0
    assert "error: pagerduty to de1: environment variable ONCALL_PAGERDUTY_ROUTING_KEY" in (
        result.stderr
    )
    assert len(setup.providers.accepted("slack")) == 1


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """The real command in a fresh process: no pytest log handlers hide stray log lines."""
    return subprocess.run(
        [sys.executable, "-m", "oncall", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_each_failed_delivery_is_printed_once_then_one_summary(
    setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = dict(os.environ)
    # pagerduty fails at once (400), slack delivers.
    setup.providers.fault = lambda kind, body: (
        Response('{"status":"invalid event","message":"bad"}', 400) if kind == "pagerduty" else None
    )
    partly = _cli(env, "page", "aggregate-profit", "--summary", "stale", "--now", T)
    assert partly.returncode == 0, partly.stderr
    lines = partly.stderr.splitlines()
    assert len(lines) == 2, lines
    assert lines[0].startswith("warning: pagerduty to de1: HTTP 400")
    assert lines[1].startswith("warning: page p-") and "delivered through slack" in lines[1]

    # Nothing delivers: one line per channel tried, then the summary (exit 3).
    setup.providers.fault = lambda kind, body: Response("busy", 503)
    setup.write(smtp_port=free_port(), budget="0.3s", timeout="0.2s")
    failed = _cli(env, "page", "aggregate-profit", "--summary", "other", "--now", T)
    assert failed.returncode == 3
    lines = failed.stderr.splitlines()
    assert [line.split(" to ")[0] for line in lines[:-1]] == [
        "warning: pagerduty",
        "warning: slack",
        "warning: email",
        "warning: hook",
    ], lines
    assert lines[-1].startswith("oncall: page p-") and "kept in the outbox" in lines[-1]
    assert "delivery failed" not in failed.stderr  # the pagers' log lines stay out of it
    assert_no_secrets(failed.stderr, partly.stderr)


def test_times_are_shown_in_the_team_timezone(oncall: Run, setup: Setup) -> None:
    # --now with a Z (or any offset): every human time is in the team zone, as IST.
    page = run_json(
        oncall, "page", "aggregate-profit", "--summary", "s", "--now", "2026-11-18T05:30Z"
    )
    shown = oncall("page", "show", page["page_id"])
    assert "created     2026-11-18 11:00 IST" in shown.stdout
    assert "escalates   2026-11-18 11:15 IST" in shown.stdout
    assert "UTC" not in shown.stdout
    listed = oncall("page", "list")
    assert "11-18 11:00" in listed.stdout and "05:30" not in listed.stdout
    assert "(CREATED in Asia/Kolkata, the team timezone;" in listed.stdout
    raw = run_json(oncall, "page", "show", page["page_id"])
    assert instant(raw["created"]) == instant("2026-11-18T11:00+05:30")  # JSON: ISO 8601
    quiet = oncall("escalate", "--now", "2026-11-18T05:31Z")
    assert "nothing to escalate at 2026-11-18 11:01 IST" in quiet.stdout
    queued = oncall("page", "unit-level-profit", "--summary", "late", "--now", "2026-11-18T17:30Z")
    assert queued.exit_code == 0, queued.stderr
    assert "for after quiet hours (2026-11-19 08:00 IST)" in queued.stdout
    assert "held until 2026-11-19 08:00 IST" in " ".join(queued.stdout.split())


def test_commands_that_page_nothing_need_no_secrets(
    oncall: Run, setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    for var in ("ONCALL_PAGERDUTY_ROUTING_KEY", "ONCALL_SLACK_WEBHOOK", "ONCALL_SMTP_PASSWORD"):
        monkeypatch.delenv(var)
    for args in (("who", "aggregate-profit"), ("schedule",), ("runbook", "show", "profit")):
        result = oncall(*args)
        assert result.exit_code == 0, (args, result.stderr)
    assert oncall("page", "list").exit_code == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("page", "agregate-profit", "--summary", "x"), "did you mean 'aggregate-profit'"),
        (("page", "aggregate-profit", "--summary", "x", "--severity", "fatal"), "--severity"),
        (("page", "aggregate-profit", "--summary", "x", "--detail", "novalue"), "KEY=VALUE"),
        (("page", "aggregate-profit", "--summary", " "), "must not be empty"),
        (("page", "aggregate-profit", "--summary", "x", "--now", "soon"), "--now"),
        (("page", "show", "p-000000000000"), "no page 'p-000000000000'"),
        (("ack", "p-000000000000"), "no page 'p-000000000000'"),
    ],
)
def test_usage_errors_exit_2(
    oncall: Run, setup: Setup, args: tuple[str, ...], message: str
) -> None:
    result = oncall(*args)
    assert result.exit_code == 2, result.stderr
    assert message in result.stderr
    assert setup.providers.requests() == 0


def test_without_paging_yaml_paging_is_a_clear_config_error(oncall: Run, config_dir: Path) -> None:
    (config_dir / "paging.yaml").unlink()
    result = oncall("page", "aggregate-profit", "--summary", "x")
    assert result.exit_code == 2
    assert "paging is not configured" in result.stderr and "paging.yaml" in result.stderr


def test_invalid_paging_yaml_is_located(oncall: Run, setup: Setup) -> None:
    path = setup.config_dir / "paging.yaml"
    path.write_text(path.read_text().replace("channels: [pagerduty, slack]", "channels: [pager]"))
    result = oncall("page", "aggregate-profit", "--summary", "x")
    assert result.exit_code == 2
    assert re.search(r"paging\.yaml:\d+:\d+: error: .*unknown channel 'pager'", result.stderr)


# --------------------------------------------------------------------------- ack / resolve


def test_ack_and_resolve_tell_pagerduty_and_slack_with_the_same_dedup_key(
    oncall: Run, setup: Setup
) -> None:
    page = run_json(oncall, "page", "aggregate-profit", "--summary", "stale", "--now", T)
    acked = run_json(oncall, "ack", page["dedup_key"], "--by", "de1", "--now", "2026-11-18T11:05")
    assert (acked["page_id"], acked["status"], acked["changed"], acked["by"]) == (
        page["page_id"], "acknowledged", True, "de1",
    )  # fmt: skip
    assert {(d["channel"], d["status"]) for d in acked["deliveries"]} == {
        ("pagerduty", "sent"),
        ("slack", "sent"),
    }
    (ack_event,) = setup.providers.pd_events("acknowledge")
    validator = pagerduty_validator()
    validator.validate(ack_event)
    assert ack_event["dedup_key"] == page["dedup_key"]
    assert setup.providers.accepted("slack")[-1]["text"].startswith("Acknowledged: [ERROR]")

    again = run_json(oncall, "ack", page["page_id"], "--by", "de2")
    assert (again["changed"], again["by"]) == (False, "de1")  # the first ack is kept

    resolved = run_json(oncall, "resolve", page["page_id"], "--now", "2026-11-18T12:00")
    assert (resolved["status"], resolved["changed"]) == ("resolved", True)
    (resolve_event,) = setup.providers.pd_events("resolve")
    validator.validate(resolve_event)
    assert resolve_event["dedup_key"] == page["dedup_key"]
    assert setup.providers.accepted("slack")[-1]["text"].startswith("Resolved: ")
    assert run_json(oncall, "page", "list", "--open") == []
    new = run_json(
        oncall, "page", "aggregate-profit", "--summary", "stale", "--now", "2026-11-18T13:00"
    )
    assert new["outcome"] == "delivered" and new["page_id"] != page["page_id"]


def test_ack_that_cannot_reach_pagerduty_exits_3_but_is_recorded(oncall: Run, setup: Setup) -> None:
    page = run_json(oncall, "page", "aggregate-profit", "--summary", "stale", "--now", T)
    setup.providers.fault = lambda kind, body: Response("", 503) if kind == "pagerduty" else None
    result = oncall("ack", page["page_id"], "--now", T)
    assert result.exit_code == 3
    assert "not every provider was told" in result.stderr
    assert run_json(oncall, "page", "show", page["page_id"])["status"] == "acknowledged"


def test_ack_without_deliveries_tells_no_provider(oncall: Run, setup: Setup) -> None:
    page = run_json(oncall, "page", "unit-level-profit", "--summary", "late", "--now", NIGHT)
    acked = run_json(oncall, "ack", page["page_id"], "--now", NIGHT)
    assert acked["deliveries"] == [] and setup.providers.requests() == 0
    report = run_json(oncall, "page", "flush", "--now", "2026-11-19T09:00")
    assert [i["outcome"] for i in report["items"]] == ["dropped"]
    assert setup.providers.requests() == 0 and setup.mailbox.messages == []


# --------------------------------------------------------------------------- list / show


def test_list_and_show_give_the_history(oncall: Run, setup: Setup) -> None:
    a = run_json(oncall, "page", "aggregate-profit", "--summary", "one", "--now", T)
    b = run_json(oncall, "page", "de4", "--summary", "two", "--now", "2026-11-18T11:01")
    run_json(oncall, "resolve", a["page_id"])
    assert [p["page_id"] for p in run_json(oncall, "page", "list")] == [b["page_id"], a["page_id"]]
    assert [p["page_id"] for p in run_json(oncall, "page", "list", "--open")] == [b["page_id"]]
    shown = run_json(oncall, "page", "show", a["page_id"])
    assert shown["status"] == "resolved" and shown["kind"] == "page"
    assert [d["status"] for d in shown["deliveries"]] == ["sent"] * 4  # trigger x2, resolve x2
    human = oncall("page", "show", b["dedup_key"])
    assert human.exit_code == 0
    assert f"page {b['page_id']} (page): open" in human.stdout
    table = oncall("page", "list")
    assert a["page_id"] in table.stdout and "resolved" in table.stdout


# --------------------------------------------------------------------------- validate hook


def test_paging_problems_warn_about_missing_env_at_the_key(
    setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    from oncall.config import load_config
    from oncall.services.paging.problems import paging_problems

    cfg = load_config(setup.config_dir)
    assert paging_problems(cfg) == []
    monkeypatch.delenv("ONCALL_SLACK_WEBHOOK")
    (problem,) = paging_problems(cfg)
    assert problem.severity == "warning"
    assert problem.path.endswith("paging.yaml")
    assert problem.line == 3  # the slack channel's line
    assert "ONCALL_SLACK_WEBHOOK is not set" in problem.message
    (setup.config_dir / "paging.yaml").write_text("channels: {}\nurgency: {high: 1}\n")
    errors = paging_problems(cfg)
    assert errors and all(p.severity == "error" for p in errors)
    (setup.config_dir / "paging.yaml").unlink()
    assert paging_problems(cfg) == []
