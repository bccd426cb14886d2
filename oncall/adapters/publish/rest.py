"""A JSON-over-HTTP client with the paging retry policy, for REST APIs that answer JSON.

429, 5xx and network errors are retried within ``retry_budget`` (backoff plus jitter,
``Retry-After`` honoured, sleeps through the injected ``sleep``); other answers are returned
as they are, for the caller to explain. When retrying does not help,
:class:`~oncall.errors.PublishUnavailableError` says why, with every secret masked.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import httpx
import tenacity

from oncall.adapters.pagers.http import (
    DEFAULT_BACKOFF_BASE,
    DEFAULT_BACKOFF_MAX,
    cannot_resolve,
    describe_exception,
    error_reason,
    gave_up,
    parse_retry_after,
    scrub,
)
from oncall.adapters.pagers.retry import backoff, budget_stop, wait_retry_after
from oncall.domain.paging.secret import Secret
from oncall.domain.paging.url import is_loopback_host
from oncall.errors import PermanentDeliveryError, PublishUnavailableError, TransientDeliveryError

__all__ = ["JsonApi", "Reply"]

RESPONSE_MAX_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class Reply:
    """A final (non-retried) answer: status, parsed JSON (or None) and a short reason."""

    status: int
    data: Any
    reason: str

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


class JsonApi:
    """Requests to one API base URL, each retried within its own budget."""

    def __init__(
        self,
        name: str,
        base_url: str,
        *,
        headers: Mapping[str, str],
        secrets: Iterable[Secret],
        timeout: float,
        retry_budget: float,
        where: str,
        backoff_base: float = DEFAULT_BACKOFF_BASE,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self.base_url = base_url.rstrip("/")
        self._headers = {"User-Agent": "oncall", **headers}
        self._secrets = list(secrets)
        self.timeout = timeout
        self.retry_budget = retry_budget
        self._where = where
        self._backoff_base = backoff_base
        self._clock = clock
        self._sleep = sleep
        self._monotonic = monotonic
        loopback = is_loopback_host(urlsplit(self.base_url).hostname or "")
        self._client = httpx.Client(
            transport=transport, follow_redirects=False, trust_env=not loopback
        )

    def close(self) -> None:
        self._client.close()

    def __repr__(self) -> str:
        return f"JsonApi({self.name!r}, {self.base_url!r})"

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str | int] | None = None,
        body: Any = None,
    ) -> Reply:
        """One request, retried on 429/5xx/network errors; PublishUnavailableError if it fails."""
        start = self._monotonic()
        attempts = 0

        def elapsed() -> float:
            return self._monotonic() - start

        retrying = tenacity.Retrying(
            stop=budget_stop(self.retry_budget, elapsed),
            wait=wait_retry_after(backoff(self._backoff_base, DEFAULT_BACKOFF_MAX)),
            retry=tenacity.retry_if_exception_type(TransientDeliveryError),
            sleep=self._sleep,
            reraise=True,
        )
        what = f"{self.name}: {method} {path}"
        try:
            for attempt in retrying:
                with attempt:
                    attempts = attempt.retry_state.attempt_number
                    remaining = self.retry_budget - elapsed()
                    return self._attempt(method, path, params, body, remaining)
        except TransientDeliveryError as exc:
            why = exc.detail
            if exc.retry_after is not None and exc.retry_after > self.retry_budget - elapsed():
                why += f" (server asked to retry after {exc.retry_after:.0f}s)"
            detail = f"{what}: {why}; {gave_up(attempts, elapsed())}"
        except PermanentDeliveryError as exc:
            detail = f"{what}: {exc.detail}"
        raise PublishUnavailableError(scrub(detail, self._secrets))

    def _attempt(
        self,
        method: str,
        path: str,
        params: Mapping[str, str | int] | None,
        body: Any,
        remaining: float,
    ) -> Reply:
        per_attempt = min(self.timeout, remaining)
        if per_attempt <= 0:
            raise TransientDeliveryError("retry budget used up")
        headers = dict(self._headers)
        content = None
        if body is not None:
            content = json.dumps(body, ensure_ascii=False).encode()
            headers["Content-Type"] = "application/json"
        try:
            response = self._client.request(
                method,
                self.base_url + path,
                params=dict(params or {}),
                content=content,
                headers=headers,
                timeout=httpx.Timeout(per_attempt),
            )
        except httpx.TransportError as exc:
            host = urlsplit(self.base_url).hostname or self.base_url
            permanent = cannot_resolve(exc, host, self._where)
            if permanent is not None:
                raise permanent from None
            raise TransientDeliveryError(describe_exception(exc)) from None
        raw = response.content[:RESPONSE_MAX_BYTES]
        status = response.status_code
        reason = " ".join(error_reason(raw, response.headers.get("content-type", "")).split())
        reason = reason[:200]
        if status == 429 or status >= 500:
            retry_after = parse_retry_after(response.headers.get("retry-after"), self._clock())
            label = "rate limited" if status == 429 else "server error"
            raise TransientDeliveryError(
                f"HTTP {status} {label}" + (f": {reason}" if reason else ""), retry_after
            )
        if 300 <= status < 400:
            raise PermanentDeliveryError(f"HTTP {status}: unexpected redirect")
        try:
            data = json.loads(raw) if raw.strip() else None
        except ValueError:
            data = None
        return Reply(status, data, scrub(reason, self._secrets))
