"""Which channel URLs are acceptable: a value check, so it lives in the domain.

The rule (https, or plain http to a loopback host only) is a property of the URL string
alone: no DNS lookup, no connection. Both the config models (a ``url`` written in
paging.yaml) and the pagers (a secret URL read from the environment at send time) apply
it, so it sits below both of them.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

__all__ = ["check_channel_url", "is_loopback_host"]


def is_loopback_host(host: str) -> bool:
    """127.0.0.0/8, ::1 or localhost."""
    host = host.lower().rstrip(".")
    if host == "localhost":
        return True
    try:
        addr = ipaddress.ip_address(host)
    except ValueError:
        return False
    if addr.version == 4:
        return addr in ipaddress.ip_network("127.0.0.0/8")
    return addr == ipaddress.ip_address("::1")


def check_channel_url(url: str, *, allow_credentials: bool = True) -> str:
    """Return ``url`` if it is a usable channel URL, else ValueError (without the URL).

    https is required; plain http is allowed only for loopback hosts (127.0.0.0/8, ::1,
    localhost), which is what tests and local relays use.
    """
    if any(c.isspace() or ord(c) < 32 for c in url):
        raise ValueError("URL must not contain spaces or control characters")
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        _ = parts.port  # raises ValueError on a bad port
    except ValueError:
        raise ValueError("not a valid URL") from None
    if not host:
        raise ValueError("URL must have a host, like https://example.com/path")
    if not allow_credentials and (parts.username is not None or parts.password is not None):
        raise ValueError("URL must not carry credentials; put secret URLs in an env var")
    if parts.scheme == "https":
        return url
    if parts.scheme == "http" and is_loopback_host(host):
        return url
    raise ValueError("URL must use https (http is allowed only for 127.0.0.1, ::1 or localhost)")
