"""The doctor's network and file I/O: reach an endpoint, shake hands, take a lock, then stop.

Nothing here sends a page or keeps a write: an HTTP probe is a ``HEAD`` of the URL's origin
(``/``, never the secret path, never a POST); an SMTP probe connects, says ``EHLO``,
``STARTTLS`` and logs in when asked, then ``QUIT`` (no mail); a store probe takes a write
transaction and rolls it back; a state-source probe runs one query. Each returns or raises
plain facts; what they mean and what to do about them is ``oncall.services.doctor``'s.
"""

from __future__ import annotations

import smtplib
import socket
import sqlite3
import ssl
import time
from pathlib import Path
from typing import TYPE_CHECKING, Literal
from urllib.parse import urlsplit

from oncall.domain.checks import SeriesQuery
from oncall.errors import StoreError

if TYPE_CHECKING:
    from oncall.config.models.state import SourceSpec

__all__ = [
    "MonitoringFailure",
    "Reach",
    "fetch_once",
    "host_port",
    "monitoring_failure",
    "network_reason",
    "probe_http_origin",
    "probe_smtp",
    "probe_store_file",
    "probe_store_url",
]

Reach = tuple[Literal["ok", "fail"], str]
"""An endpoint probe's verdict and what it saw (hosts and ports, never a secret)."""

MonitoringFailure = Literal[
    "permission", "credentials", "not-found", "argument", "timeout", "other"
]


def host_port(url: str) -> tuple[str, int, str]:
    """``(host, port, scheme)`` of ``url``; the port defaults to the scheme's."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return host, port, parts.scheme


def probe_http_origin(url: str, timeout: float) -> Reach:
    """HEAD of the URL's origin (``/``): DNS, TCP, TLS and an HTTP answer; the secret path
    and any credentials in the URL are never sent, and nothing is POSTed."""
    import httpx

    from oncall.domain.paging.url import is_loopback_host

    host, port, scheme = host_port(url)
    shown_host = f"[{host}]" if ":" in host else host
    shown = f"{shown_host}:{port}"
    origin = f"{scheme}://{shown_host}:{port}/"
    started = time.monotonic()
    try:
        with httpx.Client(
            follow_redirects=False,
            trust_env=not is_loopback_host(host),  # proxies as the pagers use them
            timeout=httpx.Timeout(timeout),
        ) as client:
            response = client.head(origin)
    except httpx.TimeoutException:
        return "fail", f"{shown}: no answer within {timeout:g}s"
    except httpx.HTTPError as exc:
        return "fail", f"{shown}: cannot connect ({network_reason(exc)})"
    elapsed = time.monotonic() - started
    secure = ", TLS ok" if scheme == "https" else ""
    return "ok", (
        f"{shown} reachable{secure} (HEAD / answered {response.status_code} in {elapsed:.2f}s; "
        "nothing sent)"
    )


def network_reason(exc: BaseException) -> str:
    """A short reason from the innermost OS or TLS error, without any URL."""
    inner: BaseException | None = exc
    for _ in range(10):  # bounded walk down the cause chain
        if inner is None:
            break
        if isinstance(inner, ssl.SSLCertVerificationError):
            return f"TLS certificate rejected: {inner.verify_message}"
        if isinstance(inner, ssl.SSLError):
            return f"TLS handshake failed: {inner.reason or type(inner).__name__}"
        if isinstance(inner, socket.gaierror):
            return f"cannot resolve the host: {inner.strerror}"
        if isinstance(inner, OSError) and inner.strerror:
            return inner.strerror
        inner = inner.__cause__ or inner.__context__
    return type(exc).__name__


def probe_smtp(
    host: str,
    port: int,
    *,
    starttls: bool,
    login: tuple[str, str] | None,
    timeout: float,
) -> Reach:
    """Connect, EHLO, STARTTLS (if asked), login (if ``login`` is given), QUIT; no mail."""
    where = f"{host}:{port}"
    steps: list[str] = []
    started = time.monotonic()
    try:
        with smtplib.SMTP(host, port, timeout=timeout) as smtp:
            steps.append("connect")
            code, _ = smtp.ehlo()
            if code != 250:
                return "fail", f"{where}: EHLO answered {code}"
            steps.append("EHLO")
            if starttls:
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
                steps.append("STARTTLS")
            if login is not None:
                smtp.login(*login)
                steps.append("login")
            smtp.quit()
    except smtplib.SMTPAuthenticationError as exc:
        return "fail", f"{where}: login rejected (SMTP {exc.smtp_code})"
    except smtplib.SMTPNotSupportedError as exc:
        return "fail", f"{where}: after {', '.join(steps)}: server does not support it: {exc}"
    except smtplib.SMTPResponseException as exc:
        return "fail", f"{where}: after {', '.join(steps) or 'connect'}: SMTP {exc.smtp_code}"
    except smtplib.SMTPServerDisconnected:
        return "fail", f"{where}: the server closed the connection"
    except ssl.SSLCertVerificationError as exc:
        return "fail", f"{where}: TLS certificate rejected: {exc.verify_message}"
    except TimeoutError:
        return "fail", f"{where}: no answer within {timeout:g}s"
    except OSError as exc:
        return "fail", f"{where}: cannot connect ({network_reason(exc)})"
    elapsed = time.monotonic() - started
    return "ok", f"{where}: {', '.join(steps)} ok in {elapsed:.2f}s (no mail sent)"


def probe_store_url(url: str, team: str) -> int:
    """How many of ``team``'s pages wait in the outbox of the PostgreSQL store at ``url``
    (connected with its timeouts, migrated if needed: that takes a write transaction).

    Raises ``StoreError`` (unreachable) or ``UsageError`` (no driver).
    """
    from oncall.adapters.store.factory import open_store

    with open_store(url, team=team) as store:
        return len(store.outbox_items())


def probe_store_file(path: Path, busy_timeout: float, team: str = "") -> int:
    """How many of ``team``'s pages wait in the outbox of the store at ``path`` (opened, and
    created and migrated if needed), once a write transaction has been taken there and rolled
    back.

    Raises ``StoreError``, also for a SQLite error (``cannot write to the store at ...``).
    """
    from oncall.adapters.store.factory import open_store

    try:
        with open_store(path, team=team) as store:
            waiting = len(store.outbox_items())
        _write_and_roll_back(path, busy_timeout)
    except sqlite3.Error as exc:
        raise StoreError(f"cannot write to the store at {path}: {exc}") from exc
    return waiting


def _write_and_roll_back(path: Path, busy_timeout: float) -> None:
    """Take the write lock as every store write does, write, and roll back."""
    conn = sqlite3.connect(path, timeout=busy_timeout, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")  # takes the write lock
        try:
            conn.execute("CREATE TABLE oncall_doctor_probe (x INTEGER)")
            conn.execute("INSERT INTO oncall_doctor_probe VALUES (1)")
        finally:
            conn.execute("ROLLBACK")
    finally:
        conn.close()


def fetch_once(name: str, spec: SourceSpec, base_dir: Path, query: SeriesQuery) -> float:
    """Seconds one ``query`` took on a state source of its own (probes run concurrently and
    must not share a client). Raises ``StateSourceError`` (``StateDataError`` for bad data)."""
    from oncall.adapters.state import build_source

    started = time.monotonic()
    source = build_source(name, spec, base_dir)
    try:
        source.fetch(query)
    finally:
        close = getattr(source, "close", None)
        if callable(close):
            close()
    return time.monotonic() - started


def probe_query_source(name: str, spec: SourceSpec, base_dir: Path) -> float:
    """Seconds a ``sql`` source's ``SELECT 1`` or a ``bigquery`` source's dry run took, on a
    source of its own. Raises ``StateSourceError`` with what to fix."""
    from oncall.adapters.state import build_source

    started = time.monotonic()
    source = build_source(name, spec, base_dir)
    try:
        source.probe()  # type: ignore[attr-defined]
    finally:
        close = getattr(source, "close", None)
        if callable(close):
            close()
    return time.monotonic() - started


def monitoring_failure(exc: BaseException | None) -> MonitoringFailure:
    """What kind of failure the Cloud Monitoring client's ``exc`` (the cause of a
    ``StateSourceError``) is."""
    from google.api_core import exceptions as core
    from google.auth import exceptions as auth

    cause = exc
    if isinstance(cause, core.RetryError) and isinstance(cause.cause, Exception):
        cause = cause.cause
    if isinstance(cause, core.PermissionDenied):
        return "permission"
    if isinstance(cause, auth.DefaultCredentialsError | auth.RefreshError | core.Unauthenticated):
        return "credentials"
    if isinstance(cause, core.NotFound):
        return "not-found"
    if isinstance(cause, core.InvalidArgument):
        return "argument"
    if isinstance(cause, core.DeadlineExceeded | TimeoutError):
        return "timeout"
    return "other"
