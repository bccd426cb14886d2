"""Secrets from the environment: the one place paging reads secret values.

Config names environment variables (``*_env`` keys); their values are read here, at the
point of use, and wrapped in :class:`~oncall.domain.paging.secret.Secret` so they never
show themselves. ``environ`` defaults to ``os.environ`` everywhere; tests pass a mapping.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping

from oncall.domain.paging.secret import Secret, check_env_name
from oncall.errors import MissingSecretError

__all__ = ["read_secrets", "resolve_secret", "unset_env"]


def _env(environ: Mapping[str, str] | None) -> Mapping[str, str]:
    return os.environ if environ is None else environ


def resolve_secret(env_name: str, environ: Mapping[str, str] | None = None) -> Secret:
    """The secret held by ``env_name`` (in ``environ``, default ``os.environ``).

    Raises ValueError for a bad name and MissingSecretError when it is not set.
    """
    check_env_name(env_name)
    value = _env(environ).get(env_name)
    if value is None or not value.strip():
        raise MissingSecretError(env_name)
    return Secret(value.strip())


def unset_env(names: Iterable[str], environ: Mapping[str, str] | None = None) -> list[str]:
    """Which of ``names`` are not set (or blank) in ``environ``: sorted and unique."""
    env = _env(environ)
    return sorted(n for n in set(names) if not env.get(n, "").strip())


def read_secrets(names: Iterable[str], environ: Mapping[str, str] | None = None) -> list[Secret]:
    """The secrets among ``names`` that are set, in order, each once."""
    env = _env(environ)
    out: list[Secret] = []
    for name in dict.fromkeys(names):
        value = env.get(name, "").strip()
        if value:
            out.append(Secret(value))
    return out
