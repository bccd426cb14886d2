"""Where the store is: a URL (``postgresql://...`` or ``sqlite:///path``) or a SQLite file.

First found wins: ``$ONCALL_STATE_URL``; ``$ONCALL_STATE_DB`` (a SQLite path); the ``store:``
of ``config/state.yaml`` (read by the config layer and passed in here); else the team's own
SQLite file in the per-user state directory, ``<state dir>/oncall/<team-id>.db``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import platformdirs

__all__ = [
    "ENV_VAR",
    "LEGACY_TEAM",
    "URL_ENV_VAR",
    "StoreLocation",
    "default_db_path",
    "legacy_db_path",
    "mask_url",
    "resolve_location",
    "same_store",
    "team_db_path",
]

ENV_VAR = "ONCALL_STATE_DB"
URL_ENV_VAR = "ONCALL_STATE_URL"
LEGACY_TEAM = ""
"""The team of records written before stores knew teams (and of handles opened without one)."""

POSTGRES_SCHEMES = ("postgresql", "postgres")
_PASSWORD_PARAM = re.compile(r"(?i)(password=)[^&;\s]*")


@dataclass(frozen=True)
class StoreLocation:
    """A resolved store: ``url`` for PostgreSQL, else ``path`` of a SQLite file."""

    source: str
    """What named it: ``ONCALL_STATE_URL``, ``ONCALL_STATE_DB``, ``state.yaml`` or ``default``."""
    url: str | None = None
    path: Path | None = None

    @property
    def backend(self) -> str:
        return "postgresql" if self.url is not None else "sqlite"

    def describe(self) -> str:
        return mask_url(self.url) if self.url is not None else str(self.path)


def _state_dir() -> Path:
    return Path(platformdirs.user_state_dir("oncall"))


def legacy_db_path() -> Path:
    """The one shared file every team used before stores knew teams."""
    return _state_dir() / "oncall.db"


def team_db_path(team: str) -> Path:
    """The default SQLite file of ``team``: ``<state dir>/oncall/<team>.db``."""
    return _state_dir() / f"{team or 'oncall'}.db"


def default_db_path() -> Path:
    """``$ONCALL_STATE_DB`` if set and non-empty, else the shared file of stores without teams."""
    configured = os.environ.get(ENV_VAR, "").strip()
    if configured:
        return Path(configured).expanduser()
    return legacy_db_path()


def parse_location(value: str, source: str) -> StoreLocation:
    """A URL or a path: ``postgresql://...``, ``sqlite:///path`` or a plain file path."""
    text = value.strip()
    scheme = text.split(":", 1)[0].lower() if "://" in text else ""
    if scheme in POSTGRES_SCHEMES:
        return StoreLocation(source, url=text)
    if scheme == "sqlite":
        # sqlite:///abs/path and SQLAlchemy's sqlite:////abs/path both name /abs/path.
        path = urlsplit(text).path
        if path.startswith("//"):
            path = "/" + path.lstrip("/")
        if not path.strip("/"):
            raise ValueError(f"{source}: {text!r} names no file: use sqlite:///path/to/file.db")
        return StoreLocation(source, path=Path(path).expanduser())
    if scheme:
        raise ValueError(
            f"{source}: unsupported store URL scheme {scheme!r}: use postgresql://... or "
            "sqlite:///path/to/file.db"
        )
    return StoreLocation(source, path=Path(text).expanduser())


def resolve_location(team: str, configured: str | None = None) -> StoreLocation:
    """Where ``team``'s store is: the environment, then ``configured``, then the team's file."""
    url = os.environ.get(URL_ENV_VAR, "").strip()
    if url:
        return parse_location(url, URL_ENV_VAR)
    path = os.environ.get(ENV_VAR, "").strip()
    if path:
        return StoreLocation(ENV_VAR, path=Path(path).expanduser())
    if configured:
        return parse_location(configured, "state.yaml")
    return StoreLocation("default", path=team_db_path(team))


def _server_of(url: str) -> tuple[str, str, str]:
    """(host or socket directory, port, database) a PostgreSQL URL connects to, with libpq's
    defaults: query parameters first, then the URL, then ``PGHOST``/``PGPORT``/``PGDATABASE``."""
    from urllib.parse import parse_qs, unquote

    parts = urlsplit(url)
    query = {k.lower(): v[-1] for k, v in parse_qs(parts.query).items()}
    host = query.get("host") or unquote(parts.hostname or "") or os.environ.get("PGHOST", "")
    host = host or "/var/run/postgresql"  # libpq's default: the local socket
    if host in ("127.0.0.1", "::1", "localhost"):
        host = "localhost"
    port = query.get("port") or (str(parts.port) if parts.port else "")
    port = port or os.environ.get("PGPORT", "") or "5432"
    user = query.get("user") or unquote(parts.username or "") or os.environ.get("PGUSER", "")
    database = query.get("dbname") or unquote(parts.path.lstrip("/"))
    database = database or os.environ.get("PGDATABASE", "") or user
    return host.rstrip("/"), port, database


def same_store(a: StoreLocation, b: StoreLocation) -> bool:
    """Whether two locations are one store: the same SQLite file (after symlinks and
    relative paths), or the same PostgreSQL host, port and database however spelt."""
    if a.backend != b.backend:
        return False
    if a.url is not None and b.url is not None:
        return _server_of(a.url) == _server_of(b.url)
    assert a.path is not None and b.path is not None
    return os.path.realpath(a.path) == os.path.realpath(b.path)


def mask_url(url: str) -> str:
    """``url`` with any password replaced by ``***`` (in the netloc and in a query string)."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, host = netloc.rpartition("@")
        if ":" in userinfo:
            userinfo = userinfo.split(":", 1)[0] + ":***"
        netloc = f"{userinfo}@{host}"
    query = _PASSWORD_PARAM.sub(r"\1***", parts.query)
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
