"""Paging delivery against real local servers: pytest-httpserver and aiosmtpd on 127.0.0.1."""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from oncall.adapters.pagers import (
    EmailPager,
    PagerDutyPager,
    SlackPager,
    WebhookPager,
    build_pagers,
)
from oncall.adapters.pagers.http import cannot_resolve, parse_retry_after, scrub
from oncall.domain.paging import (
    DeliveryResult,
    EmailChannel,
    PageContent,
    PagerDutyChannel,
    PagingConfig,
    Secret,
    SlackChannel,
    Target,
    WebhookChannel,
    default_dedup_key,
    webhook_body,
)
from tests.support.mailbox import Mailbox, serving
from tests.support.pagerduty import pagerduty_validator

PD_KEY = "R0UTINGkey0123456789abcdefSECRET"
PERSON_PD_KEY = "PERSONkey0123456789abcdefSECRET2"
SLACK_TOKEN = "xoxSLACKt0kenSECRETabcdef123456"
HOOK_TOKEN = "h00kT0kenSECRETzyxwvu987654"
SMTP_USER = "smtp-user-SECRET-5555"
SMTP_PASSWORD = "smtp-pass-SECRET-0987654321"
SECRETS = (PD_KEY, PERSON_PD_KEY, SLACK_TOKEN, HOOK_TOKEN, SMTP_USER, SMTP_PASSWORD)
# Server-side loggers of the fake services log the request path; they are not our code.
SERVER_LOGGERS = ("werkzeug", "mail.log")

FAST = 0.01  # backoff base for tests
DE1 = Target(person="de1", slack="U012AB3CD", email="de1@example.com")


def page(**overrides: Any) -> PageContent:
    fields: dict[str, Any] = {
        "page_id": "pg-test-0001",
        "dedup_key": default_dedup_key("aggregate-profit", "profit table is 3h stale"),
        "pipeline": "aggregate-profit",
        "family": "finance",
        "severity": "critical",
        "summary": "profit table is 3h stale",
        "created": datetime(2026, 11, 21, 9, 0, tzinfo=UTC),
        "details": {"lag": "3h 5m"},
        "responder": "de1",
        "escalation": ("de1", "de2"),
        "owners": ("de1", "de2"),
        "runbook": "oncall runbook profit",
    }
    fields.update(overrides)
    return PageContent(**fields)


def assert_no_secrets(*texts: object) -> None:
    for text in texts:
        for secret in SECRETS:
            assert secret not in str(text), f"secret leaked into {text!r}"


def assert_clean_logs(caplog: pytest.LogCaptureFixture) -> None:
    ours = [r for r in caplog.records if not r.name.startswith(SERVER_LOGGERS)]
    assert ours, "expected our own log records to scan"
    assert_no_secrets(*(r.getMessage() for r in ours))


def unused_port() -> Iterator[int]:
    """A port on 127.0.0.1 that refuses connections: bound, never listening."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    try:
        yield sock.getsockname()[1]
    finally:
        sock.close()


@pytest.fixture
def refused_port() -> Iterator[int]:
    yield from unused_port()


@pytest.fixture(scope="module")
def _server() -> Iterator[HTTPServer]:
    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    yield server
    server.clear()
    if server.is_running():
        server.stop()


@pytest.fixture
def server(_server: HTTPServer) -> Iterator[HTTPServer]:
    _server.clear()
    yield _server
    _server.check_assertions()
    _server.clear()


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)
    return caplog


def pd_channel(server: HTTPServer, **extra: Any) -> PagerDutyChannel:
    return PagerDutyChannel.model_validate(
        {
            "kind": "pagerduty",
            "routing_key_env": "ONCALL_PAGERDUTY_ROUTING_KEY",
            "url": server.url_for("/v2/enqueue"),
            "retry_budget": "3s",
            "timeout": "1s",
            **extra,
        }
    )


def pd_pager(server: HTTPServer, monkeypatch: pytest.MonkeyPatch, **extra: Any) -> PagerDutyPager:
    monkeypatch.setenv("ONCALL_PAGERDUTY_ROUTING_KEY", PD_KEY)
    return PagerDutyPager("pagerduty", pd_channel(server, **extra), backoff_base=FAST)


def accepted() -> Response:
    body = {"status": "success", "message": "Event processed", "dedup_key": "k"}
    return Response(json.dumps(body), status=202, content_type="application/json")


def bodies(server: HTTPServer) -> list[Any]:
    return [json.loads(req.get_data()) for req, _ in server.log]


def check_pagerduty_event(event: dict[str, Any]) -> None:
    pagerduty_validator().validate(event)
    assert len(event["dedup_key"]) <= 255
    if event["event_action"] == "trigger":
        assert len(event["payload"]["summary"]) <= 1024
        assert isinstance(event["payload"]["custom_details"], dict)


# --------------------------------------------------------------------------- PagerDuty


def test_pagerduty_trigger_is_delivered_and_valid(
    server: HTTPServer, monkeypatch: pytest.MonkeyPatch, logs: pytest.LogCaptureFixture
) -> None:
    server.expect_request("/v2/enqueue", method="POST").respond_with_handler(lambda r: accepted())
    pager = pd_pager(server, monkeypatch)
    result = pager.send(page(), DE1)
    assert result == DeliveryResult("pagerduty", "de1", "sent", 1, result.detail)
    assert "202" in result.detail
    (event,) = bodies(server)
    check_pagerduty_event(event)
    assert event["routing_key"] == PD_KEY
    assert event["payload"]["custom_details"]["runbook"] == "oncall runbook profit"
    request = server.log[0][0]
    assert request.headers["Content-Type"] == "application/json"
    assert_no_secrets(result, repr(pager))
    assert_clean_logs(logs)


@pytest.mark.parametrize("action", ["acknowledge", "resolve"])
def test_pagerduty_ack_and_resolve_are_valid(
    server: HTTPServer, monkeypatch: pytest.MonkeyPatch, action: Any
) -> None:
    server.expect_request("/v2/enqueue").respond_with_handler(lambda r: accepted())
    result = pd_pager(server, monkeypatch).send(page(), DE1, action)
    assert result.status == "sent"
    (event,) = bodies(server)
    check_pagerduty_event(event)
    assert event["event_action"] == action
    assert "payload" not in event


def test_person_routing_key_overrides_channel_key(
    server: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.expect_request("/v2/enqueue").respond_with_handler(lambda r: accepted())
    monkeypatch.setenv("DE2_PD_KEY", PERSON_PD_KEY)
    target = Target(person="de2", pagerduty_routing_key_env="DE2_PD_KEY")
    result = pd_pager(server, monkeypatch).send(page(), target)
    assert (result.status, result.to) == ("sent", "de2")
    assert bodies(server)[0]["routing_key"] == PERSON_PD_KEY


def test_429_with_retry_after_is_honoured(
    server: HTTPServer, monkeypatch: pytest.MonkeyPatch, logs: pytest.LogCaptureFixture
) -> None:
    server.expect_ordered_request("/v2/enqueue").respond_with_response(
        Response('{"status":"throttled","message":"slow down"}', 429, headers={"Retry-After": "1"})
    )
    server.expect_ordered_request("/v2/enqueue").respond_with_handler(lambda r: accepted())
    started = time.monotonic()
    result = pd_pager(server, monkeypatch).send(page(), DE1)
    elapsed = time.monotonic() - started
    assert (result.status, result.attempts) == ("sent", 2)
    assert elapsed >= 0.95, "Retry-After: 1 must be waited for, not the 10ms backoff"
    assert len(server.log) == 2
    assert any("429" in r.getMessage() for r in logs.records if r.name == "oncall.pagers")


def test_retry_after_longer_than_budget_gives_up_at_once(
    server: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.expect_request("/v2/enqueue").respond_with_response(
        Response("{}", 429, headers={"Retry-After": "60"})
    )
    started = time.monotonic()
    result = pd_pager(server, monkeypatch).send(page(), DE1)
    assert time.monotonic() - started < 2
    assert (result.status, result.attempts) == ("failed", 1)
    assert "429" in result.detail and "retry after 60s" in result.detail


def test_500_then_503_then_success(server: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> None:
    server.expect_ordered_request("/v2/enqueue").respond_with_data("boom", status=500)
    server.expect_ordered_request("/v2/enqueue").respond_with_data("busy", status=503)
    server.expect_ordered_request("/v2/enqueue").respond_with_handler(lambda r: accepted())
    result = pd_pager(server, monkeypatch).send(page(), DE1)
    assert (result.status, result.attempts) == ("sent", 3)
    assert len(server.log) == 3
    assert bodies(server)[0] == bodies(server)[2]


def test_400_is_not_retried_and_says_why(
    server: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    error = {
        "status": "invalid event",
        "message": "Event object is invalid",
        "errors": ["'payload.summary' is missing or blank", "x" * 5000],
    }
    server.expect_request("/v2/enqueue").respond_with_json(error, status=400)
    result = pd_pager(server, monkeypatch).send(page(), DE1)
    assert (result.status, result.attempts) == ("failed", 1)
    assert len(server.log) == 1
    assert "HTTP 400" in result.detail
    assert "Event object is invalid" in result.detail
    assert "'payload.summary' is missing or blank" in result.detail
    assert "not retried" in result.detail
    assert len(result.detail) <= 300


def test_redirect_is_not_followed(server: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> None:
    server.expect_request("/v2/enqueue").respond_with_response(
        Response("", 302, headers={"Location": "http://127.0.0.1:1/elsewhere"})
    )
    result = pd_pager(server, monkeypatch).send(page(), DE1)
    assert (result.status, result.attempts) == ("failed", 1)
    assert "redirect" in result.detail


def test_slow_server_fails_within_budget(
    server: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()

    def stall(request: Request) -> Response:
        release.wait(timeout=3)  # bounded: the test releases it right after the send
        return accepted()

    server.expect_request("/v2/enqueue").respond_with_handler(stall)
    pager = pd_pager(server, monkeypatch, timeout="0.2s", retry_budget="0.8s")
    started = time.monotonic()
    try:
        result = pager.send(page(), DE1)
    finally:
        release.set()
    elapsed = time.monotonic() - started
    assert result.status == "failed"
    assert result.attempts >= 2
    assert "timeout" in result.detail
    assert elapsed < 0.8 + 0.5, f"took {elapsed:.2f}s, budget 0.8s"


def test_connection_refused_is_retried_then_fails(
    refused_port: int, monkeypatch: pytest.MonkeyPatch, logs: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("ONCALL_PAGERDUTY_ROUTING_KEY", PD_KEY)
    config = PagerDutyChannel.model_validate(
        {
            "kind": "pagerduty",
            "routing_key_env": "ONCALL_PAGERDUTY_ROUTING_KEY",
            "url": f"http://127.0.0.1:{refused_port}/v2/enqueue",
            "retry_budget": "0.5s",
        }
    )
    started = time.monotonic()
    result = PagerDutyPager("pagerduty", config, backoff_base=FAST).send(page(), DE1)
    assert time.monotonic() - started < 0.5 + 0.5
    assert result.status == "failed"
    assert result.attempts > 1
    assert "connection failed" in result.detail
    assert_no_secrets(result)
    assert_clean_logs(logs)


# Names under the reserved .invalid TLD (RFC 2606) never resolve, and resolvers answer
# that locally. A generous budget shows that nothing is retried: attempts stay at 1.
UNRESOLVABLE = "oncall-test.example.invalid"


def test_pagerduty_host_that_does_not_resolve_is_not_retried(
    monkeypatch: pytest.MonkeyPatch, logs: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("ONCALL_PAGERDUTY_ROUTING_KEY", PD_KEY)
    config = PagerDutyChannel.model_validate(
        {
            "kind": "pagerduty",
            "routing_key_env": "ONCALL_PAGERDUTY_ROUTING_KEY",
            "url": f"https://{UNRESOLVABLE}/v2/enqueue",
            "retry_budget": "10s",
        }
    )
    started = time.monotonic()
    result = PagerDutyPager("pd", config, backoff_base=FAST).send(page(), DE1)
    assert time.monotonic() - started < 5
    assert (result.status, result.attempts) == ("failed", 1)
    assert f"cannot resolve host {UNRESOLVABLE}" in result.detail
    assert "check channels.pd.url in paging.yaml" in result.detail
    assert "gave up" not in result.detail
    assert_no_secrets(result)
    assert_clean_logs(logs)


def test_slack_url_whose_host_does_not_resolve_names_the_env_var_not_the_url(
    monkeypatch: pytest.MonkeyPatch, logs: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv(
        "ONCALL_SLACK_WEBHOOK", f"https://{UNRESOLVABLE}/services/T000/B000/{SLACK_TOKEN}"
    )
    config = SlackChannel.model_validate(
        {"kind": "slack", "webhook_url_env": "ONCALL_SLACK_WEBHOOK", "retry_budget": "10s"}
    )
    result = SlackPager("slack", config, backoff_base=FAST).send(page(), DE1)
    assert (result.status, result.attempts) == ("failed", 1)
    assert f"cannot resolve host {UNRESOLVABLE}" in result.detail
    assert "check the URL in ONCALL_SLACK_WEBHOOK" in result.detail
    assert_no_secrets(result)
    assert_clean_logs(logs)


def test_webhook_host_that_does_not_resolve_is_not_retried() -> None:
    config = WebhookChannel.model_validate(
        {"kind": "webhook", "url": f"https://{UNRESOLVABLE}/hook", "retry_budget": "10s"}
    )
    result = WebhookPager("hook", config, backoff_base=FAST).send(page(), DE1)
    assert (result.status, result.attempts) == ("failed", 1)
    assert "cannot resolve host" in result.detail and "channels.hook.url" in result.detail


def test_dns_failure_classification() -> None:
    """A name that does not exist is permanent; a DNS server that did not answer is not."""
    import httpx

    missing = socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    wrapped = httpx.ConnectError("[Errno -2] Name or service not known")
    wrapped.__cause__ = missing
    error = cannot_resolve(wrapped, "h.invalid", "the URL")
    assert error is not None and "cannot resolve host h.invalid" in error.detail
    busy = socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
    assert cannot_resolve(busy, "h.invalid", "the URL") is None
    assert cannot_resolve(ConnectionRefusedError(111, "refused"), "h", "the URL") is None


def test_missing_routing_key_fails_without_an_attempt(server: HTTPServer) -> None:
    pager = PagerDutyPager("pagerduty", pd_channel(server), backoff_base=FAST)
    result = pager.send(page(), DE1)
    assert (result.status, result.attempts) == ("failed", 0)
    assert "ONCALL_PAGERDUTY_ROUTING_KEY is not set" in result.detail
    assert server.log == []


def test_bad_routing_key_env_in_contacts_fails_cleanly(
    server: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = Target(person="de3", pagerduty_routing_key_env=PERSON_PD_KEY.lower())
    result = pd_pager(server, monkeypatch).send(page(), target)
    assert (result.status, result.attempts, result.to) == ("failed", 0, "de3")
    assert "not a valid environment variable name" in result.detail
    assert_no_secrets(result.detail.upper())


# --------------------------------------------------------------------------- Slack


def slack_pager(server: HTTPServer, monkeypatch: pytest.MonkeyPatch, **extra: Any) -> SlackPager:
    monkeypatch.setenv("ONCALL_SLACK_WEBHOOK", server.url_for(f"/services/T000/B000/{SLACK_TOKEN}"))
    config = SlackChannel.model_validate(
        {"kind": "slack", "webhook_url_env": "ONCALL_SLACK_WEBHOOK", "retry_budget": "2s", **extra}
    )
    return SlackPager("slack", config, backoff_base=FAST)


def test_slack_message_is_delivered_with_mention(
    server: HTTPServer, monkeypatch: pytest.MonkeyPatch, logs: pytest.LogCaptureFixture
) -> None:
    server.expect_request(f"/services/T000/B000/{SLACK_TOKEN}", method="POST").respond_with_data(
        "ok"
    )
    pager = slack_pager(server, monkeypatch)
    result = pager.send(page(), DE1)
    assert (result.status, result.attempts, result.to) == ("sent", 1, "de1")
    (message,) = bodies(server)
    assert message["text"].startswith("<@U012AB3CD> [CRITICAL] aggregate-profit:")
    assert message["blocks"][0]["type"] == "header"
    assert_no_secrets(result, repr(pager))
    assert_clean_logs(logs)
    assert any(r.name == "httpx" for r in logs.records), "httpx request log should be redacted"


def test_slack_errors_report_reason_but_not_the_url(
    server: HTTPServer, monkeypatch: pytest.MonkeyPatch, logs: pytest.LogCaptureFixture
) -> None:
    server.expect_request(f"/services/T000/B000/{SLACK_TOKEN}").respond_with_data(
        f"no_service for /services/T000/B000/{SLACK_TOKEN}", status=404
    )
    result = slack_pager(server, monkeypatch).send(page(), DE1)
    assert (result.status, result.attempts) == ("failed", 1)
    assert "HTTP 404" in result.detail and "no_service" in result.detail
    assert_no_secrets(result)
    assert_clean_logs(logs)


def test_slack_url_refused_is_masked(
    refused_port: int, monkeypatch: pytest.MonkeyPatch, logs: pytest.LogCaptureFixture
) -> None:
    url = f"http://127.0.0.1:{refused_port}/services/T000/B000/{SLACK_TOKEN}"
    monkeypatch.setenv("ONCALL_SLACK_WEBHOOK", url)
    config = SlackChannel.model_validate(
        {"kind": "slack", "webhook_url_env": "ONCALL_SLACK_WEBHOOK", "retry_budget": "0.3s"}
    )
    result = SlackPager("slack", config, backoff_base=FAST).send(page(), DE1)
    assert result.status == "failed" and result.attempts > 1
    assert_no_secrets(result)
    assert_clean_logs(logs)


@pytest.mark.parametrize(
    "url",
    [
        f"http://hooks.example.com/services/T000/B000/{SLACK_TOKEN}",
        f"hooks.slack.com/services/{SLACK_TOKEN}",
    ],
)
def test_insecure_slack_url_from_env_is_refused(
    url: str, monkeypatch: pytest.MonkeyPatch, logs: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("ONCALL_SLACK_WEBHOOK", url)
    config = SlackChannel(kind="slack", webhook_url_env="ONCALL_SLACK_WEBHOOK")
    result = SlackPager("slack", config, backoff_base=FAST).send(page(), DE1)
    assert (result.status, result.attempts) == ("failed", 0)
    assert "ONCALL_SLACK_WEBHOOK" in result.detail
    assert_no_secrets(result)
    assert_clean_logs(logs)


# --------------------------------------------------------------------------- webhook


def test_webhook_posts_the_page_record_with_a_stable_idempotency_key(
    server: HTTPServer, monkeypatch: pytest.MonkeyPatch, logs: pytest.LogCaptureFixture
) -> None:
    server.expect_ordered_request(f"/hook/{HOOK_TOKEN}").respond_with_data("no", status=502)
    server.expect_ordered_request(f"/hook/{HOOK_TOKEN}").respond_with_data("", status=204)
    monkeypatch.setenv("ONCALL_WEBHOOK_URL", server.url_for(f"/hook/{HOOK_TOKEN}"))
    config = WebhookChannel(kind="webhook", url_env="ONCALL_WEBHOOK_URL")
    result = WebhookPager("hook", config, backoff_base=FAST).send(page(), Target(), "resolve")
    assert (result.status, result.attempts, result.to) == ("sent", 2, "channel")
    first, second = bodies(server)
    assert first == second == {**webhook_body(page(), "resolve"), "to": "channel"}
    keys = [req.headers["Idempotency-Key"] for req, _ in server.log]
    assert keys == ["pg-test-0001:resolve:channel"] * 2
    assert_no_secrets(result)
    assert_clean_logs(logs)


def test_webhook_with_plain_url_in_config(server: HTTPServer) -> None:
    server.expect_request("/plain").respond_with_data("accepted", status=202)
    config = WebhookChannel(kind="webhook", url=server.url_for("/plain"))
    result = WebhookPager("hook", config, backoff_base=FAST).send(page(pipeline=None), DE1)
    assert (result.status, result.to) == ("sent", "de1")
    assert bodies(server)[0]["pipeline"] is None


# --------------------------------------------------------------------------- Retry-After


def test_parse_retry_after_seconds_and_dates() -> None:
    now = datetime(2026, 11, 21, 9, 0, 0, tzinfo=UTC)
    assert parse_retry_after("7", now) == 7.0
    assert parse_retry_after("Sat, 21 Nov 2026 09:00:30 GMT", now) == 30.0
    assert parse_retry_after("Sat, 21 Nov 2026 08:59:00 GMT", now) == 0.0
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after("-3", now) is None
    assert parse_retry_after(None, now) is None


def test_retry_after_http_date_is_honoured(
    server: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # HTTP dates have whole seconds: now, rounded down, plus 2s is 1-2s away.
    when = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=2)
    header = when.strftime("%a, %d %b %Y %H:%M:%S GMT")
    server.expect_ordered_request("/v2/enqueue").respond_with_response(
        Response("", 503, headers={"Retry-After": header})
    )
    server.expect_ordered_request("/v2/enqueue").respond_with_handler(lambda r: accepted())
    started = time.monotonic()
    result = pd_pager(server, monkeypatch, retry_budget="5s").send(page(), DE1)
    elapsed = time.monotonic() - started
    assert (result.status, result.attempts) == ("sent", 2)
    assert 0.9 <= elapsed < 3, f"waited {elapsed:.2f}s for a Retry-After 1-2s away"


def test_scrub_masks_every_form_of_a_secret_url() -> None:
    url = Secret(f"https://hooks.slack.com/services/T000/B000/{SLACK_TOKEN}")
    text = f"failed {url.reveal()} path /services/T000/B000/{SLACK_TOKEN} tok {SLACK_TOKEN}"
    cleaned = scrub(text, [url])
    assert_no_secrets(cleaned)
    assert cleaned.count("****") >= 2


# --------------------------------------------------------------------------- email


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    box = Mailbox(SMTP_USER, SMTP_PASSWORD)
    with serving(box) as port:
        yield box, port


def email_channel(port: int, **extra: Any) -> EmailChannel:
    return EmailChannel.model_validate(
        {
            "kind": "email",
            "host": "127.0.0.1",
            "port": port,
            "starttls": False,
            "from": "oncall@example.com",
            "retry_budget": "2s",
            "timeout": "1s",
            **extra,
        }
    )


def test_email_is_delivered(mailbox: tuple[Mailbox, int], logs: pytest.LogCaptureFixture) -> None:
    box, port = mailbox
    result = EmailPager("email", email_channel(port), backoff_base=FAST).send(page(), DE1)
    assert (result.status, result.attempts, result.to) == ("sent", 1, "de1")
    ((mail_from, rcpts, msg),) = box.messages
    assert mail_from == "oncall@example.com"
    assert rcpts == ["de1@example.com"]
    assert msg["Subject"] == "[CRITICAL] aggregate-profit: profit table is 3h stale"
    assert msg["To"] == "de1@example.com"
    assert msg["From"] == "oncall@example.com"
    assert box.logins == []


def test_email_login_uses_env_credentials_and_never_shows_them(
    mailbox: tuple[Mailbox, int], monkeypatch: pytest.MonkeyPatch, logs: pytest.LogCaptureFixture
) -> None:
    box, port = mailbox
    monkeypatch.setenv("ONCALL_SMTP_USER", SMTP_USER)
    monkeypatch.setenv("ONCALL_SMTP_PASSWORD", SMTP_PASSWORD)
    config = email_channel(
        port, username_env="ONCALL_SMTP_USER", password_env="ONCALL_SMTP_PASSWORD"
    )
    pager = EmailPager("email", config, backoff_base=FAST)
    result = pager.send(page(), DE1)
    assert result.status == "sent", result.detail
    assert box.logins == [(SMTP_USER.encode(), SMTP_PASSWORD.encode())]
    monkeypatch.setenv("ONCALL_SMTP_PASSWORD", "wrong-password-SECRET-0000")
    failed = pager.send(page(), DE1)
    assert (failed.status, failed.attempts) == ("failed", 1)
    assert "535" in failed.detail and "login failed" in failed.detail
    assert_no_secrets(result, failed, repr(pager))
    assert "wrong-password" not in failed.detail
    assert_clean_logs(logs)


def test_email_transient_4xx_is_retried(mailbox: tuple[Mailbox, int]) -> None:
    box, port = mailbox
    box.data_replies = ["451 4.3.0 try again later"]
    result = EmailPager("email", email_channel(port), backoff_base=FAST).send(page(), DE1)
    assert (result.status, result.attempts) == ("sent", 2)
    assert len(box.messages) == 1


def test_email_permanent_5xx_is_not_retried(mailbox: tuple[Mailbox, int]) -> None:
    box, port = mailbox
    box.rcpt_reply = "550 5.1.1 no such user"
    result = EmailPager("email", email_channel(port), backoff_base=FAST).send(page(), DE1)
    assert (result.status, result.attempts) == ("failed", 1)
    assert "550" in result.detail and "no such user" in result.detail
    assert box.messages == []


def test_email_refuses_to_fall_back_to_plaintext(mailbox: tuple[Mailbox, int]) -> None:
    box, port = mailbox
    config = email_channel(port, starttls=True)
    result = EmailPager("email", config, backoff_base=FAST).send(page(), DE1)
    assert (result.status, result.attempts) == ("failed", 1)
    assert "STARTTLS" in result.detail.upper()
    assert box.messages == []


def test_email_connection_refused_is_retried_within_budget(refused_port: int) -> None:
    config = email_channel(refused_port, retry_budget="0.5s")
    started = time.monotonic()
    result = EmailPager("email", config, backoff_base=FAST).send(page(), DE1)
    assert time.monotonic() - started < 0.5 + 0.5
    assert result.status == "failed"
    assert result.attempts > 1
    assert "connection failed" in result.detail


def test_email_host_that_does_not_resolve_is_not_retried(logs: pytest.LogCaptureFixture) -> None:
    config = email_channel(25, host=UNRESOLVABLE, retry_budget="10s")
    started = time.monotonic()
    result = EmailPager("email", config, backoff_base=FAST).send(page(), DE1)
    assert time.monotonic() - started < 5
    assert (result.status, result.attempts) == ("failed", 1)
    assert f"cannot resolve host {UNRESOLVABLE}" in result.detail
    assert "check channels.email.host in paging.yaml" in result.detail
    assert_clean_logs(logs)


def test_email_needs_an_address(mailbox: tuple[Mailbox, int]) -> None:
    _, port = mailbox
    result = EmailPager("email", email_channel(port)).send(page(), Target(person="de9"))
    assert (result.status, result.attempts, result.to) == ("failed", 0, "de9")
    assert "no email address for de9" in result.detail


def test_email_credentials_need_tls_off_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ONCALL_SMTP_USER", SMTP_USER)
    monkeypatch.setenv("ONCALL_SMTP_PASSWORD", SMTP_PASSWORD)
    config = EmailChannel.model_validate(
        {
            "kind": "email",
            "host": "smtp.example.com",
            "starttls": False,
            "username_env": "ONCALL_SMTP_USER",
            "password_env": "ONCALL_SMTP_PASSWORD",
            "from": "oncall@example.com",
        }
    )
    result = EmailPager("email", config).send(page(), DE1)
    assert (result.status, result.attempts) == ("failed", 0)
    assert "without STARTTLS" in result.detail


# --------------------------------------------------------------------------- wiring


def test_build_pagers_makes_one_pager_per_channel() -> None:
    config = PagingConfig.model_validate(
        {
            "channels": {
                "pd": {"kind": "pagerduty", "routing_key_env": "PD"},
                "chat": {"kind": "slack", "webhook_url_env": "SLACK"},
                "mail": {"kind": "email", "host": "127.0.0.1", "from": "a@b.c"},
                "hook": {"kind": "webhook", "url_env": "HOOK"},
            },
            "urgency": {"high": {"channels": ["pd"]}, "low": {"channels": ["mail"]}},
        }
    )
    pagers = build_pagers(config, backoff_base=FAST)
    assert {name: type(p) for name, p in pagers.items()} == {
        "pd": PagerDutyPager,
        "chat": SlackPager,
        "mail": EmailPager,
        "hook": WebhookPager,
    }
    assert all(p.channel == name for name, p in pagers.items())
