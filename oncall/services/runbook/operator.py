"""Who runs a runbook: the name saved with every run."""

from __future__ import annotations

import getpass
import os

__all__ = ["OPERATOR_ENV", "resolve_operator"]

OPERATOR_ENV = "ONCALL_OPERATOR"


def resolve_operator(explicit: str | None) -> str:
    """``--operator``, else ``$ONCALL_OPERATOR``, else the login name, else ``unknown``."""
    for value in (explicit, os.environ.get(OPERATOR_ENV)):
        if value and value.strip():
            return value.strip()
    try:
        return getpass.getuser() or "unknown"
    except (OSError, KeyError, ImportError):
        return "unknown"
