"""Argument checks and not-found errors that every store backend shares, word for word."""

from __future__ import annotations

from oncall.errors import NotFoundError


def check_choice(value: str, allowed: frozenset[str], what: str) -> None:
    """A bad status is a programming error (ValueError), not a user error."""
    if value not in allowed:
        raise ValueError(f"bad {what} {value!r}: use one of {', '.join(sorted(allowed))}")


def check_limit(limit: int) -> None:
    if limit < 0:
        raise ValueError(f"limit must be >= 0, got {limit}")


def page_not_found(ref: str) -> NotFoundError:
    return NotFoundError(f"no page {ref!r}: use a page id or dedup key from `oncall page list`")


def run_not_found(run_id: str) -> NotFoundError:
    return NotFoundError(f"no run {run_id!r}: see `oncall runbook runs` for run ids")
