"""A real SMTP server on 127.0.0.1 (aiosmtpd) that records what it receives."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes
from email.message import Message
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


class Mailbox:
    """An aiosmtpd handler: records messages and logins, can answer with scripted codes."""

    def __init__(self, user: str, password: str) -> None:
        self._credentials = (user.encode(), password.encode())
        self.lock = threading.Lock()
        self.messages: list[tuple[str, list[str], Message]] = []
        self.logins: list[tuple[bytes, bytes]] = []
        self.data_replies: list[str] = []
        self.rcpt_reply: str | None = None

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.data_replies:
            return self.data_replies.pop(0)
        message = message_from_bytes(envelope.content)
        with self.lock:
            self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted"

    def authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        assert isinstance(auth_data, LoginPassword)
        with self.lock:
            self.logins.append((auth_data.login, auth_data.password))
        ok = (auth_data.login, auth_data.password) == self._credentials
        return AuthResult(success=ok, handled=False)

    def recipients(self) -> list[str]:
        with self.lock:
            return sorted(r for _, rcpts, _ in self.messages for r in rcpts)


@contextmanager
def serving(box: Mailbox) -> Iterator[int]:
    """Run ``box`` on a free port of 127.0.0.1 (plain SMTP, login allowed without TLS)."""
    port = free_port()
    controller = Controller(
        box,
        hostname="127.0.0.1",
        port=port,
        authenticator=box.authenticate,
        auth_require_tls=False,
        ready_timeout=5,
    )
    controller.start()
    try:
        yield port
    finally:
        controller.stop()
