"""Shared HTTP delivery: httpx with a per-attempt timeout, tenacity retries in a budget.

Retried: 429, 5xx and network errors (connection refused, timeouts, dropped connections,
a DNS server that did not answer), with exponential backoff plus jitter, honouring
``Retry-After`` (seconds or HTTP date). Not retried: other 4xx answers, redirects, and a
host name that does not resolve (a typo in a URL does not fix itself). The whole send,
sleeps included, stays within ``retry_budget``; it never raises for delivery failures and
never reports a secret (secret URLs and keys are masked in every detail and log line).
"""

from __future__ import annotations

import functools
import json
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any, Generic, TypeVar
from urllib.parse import quote, urlsplit

from oncall.adapters.secrets import resolve_secret
from oncall.config.models.paging import PagerDutyChannel, SlackChannel, WebhookChannel
from oncall.domain.paging.routing import DeliveryResult
from oncall.domain.paging.secret import Secret
from oncall.domain.paging.url import check_channel_url, is_loopback_host
from oncall.errors import PermanentDeliveryError, TransientDeliveryError

if TYPE_CHECKING:
    import tenacity

    from oncall.adapters.pagers.httpxlib import Clients, httpx

__all__ = [
    "DEFAULT_BACKOFF_BASE",
    "DEFAULT_BACKOFF_MAX",
    "HttpDelivery",
    "HttpPager",
    "cannot_resolve",
    "describe_exception",
    "error_reason",
    "gave_up",
    "not_attempted",
    "parse_retry_after",
    "resolve_url_secret",
    "scrub",
]

log = logging.getLogger("oncall.pagers")

DEFAULT_BACKOFF_BASE = 0.5
DEFAULT_BACKOFF_MAX = 8.0
DETAIL_MAX = 300
RESPONSE_MAX_BYTES = 64 * 1024


@functools.lru_cache(maxsize=256)
def _forms_longest_first(secret: Secret) -> tuple[str, ...]:
    """:func:`_secret_forms`, longest first (a secret's forms, once per process)."""
    return tuple(sorted(_secret_forms(secret), key=len, reverse=True))


def _secret_forms(secret: Secret) -> set[str]:
    value = secret.reveal()
    forms = {value, quote(value, safe=""), quote(value, safe="/:")}
    try:
        parts = urlsplit(value)
    except ValueError:
        parts = None
    if parts is not None and parts.scheme and parts.netloc:
        # Exceptions and logs may print only part of a URL, or a normalised form.
        forms.update({parts.path, parts.query, parts.path + "?" + parts.query})
        # Tokens often sit alone in a path segment or a query value.
        forms.update(seg for seg in parts.path.split("/") if len(seg) >= 8)
        forms.update(
            kv.partition("=")[2] for kv in parts.query.split("&") if len(kv.partition("=")[2]) >= 8
        )
        if parts.password:
            forms.add(parts.password)
        if parts.username:
            forms.add(parts.username)
    return {f for f in forms if len(f) >= 4 and f not in ("/", "http", "https")}


def scrub(text: str, secrets: Iterable[Secret]) -> str:
    """``text`` with every form of every secret replaced by its mask."""
    for secret in secrets:
        for form in _forms_longest_first(secret):
            text = text.replace(form, secret.mask())
    return text


def _cut(text: str, limit: int = DETAIL_MAX) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def gave_up(attempts: int, elapsed: float) -> str:
    return f"gave up after {attempts} attempt{'s' if attempts != 1 else ''} in {elapsed:.1f}s"


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP date)."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def error_reason(response_body: bytes, content_type: str) -> str:
    """A short reason from an error body: PagerDuty's ``message``/``errors``, or text."""
    text = response_body.decode("utf-8", "replace")
    if "json" in content_type or text.lstrip().startswith("{"):
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        if isinstance(data, dict):
            parts: list[str] = []
            for key in ("status", "message", "error"):
                v = data.get(key)
                if isinstance(v, str) and v and v not in parts:
                    parts.append(v)
            errors = data.get("errors")
            if isinstance(errors, list) and errors:
                parts.append("; ".join(str(e) for e in errors[:5]))
            if parts:
                return ": ".join(parts)
    return text


def describe_exception(exc: BaseException) -> str:
    """A human reason for a network error (httpx messages can be empty)."""
    from oncall.adapters.pagers.httpxlib import httpx

    if isinstance(exc, httpx.TimeoutException):
        kind = {
            httpx.ConnectTimeout: "connect timeout",
            httpx.ReadTimeout: "read timeout",
            httpx.WriteTimeout: "write timeout",
            httpx.PoolTimeout: "pool timeout",
        }.get(type(exc), "timeout")
        return kind
    if isinstance(exc, httpx.ConnectError):
        return f"connection failed: {exc}" if str(exc) else "connection failed"
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _gaierror(exc: BaseException) -> socket.gaierror | None:
    """The DNS failure anywhere in ``exc``'s cause/context chain, if there is one."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, socket.gaierror):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def cannot_resolve(exc: BaseException, host: str, where: str) -> PermanentDeliveryError | None:
    """A permanent error when ``exc`` says ``host`` does not resolve; None otherwise.

    A name that does not exist (``EAI_NONAME``: "Name or service not known") is a typo or a
    decommissioned host: retrying only burns the retry budget. A DNS server that did not
    answer (``EAI_AGAIN``: "Temporary failure in name resolution") is left to the caller
    to retry like any network error.
    """
    found = _gaierror(exc)
    if found is None or found.errno == socket.EAI_AGAIN:
        return None
    reason = found.strerror or str(found) or "name not found"
    return PermanentDeliveryError(f"cannot resolve host {host} ({reason}): check {where}")


@dataclass(frozen=True)
class _Sent:
    status: int
    reason: str


class HttpDelivery:
    """POST JSON to a URL within a retry budget; the shared engine of HTTP pagers.

    ``backoff_base`` is the first backoff (and the jitter range) in seconds; tests pass
    a small value. ``transport`` lets callers plug an httpx transport (not needed for
    local servers). ``clock`` gives wall time for ``Retry-After`` dates; ``sleep`` waits
    between attempts and ``monotonic`` measures the budget (tests pass fakes of both, so
    nothing sleeps for real).
    """

    def __init__(
        self,
        *,
        timeout: float,
        retry_budget: float,
        backoff_base: float = DEFAULT_BACKOFF_BASE,
        backoff_max: float = DEFAULT_BACKOFF_MAX,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if timeout <= 0 or retry_budget <= 0:
            raise ValueError("timeout and retry_budget must be positive")
        self.timeout = timeout
        self.retry_budget = retry_budget
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self._transport = transport
        self._clock = clock
        self._sleep = sleep
        self._monotonic = monotonic
        # Clients reused by every delivery of this channel (a new client costs a TLS
        # context and a connection each time); safe across threads. Made (and httpx
        # imported) at the first delivery: a command that sends nothing never loads it.
        self._clients: Clients | None = None
        self._clients_lock = threading.Lock()

    first_attempt_alone = True
    """Make the first attempt before building the retry loop (and importing tenacity): the
    same outcome as the loop's own first attempt, which has no stop or wait before it.
    False runs every attempt in the loop (the tests compare the two)."""

    def close(self) -> None:
        """Close the reused HTTP clients (a later delivery opens new ones)."""
        if self._clients is not None:
            self._clients.close()

    def _client(self, *, loopback: bool, tls: bool) -> httpx.Client:
        """The reused client for this kind of URL; httpx imported, and the URLs in its log
        lines masked, at the first delivery."""
        clients = self._clients
        if clients is None:
            with self._clients_lock:
                if self._clients is None:
                    from oncall.adapters.pagers.httpxlib import Clients, install_url_redaction

                    install_url_redaction()
                    self._clients = Clients(self._transport)
                clients = self._clients
        return clients.get(loopback=loopback, tls=tls)

    def __repr__(self) -> str:
        return (
            f"HttpDelivery(timeout={self.timeout}, retry_budget={self.retry_budget}, "
            f"backoff_base={self.backoff_base})"
        )

    def post_json(
        self,
        url: Secret | str,
        body: Mapping[str, Any],
        *,
        channel: str,
        to: str,
        secrets: Iterable[Secret] = (),
        headers: Mapping[str, str] | None = None,
        where: str = "the channel's host/URL",
    ) -> DeliveryResult:
        """POST ``body``; a result that says ``sent`` or why it ``failed``. Never raises.

        ``where`` tells the reader what to fix when the host does not resolve, e.g.
        ``the URL in ONCALL_SLACK_WEBHOOK``."""
        hidden = [*secrets, *([url] if isinstance(url, Secret) else [])]
        target = url.reveal() if isinstance(url, Secret) else url
        content = json.dumps(body, ensure_ascii=False).encode()
        send_headers = {"Content-Type": "application/json", "User-Agent": "oncall"}
        send_headers.update(headers or {})
        start = self._monotonic()
        attempts = 0

        def elapsed() -> float:
            return self._monotonic() - start

        def remaining() -> float:
            return self.retry_budget - elapsed()

        def before_sleep(state: tenacity.RetryCallState) -> None:
            exc = state.outcome.exception() if state.outcome is not None else None
            reason = exc.detail if isinstance(exc, TransientDeliveryError) else "error"
            log.info(
                "%s to %s: attempt %d failed (%s); retrying in %.2fs",
                channel,
                to,
                state.attempt_number,
                scrub(reason, hidden),
                state.upcoming_sleep,
            )

        try:
            # Proxy settings from the environment apply, except to loopback relays.
            loopback, tls = _route(url)
            client = self._client(loopback=loopback, tls=tls)
            failed: TransientDeliveryError | None = None
            if self.first_attempt_alone:  # tenacity only once an attempt has failed
                attempts = 1
                try:
                    sent = self._attempt(client, target, content, send_headers, remaining(), where)
                except TransientDeliveryError as exc:
                    failed = exc
            if failed is not None or not self.first_attempt_alone:
                for attempt in _retrying(self, elapsed, before_sleep):
                    with attempt:
                        number = attempt.retry_state.attempt_number
                        if failed is not None and (number == 1 or remaining() <= 0):
                            # The first attempt, made above: the same outcome. Or the wait
                            # before this one used up the budget (a busy machine): the last
                            # real failure stands, not a try that had no time to run.
                            raise failed
                        attempts = number
                        try:
                            sent = self._attempt(
                                client, target, content, send_headers, remaining(), where
                            )
                        except TransientDeliveryError as exc:
                            failed = exc
                            raise
            ok = f"HTTP {sent.status}" + (f": {sent.reason}" if sent.reason else "")
            return DeliveryResult(channel, to, "sent", attempts, _cut(scrub(ok, hidden)))
        except TransientDeliveryError as exc:
            why = exc.detail
            if exc.retry_after is not None and exc.retry_after > remaining():
                why += f" (server asked to retry after {exc.retry_after:.0f}s)"
            detail = f"{why}; {gave_up(attempts, elapsed())}"
        except PermanentDeliveryError as exc:
            detail = f"{exc.detail} (not retried)"
        except Exception as exc:  # never raise for a delivery failure
            detail = f"unexpected error: {type(exc).__name__}: {exc}"
        detail = _cut(scrub(detail, hidden))
        # INFO, not WARNING: the result carries the failure and the caller reports it once
        # (a WARNING would reach stderr through logging's last-resort handler as well).
        log.info("%s to %s: delivery failed: %s", channel, to, detail)
        return DeliveryResult(channel, to, "failed", attempts, detail)

    def _attempt(
        self,
        client: httpx.Client,
        url: str,
        content: bytes,
        headers: Mapping[str, str],
        remaining: float,
        where: str,
    ) -> _Sent:
        from oncall.adapters.pagers.httpxlib import httpx

        per_attempt = min(self.timeout, remaining)
        if per_attempt <= 0:
            raise TransientDeliveryError("retry budget used up")
        deadline = self._monotonic() + per_attempt
        try:
            with client.stream(
                "POST", url, content=content, headers=headers, timeout=httpx.Timeout(per_attempt)
            ) as response:
                body = bytearray()
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > RESPONSE_MAX_BYTES or self._monotonic() > deadline:
                        break
        except httpx.TransportError as exc:
            permanent = cannot_resolve(exc, urlsplit(url).hostname or url, where)
            if permanent is not None:
                raise permanent from None
            raise TransientDeliveryError(describe_exception(exc)) from None
        status = response.status_code
        reason = _cut(error_reason(bytes(body), response.headers.get("content-type", "")), 200)
        if 200 <= status < 300:
            return _Sent(status, reason if len(reason) <= 80 else "")
        if status == 429 or status >= 500:
            retry_after = parse_retry_after(response.headers.get("retry-after"), self._clock())
            label = "rate limited" if status == 429 else "server error"
            raise TransientDeliveryError(
                f"HTTP {status} {label}" + (f": {reason}" if reason else ""), retry_after
            )
        if 300 <= status < 400:
            raise PermanentDeliveryError(f"HTTP {status}: unexpected redirect")
        raise PermanentDeliveryError(f"HTTP {status}" + (f": {reason}" if reason else ""))


@functools.lru_cache(maxsize=256)
def _route(url: Secret | str) -> tuple[bool, bool]:
    """Whether ``url`` is on a loopback host, and whether it is not plain http (once per URL
    and process: the answer depends on the URL string alone)."""
    parts = urlsplit(url.reveal() if isinstance(url, Secret) else url)
    return is_loopback_host(parts.hostname or ""), parts.scheme != "http"


@functools.lru_cache(maxsize=256)
def _checked_url(url: Secret) -> Secret:
    """``url`` once :func:`check_channel_url` accepted it (a pure check of the string: done
    once per URL and process; a rejected URL raises, and is checked again next time)."""
    check_channel_url(url.reveal())
    return url


def _retrying(
    http: HttpDelivery,
    elapsed: Callable[[], float],
    before_sleep: Callable[[tenacity.RetryCallState], None],
) -> tenacity.Retrying:
    """The retry loop of one send: transient errors retried within the budget."""
    import tenacity

    from oncall.adapters.pagers.retry import backoff, budget_stop, wait_retry_after

    return tenacity.Retrying(
        stop=budget_stop(http.retry_budget, elapsed),
        wait=wait_retry_after(backoff(http.backoff_base, http.backoff_max)),
        retry=tenacity.retry_if_exception_type(TransientDeliveryError),
        before_sleep=before_sleep,
        sleep=http._sleep,
        reraise=True,
    )


def resolve_url_secret(env_name: str, environ: Mapping[str, str] | None = None) -> Secret:
    """The URL held by ``env_name``, checked like config URLs (https, or http on loopback).

    Raises MissingSecretError or ValueError; neither message contains the URL.
    """
    url = resolve_secret(env_name, environ)
    try:
        _checked_url(url)
    except ValueError as exc:
        raise ValueError(f"{env_name}: {exc}") from None
    return url


def not_attempted(channel: str, to: str, detail: str) -> DeliveryResult:
    """A failure found before any attempt (missing env var, insecure URL, no address)."""
    log.info("%s to %s: not sent: %s", channel, to, detail)
    return DeliveryResult(channel, to, "failed", 0, _cut(detail))


ChannelT = TypeVar("ChannelT", PagerDutyChannel, SlackChannel, WebhookChannel)


class HttpPager(Generic[ChannelT]):
    """What every HTTP pager shares: its channel config and a bounded ``HttpDelivery``."""

    def __init__(
        self,
        channel: str,
        config: ChannelT,
        *,
        backoff_base: float = DEFAULT_BACKOFF_BASE,
        environ: Mapping[str, str] | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.channel = channel
        self.config: ChannelT = config
        self._environ = environ
        self._http = HttpDelivery(
            timeout=config.timeout.total_seconds(),
            retry_budget=config.retry_budget.total_seconds(),
            backoff_base=backoff_base,
            transport=transport,
            sleep=sleep,
            monotonic=monotonic,
            clock=clock,
        )

    def close(self) -> None:
        """Close the channel's reused HTTP clients."""
        self._http.close()
