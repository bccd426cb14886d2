"""The email pager against a real local SMTP server (aiosmtpd on 127.0.0.1)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from oncall.adapters.pagers import (
    EmailPager,
)
from oncall.config.models.paging import (
    EmailChannel,
)
from oncall.domain.paging.routing import Target
from tests.adapters.pagers.helpers import (
    DE1,
    FAST,
    SMTP_PASSWORD,
    SMTP_USER,
    UNRESOLVABLE,
    BusyTime,
    FakeTime,
    assert_clean_logs,
    assert_no_secrets,
    page,
)
from tests.support.mailbox import Mailbox, serving


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
    fake = FakeTime()
    pager = EmailPager(
        "email", config, backoff_base=FAST, sleep=fake.sleep, monotonic=fake.monotonic
    )
    result = pager.send(page(), DE1)
    assert result.status == "failed"
    assert result.attempts > 1
    assert len(fake.waits) == result.attempts - 1, "one wait between attempts"
    assert sum(fake.waits) <= 0.5, "the waits stay within the retry budget"
    assert "connection failed" in result.detail


def test_email_a_wait_that_uses_up_the_budget_keeps_the_last_real_failure(
    refused_port: int,
) -> None:
    config = email_channel(refused_port, retry_budget="0.5s")
    busy = BusyTime()
    pager = EmailPager(
        "email", config, backoff_base=FAST, sleep=busy.sleep, monotonic=busy.monotonic
    )
    result = pager.send(page(), DE1)
    assert (result.status, result.attempts, len(busy.waits)) == ("failed", 1, 1)
    assert "connection failed" in result.detail and "budget used up" not in result.detail


def test_email_host_that_does_not_resolve_is_not_retried(logs: pytest.LogCaptureFixture) -> None:
    config = email_channel(25, host=UNRESOLVABLE, retry_budget="10s")
    fake = FakeTime()
    pager = EmailPager(
        "email", config, backoff_base=FAST, sleep=fake.sleep, monotonic=fake.monotonic
    )
    result = pager.send(page(), DE1)
    assert (result.status, result.attempts, fake.waits) == ("failed", 1, [])
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
