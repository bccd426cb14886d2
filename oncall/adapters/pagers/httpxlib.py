"""httpx for the pagers: imported without its command-line client, clients reused per
channel (plain-HTTP loopback relays without loading any CA bundle), URLs redacted in its logs.

``httpx/__init__`` imports ``httpx._main``, the ``httpx`` console command, which imports
click, rich and pygments: about a third of what importing httpx costs (some 35 ms at the
start of every ``oncall page`` command), for a command the pagers never run. While httpx is
first imported here, ``httpx._main`` is blocked (``None`` in ``sys.modules``, so httpx's own
fallback catches the ImportError); then it is unblocked and ``httpx.main`` made to import
the real one when called, so ``httpx.main`` and ``import httpx._main`` work as before.

``from oncall.adapters.pagers.httpxlib import httpx`` instead of ``import httpx``.

A default ``httpx.Client`` builds a TLS context and loads certifi's CA bundle (about 40 ms),
even when it only ever talks plain HTTP. Plain HTTP is allowed to loopback relays only
(``check_channel_url``), and those are reached without proxies, so their client gets a TLS
context with no trusted CA at all instead: it is never used, and if anything did try TLS
through it, verification would fail (closed, never open). Every other client is httpx's
default, verifying against the CA bundle as before.
"""

from __future__ import annotations

import logging
import ssl
import sys
import threading
import weakref
from typing import Any

__all__ = ["Clients", "httpx", "install_url_redaction"]

_CLI = "httpx._main"


def _main(*args: Any, **kwargs: Any) -> Any:
    """``httpx.main``: the command-line client, imported when it is run."""
    from httpx._main import main

    return main(*args, **kwargs)


def _import_without_cli() -> None:
    if "httpx" in sys.modules or _CLI in sys.modules:
        return  # imported already (with its CLI or without): nothing to save
    sys.modules[_CLI] = None  # type: ignore[assignment]
    try:
        import httpx
    finally:
        if _CLI in sys.modules and sys.modules[_CLI] is None:
            del sys.modules[_CLI]
    httpx.main = _main  # type: ignore[assignment]  # the click command, when called


_import_without_cli()

import httpx  # noqa: E402  (after the import above, which it only looks up)

_NO_CA: ssl.SSLContext | None = None
_NO_CA_LOCK = threading.Lock()


def _no_ca_context() -> ssl.SSLContext:
    """A TLS context that verifies certificates and hostnames and trusts no CA: one per
    process, for the clients that never do TLS."""
    global _NO_CA
    with _NO_CA_LOCK:
        if _NO_CA is None:
            _NO_CA = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # CERT_REQUIRED, check_hostname
        return _NO_CA


def _close_all(clients: dict[tuple[bool, bool], httpx.Client]) -> None:
    for client in clients.values():
        client.close()
    clients.clear()


class Clients:
    """The httpx clients of one channel: one per kind of URL, created on first use, shared
    by threads. Loopback relays are reached without the environment's proxy settings."""

    def __init__(self, transport: httpx.BaseTransport | None = None) -> None:
        self._transport = transport
        self._clients: dict[tuple[bool, bool], httpx.Client] = {}
        self._lock = threading.Lock()
        weakref.finalize(self, _close_all, self._clients)

    def get(self, *, loopback: bool, tls: bool) -> httpx.Client:
        """The client for a URL on a loopback host or not, over TLS (https) or not."""
        key = (loopback, tls)
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                verify: ssl.SSLContext | bool = True
                if loopback and not tls and self._transport is None:
                    verify = _no_ca_context()
                client = httpx.Client(
                    transport=self._transport,
                    follow_redirects=False,
                    trust_env=not loopback,
                    verify=verify,
                )
                self._clients[key] = client
            return client

    def close(self) -> None:
        with self._lock:
            _close_all(self._clients)


class _RedactUrlFilter(logging.Filter):
    """httpx logs each request URL at INFO; secret webhook URLs carry tokens in the path.

    This keeps scheme, host and port and replaces path and query with ``/****``.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and any(isinstance(a, httpx.URL) for a in args):
            record.args = tuple(_redact_url(a) if isinstance(a, httpx.URL) else a for a in args)
        return True


def _redact_url(url: httpx.URL) -> str:
    port = f":{url.port}" if url.port else ""
    return f"{url.scheme}://{url.host}{port}/****"


_FILTER = _RedactUrlFilter()


def install_url_redaction() -> None:
    """Mask the path and query of every URL httpx logs (they may hold a secret)."""
    logger = logging.getLogger("httpx")
    if _FILTER not in logger.filters:
        logger.addFilter(_FILTER)
