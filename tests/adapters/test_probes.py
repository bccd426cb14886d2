"""``oncall.adapters.probes`` against real local servers: HTTP, SMTP and SQLite.

A probe reaches an endpoint and stops: the HTTP server sees only ``HEAD /``, the mailbox
no message, and the store no table of the probe's.
"""

from __future__ import annotations

import socket
import sqlite3
from pathlib import Path

import pytest
from google.api_core import exceptions as core
from google.auth import exceptions as auth
from pytest_httpserver import HTTPServer

from oncall.adapters.probes import (
    host_port,
    monitoring_failure,
    network_reason,
    probe_http_origin,
    probe_smtp,
    probe_store_file,
)
from oncall.errors import StoreError
from tests.support.mailbox import Mailbox, free_port, serving

USER, PASSWORD = "oncall-bot", "probePASSWORD0123456789"


def test_http_probe_heads_the_origin_only(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/").respond_with_data("ok")
    verdict, detail = probe_http_origin(httpserver.url_for("/hook/secretPATH0123"), 2.0)
    assert verdict == "ok"
    shown = f"{httpserver.host}:{httpserver.port}"
    assert detail.startswith(f"{shown} reachable (HEAD / answered 200")
    assert "secretPATH" not in detail and "nothing sent" in detail
    assert [(r.method, r.path) for r, _ in httpserver.log] == [("HEAD", "/")]


def test_http_probe_of_a_closed_port_says_why() -> None:
    port = free_port()
    verdict, detail = probe_http_origin(f"http://127.0.0.1:{port}/x", 1.0)
    assert verdict == "fail"
    assert detail.startswith(f"127.0.0.1:{port}: cannot connect (")


def test_smtp_probe_logs_in_and_sends_nothing() -> None:
    box = Mailbox(USER, PASSWORD)
    with serving(box) as port:
        verdict, detail = probe_smtp(
            "127.0.0.1", port, starttls=False, login=(USER, PASSWORD), timeout=2.0
        )
    assert verdict == "ok"
    assert detail.startswith(f"127.0.0.1:{port}: connect, EHLO, login ok in ")
    assert detail.endswith("(no mail sent)")
    assert box.logins == [(USER.encode(), PASSWORD.encode())] and box.messages == []


def test_smtp_probe_reports_a_rejected_login_without_it() -> None:
    box = Mailbox(USER, PASSWORD)
    with serving(box) as port:
        verdict, detail = probe_smtp(
            "127.0.0.1", port, starttls=False, login=(USER, "wrong"), timeout=2.0
        )
    assert (verdict, detail) == ("fail", f"127.0.0.1:{port}: login rejected (SMTP 535)")


def test_smtp_probe_of_a_closed_port_fails() -> None:
    port = free_port()
    verdict, detail = probe_smtp("127.0.0.1", port, starttls=False, login=None, timeout=1.0)
    assert verdict == "fail" and detail.startswith(f"127.0.0.1:{port}: cannot connect (")


def test_store_probe_leaves_no_trace(tmp_path: Path) -> None:
    db = tmp_path / "oncall.db"
    assert probe_store_file(db, 1.0) == 0
    with sqlite3.connect(db) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    assert "oncall_doctor_probe" not in tables
    assert {"runs", "pages", "outbox"} <= tables


def test_store_probe_under_a_file_raises_a_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory\n")
    with pytest.raises(StoreError, match="a-file"):
        probe_store_file(blocker / "oncall.db", 1.0)


def test_store_probe_of_a_locked_store_says_it_cannot_write(tmp_path: Path) -> None:
    db = tmp_path / "oncall.db"
    probe_store_file(db, 1.0)
    holder = sqlite3.connect(db, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        with pytest.raises(StoreError, match=r"cannot write to the store at .*locked"):
            probe_store_file(db, 0.05)
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_network_reason_walks_down_to_the_os_error() -> None:
    try:
        try:
            raise socket.gaierror(-2, "Name or service not known")
        except OSError as inner:
            raise RuntimeError("wrapped") from inner
    except RuntimeError as outer:
        assert network_reason(outer) == "cannot resolve the host: Name or service not known"
    assert network_reason(ConnectionRefusedError(111, "Connection refused")) == (
        "Connection refused"
    )
    assert network_reason(ValueError("no OS error")) == "ValueError"


def test_host_port_defaults_to_the_scheme_port() -> None:
    assert host_port("https://events.example.com/v2") == ("events.example.com", 443, "https")
    assert host_port("http://[::1]:8080/x") == ("::1", 8080, "http")
    assert host_port("http://example.com") == ("example.com", 80, "http")


@pytest.mark.parametrize(
    ("exc", "kind"),
    [
        (core.PermissionDenied("no"), "permission"),
        (core.RetryError("gave up", core.PermissionDenied("no")), "permission"),
        (auth.DefaultCredentialsError("none"), "credentials"),
        (core.Unauthenticated("who"), "credentials"),
        (core.NotFound("project"), "not-found"),
        (core.InvalidArgument("metric"), "argument"),
        (core.DeadlineExceeded("slow"), "timeout"),
        (TimeoutError(), "timeout"),
        (OSError("other"), "other"),
        (None, "other"),
    ],
)
def test_monitoring_failures_are_classified(exc: BaseException | None, kind: str) -> None:
    assert monitoring_failure(exc) == kind
