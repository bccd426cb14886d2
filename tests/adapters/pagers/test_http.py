"""HTTP pagers (PagerDuty, Slack, webhook) against a real local server (pytest-httpserver)."""

from __future__ import annotations

import json
import socket
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from oncall.adapters.pagers import (
    PagerDutyPager,
    SlackPager,
    WebhookPager,
)
from oncall.adapters.pagers.http import cannot_resolve, parse_retry_after, scrub
from oncall.adapters.pagers.webhook import webhook_body
from oncall.config.models.paging import (
    PagerDutyChannel,
    SlackChannel,
    WebhookChannel,
)
from oncall.domain.paging.routing import DeliveryResult, Target
from oncall.domain.paging.secret import Secret
from tests.adapters.pagers.helpers import (
    DE1,
    FAST,
    HOOK_TOKEN,
    PD_KEY,
    PERSON_PD_KEY,
    SLACK_TOKEN,
    UNRESOLVABLE,
    BusyTime,
    FakeTime,
    assert_clean_logs,
    assert_no_secrets,
    page,
)
from tests.support.pagerduty import pagerduty_validator


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


def pd_pager(
    server: HTTPServer,
    monkeypatch: pytest.MonkeyPatch,
    *,
    fake: FakeTime | None = None,
    **extra: Any,
) -> PagerDutyPager:
    monkeypatch.setenv("ONCALL_PAGERDUTY_ROUTING_KEY", PD_KEY)
    channel = pd_channel(server, **extra)
    if fake is None:
        return PagerDutyPager("pagerduty", channel, backoff_base=FAST)
    return PagerDutyPager(
        "pagerduty", channel, backoff_base=FAST, sleep=fake.sleep, monotonic=fake.monotonic
    )


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
    fake = FakeTime()
    monkeypatch.setenv("ONCALL_PAGERDUTY_ROUTING_KEY", PD_KEY)
    pager = PagerDutyPager(
        "pagerduty",
        pd_channel(server),
        backoff_base=FAST,
        sleep=fake.sleep,
        monotonic=fake.monotonic,
    )
    result = pager.send(page(), DE1)
    assert (result.status, result.attempts) == ("sent", 2)
    assert fake.waits == [1.0], "Retry-After: 1 must be waited for, not the 10ms backoff"
    assert len(server.log) == 2
    assert any("429" in r.getMessage() for r in logs.records if r.name == "oncall.pagers")


def test_retry_after_longer_than_budget_gives_up_at_once(
    server: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.expect_request("/v2/enqueue").respond_with_response(
        Response("{}", 429, headers={"Retry-After": "60"})
    )
    fake = FakeTime()
    result = pd_pager(server, monkeypatch, fake=fake).send(page(), DE1)
    assert (result.status, result.attempts) == ("failed", 1)
    assert fake.waits == [], "a Retry-After past the budget is not waited for"
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
    answered = threading.Condition()
    handled: list[str] = []

    def stall(request: Request) -> Response:
        release.wait(timeout=3)  # bounded: the test releases it right after the send
        with answered:
            handled.append(request.path)
            answered.notify_all()
        return accepted()

    server.expect_request("/v2/enqueue").respond_with_handler(stall)
    pager = pd_pager(server, monkeypatch, timeout="0.2s", retry_budget="0.8s")
    try:
        result = pager.send(page(), DE1)
    finally:
        release.set()
    # Every try the client gave up on is still queued at the server: let it answer them all
    # now, so none reaches the next test's handlers (bounded, woken by each answer).
    with answered:
        answered.wait_for(lambda: len(handled) >= result.attempts, timeout=10)
    assert result.status == "failed"
    assert "timeout" in result.detail
    # Each attempt times out after 0.2 s, so a 0.8 s budget leaves room for at most 4 tries
    # (plus the one that starts just before the budget ends): the budget, not luck, stopped it.
    assert 2 <= result.attempts <= 5


@pytest.mark.parametrize("first_attempt_alone", [True, False])
def test_a_wait_that_uses_up_the_budget_keeps_the_last_real_failure(
    server: HTTPServer, monkeypatch: pytest.MonkeyPatch, first_attempt_alone: bool
) -> None:
    # The stop rule lets a retry go ahead (the budget has room for the planned wait), but
    # the wait overruns it: the next try would have no time at all. The result names the
    # server's answer and the tries actually made, not "retry budget used up".
    tries: list[str] = []

    def unavailable(request: Request) -> Response:
        tries.append(request.path)
        return Response("busy", status=503)

    # A path of its own: requests still queued by another test cannot reach this handler.
    server.expect_request("/v2/enqueue-busy").respond_with_handler(unavailable)
    busy = BusyTime()
    url = server.url_for("/v2/enqueue-busy")
    pager = pd_pager(server, monkeypatch, fake=busy, retry_budget="0.5s", url=url)
    pager._http.first_attempt_alone = first_attempt_alone  # both ways make the same result
    result = pager.send(page(), DE1)
    assert result.status == "failed"
    assert "HTTP 503 server error" in result.detail and "budget used up" not in result.detail
    assert result.attempts == 1 == len(tries)
    assert len(busy.waits) == 1


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
    fake = FakeTime()
    pager = PagerDutyPager(
        "pagerduty", config, backoff_base=FAST, sleep=fake.sleep, monotonic=fake.monotonic
    )
    result = pager.send(page(), DE1)
    assert result.status == "failed"
    assert result.attempts > 1
    assert len(fake.waits) == result.attempts - 1, "one wait between attempts"
    assert sum(fake.waits) <= 0.5, "the waits stay within the retry budget"
    assert "connection failed" in result.detail
    assert_no_secrets(result)
    assert_clean_logs(logs)


# Names under the reserved .invalid TLD (RFC 2606) never resolve, and resolvers answer
# that locally. A generous budget shows that nothing is retried: attempts stay at 1.


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
    fake = FakeTime()
    pager = PagerDutyPager(
        "pd", config, backoff_base=FAST, sleep=fake.sleep, monotonic=fake.monotonic
    )
    result = pager.send(page(), DE1)
    assert (result.status, result.attempts, fake.waits) == ("failed", 1, [])
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
    now = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
    header = (now + timedelta(seconds=2)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    server.expect_ordered_request("/v2/enqueue").respond_with_response(
        Response("", 503, headers={"Retry-After": header})
    )
    server.expect_ordered_request("/v2/enqueue").respond_with_handler(lambda r: accepted())
    fake = FakeTime()
    monkeypatch.setenv("ONCALL_PAGERDUTY_ROUTING_KEY", PD_KEY)
    pager = PagerDutyPager(
        "pagerduty",
        pd_channel(server, retry_budget="5s"),
        backoff_base=FAST,
        sleep=fake.sleep,
        monotonic=fake.monotonic,
        clock=lambda: now,
    )
    result = pager.send(page(), DE1)
    assert (result.status, result.attempts) == ("sent", 2)
    assert fake.waits == [2.0], "the wait is what the HTTP date asks for"


def test_scrub_masks_every_form_of_a_secret_url() -> None:
    url = Secret(f"https://hooks.slack.com/services/T000/B000/{SLACK_TOKEN}")
    text = f"failed {url.reveal()} path /services/T000/B000/{SLACK_TOKEN} tok {SLACK_TOKEN}"
    cleaned = scrub(text, [url])
    assert_no_secrets(cleaned)
    assert cleaned.count("****") >= 2


# --------------------------------------------------------------------------- email
