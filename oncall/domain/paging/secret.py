"""Secrets as values: a :class:`Secret` never shows itself, and env-var names are checked.

Reading a secret's value from the environment is I/O: see :mod:`oncall.adapters.secrets`.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["Secret", "check_env_name"]

_ENV_NAME = re.compile(r"^[A-Z][A-Z0-9_]{0,127}$")


class Secret:
    """A secret value that never shows itself: ``str()``/``repr()`` give :meth:`mask`.

    Use :meth:`reveal` only at the point of use (an HTTP request, an SMTP login).
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def mask(self) -> str:
        """``****`` plus the last 4 characters; just ``****`` when the value is short."""
        if len(self._value) < 12:
            return "****"
        return "****" + self._value[-4:]

    def __repr__(self) -> str:
        return self.mask()

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return format(self.mask(), spec)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash((Secret, self._value))

    def __reduce__(self) -> Any:
        raise TypeError("a Secret cannot be pickled")


def check_env_name(name: str) -> str:
    """Return ``name`` if it looks like an environment variable name, else ValueError.

    The message never repeats the value: a mistake here is often a pasted secret.
    """
    if not _ENV_NAME.match(name):
        raise ValueError(
            "must be the NAME of an environment variable (upper case, digits and _, "
            "like ONCALL_SLACK_WEBHOOK), not the secret itself"
        )
    return name
