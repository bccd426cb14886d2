"""Shared by the pager tests: secrets, a sample page, log and secret checks, servers."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from oncall.domain.paging.content import PageContent, default_dedup_key
from oncall.domain.paging.routing import Target

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


class FakeTime:
    """An injected sleeper and monotonic clock: sleeping advances the clock, nobody waits."""

    def __init__(self) -> None:
        self.now = 0.0
        self.waits: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds

    def monotonic(self) -> float:
        return self.now


class BusyTime(FakeTime):
    """A machine so busy that every wait between attempts lasts a second longer."""

    def sleep(self, seconds: float) -> None:
        super().sleep(seconds + 1.0)


UNRESOLVABLE = "oncall-test.example.invalid"
