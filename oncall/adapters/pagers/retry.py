"""Retries of the HTTP (and SMTP) deliveries: tenacity's waits and stops with a budget.

Imported only once an attempt has failed (or by a module that retries anyway): a delivery
that succeeds at once never loads tenacity.
"""

from __future__ import annotations

from collections.abc import Callable

import tenacity
from tenacity.stop import stop_base
from tenacity.wait import wait_base

from oncall.errors import TransientDeliveryError

__all__ = ["backoff", "budget_stop", "wait_retry_after"]


def backoff(base: float, maximum: float) -> wait_base:
    """Exponential backoff (``base``, ``2*base``, ... up to ``maximum``) plus jitter in
    ``[0, base]``, so clients that failed together do not retry together."""
    return tenacity.wait_exponential(multiplier=base, max=maximum) + tenacity.wait_random(0, base)


class budget_stop(stop_base):
    """Stop once ``budget`` seconds have passed, or when the next sleep would pass it.

    Elapsed time comes from ``elapsed`` (the caller's injectable monotonic clock), not
    from tenacity's own, so a test with a fake clock and sleeper sees the budget end.
    """

    def __init__(self, budget: float, elapsed: Callable[[], float]) -> None:
        self.budget = budget
        self.elapsed = elapsed

    def __call__(self, retry_state: tenacity.RetryCallState) -> bool:
        spent = self.elapsed()
        return spent >= self.budget or spent + (retry_state.upcoming_sleep or 0) >= self.budget


class wait_retry_after(wait_base):
    """Wait what the server asked for in ``Retry-After``; otherwise ``fallback``."""

    def __init__(self, fallback: wait_base) -> None:
        self.fallback = fallback

    def __call__(self, retry_state: tenacity.RetryCallState) -> float:
        outcome = retry_state.outcome
        exc = outcome.exception() if outcome is not None and outcome.failed else None
        if isinstance(exc, TransientDeliveryError) and exc.retry_after is not None:
            return exc.retry_after
        return float(self.fallback(retry_state))
