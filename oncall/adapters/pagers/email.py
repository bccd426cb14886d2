"""Email delivery via SMTP (smtplib), optional STARTTLS and login from env vars.

The wire format (:func:`email_message`: a plain-text message) lives here with its pager.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import time
from collections.abc import Callable, Mapping, Sequence
from email.message import EmailMessage
from email.utils import format_datetime

import tenacity

from oncall.adapters.pagers.http import (
    DEFAULT_BACKOFF_BASE,
    DEFAULT_BACKOFF_MAX,
    cannot_resolve,
    gave_up,
    not_attempted,
    scrub,
)
from oncall.adapters.pagers.retry import backoff, budget_stop
from oncall.adapters.secrets import resolve_secret
from oncall.config.models.paging import EmailChannel
from oncall.domain.paging.content import (
    PageAction,
    PageContent,
    cap_details,
    cap_text,
    one_line,
    utc_iso,
)
from oncall.domain.paging.routing import DeliveryResult, Target
from oncall.domain.paging.secret import Secret
from oncall.domain.paging.url import is_loopback_host
from oncall.errors import MissingSecretError, PermanentDeliveryError, TransientDeliveryError

__all__ = ["EmailPager", "email_message"]

log = logging.getLogger("oncall.pagers")

DETAIL_MAX = 300


def _cut(text: str, limit: int = DETAIL_MAX) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def email_message(
    content: PageContent, from_: str, to: Sequence[str], action: PageAction = "trigger"
) -> EmailMessage:
    """A plain-text email; subject ``[CRITICAL] aggregate-profit: <summary>``."""
    prefix = {"trigger": "", "acknowledge": "ACKNOWLEDGED ", "resolve": "RESOLVED "}[action]
    subject = f"{prefix}[{content.severity.upper()}] {content.subject_label}: {content.summary}"
    msg = EmailMessage()
    msg["Subject"] = cap_text(one_line(subject), 250)
    msg["From"] = from_
    msg["To"] = ", ".join(to)
    msg["Date"] = format_datetime(content.created)
    msg["X-Oncall-Page-Id"] = one_line(content.page_id)
    msg["X-Oncall-Dedup-Key"] = one_line(content.dedup_key)
    lines = [content.summary, ""]
    rows: list[tuple[str, str | None]] = [
        ("Pipeline", content.pipeline),
        ("Family", content.family),
        ("Severity", content.severity),
        ("Responder", content.responder),
        ("Escalation", " -> ".join(content.escalation) or None),
        ("Primary owner", content.owners[0]),
        ("Secondary owner", content.owners[1]),
        ("Runbook", content.runbook),
        ("Page", content.page_id),
        ("Created", utc_iso(content.created)),
    ]
    lines += [f"{k}: {v}" for k, v in rows if v]
    details = cap_details(content.details)
    if details:
        lines += ["", "Details:"] + [f"  {k}: {v}" for k, v in details.items()]
    msg.set_content("\n".join(lines) + "\n")
    return msg


def _smtp_text(raw: bytes | str) -> str:
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)


def _classify(code: int, what: str, text: str) -> Exception:
    detail = f"SMTP {code} {what}" + (f": {text}" if text else "")
    if 400 <= code < 500:
        return TransientDeliveryError(detail)
    return PermanentDeliveryError(detail)


class EmailPager:
    """Sends a plain-text email to the person's ``email``.

    Retried: connection errors, timeouts, dropped connections and 4xx (transient) SMTP
    replies. Not retried: 5xx replies, a missing STARTTLS, a bad certificate, a host name
    that does not resolve.
    Credentials are sent only after STARTTLS, or to a loopback relay.
    """

    def __init__(
        self,
        channel: str,
        config: EmailChannel,
        *,
        backoff_base: float = DEFAULT_BACKOFF_BASE,
        backoff_max: float = DEFAULT_BACKOFF_MAX,
        environ: Mapping[str, str] | None = None,
        ssl_context: ssl.SSLContext | None = None,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.channel = channel
        self.config = config
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self._environ = environ
        self._ssl_context = ssl_context
        self._sleep = sleep
        self._monotonic = monotonic

    def __repr__(self) -> str:
        return f"EmailPager({self.channel!r}, {self.config.host}:{self.config.port})"

    def send(
        self, content: PageContent, target: Target, action: PageAction = "trigger"
    ) -> DeliveryResult:
        to = target.label
        if not target.email:
            return not_attempted(self.channel, to, f"no email address for {to}")
        login: tuple[Secret, Secret] | None = None
        if self.config.username_env and self.config.password_env:
            try:
                login = (
                    resolve_secret(self.config.username_env, self._environ),
                    resolve_secret(self.config.password_env, self._environ),
                )
            except MissingSecretError as exc:
                return not_attempted(self.channel, to, str(exc))
            if not self.config.starttls and not is_loopback_host(self.config.host):
                return not_attempted(
                    self.channel, to, "refusing to send SMTP credentials without STARTTLS"
                )
        try:
            msg = email_message(content, self.config.from_, [target.email], action)
        except (ValueError, TypeError) as exc:
            return not_attempted(self.channel, to, f"cannot build the email: {exc}")
        return self._deliver(msg, target.email, to, login)

    def _deliver(
        self, msg: EmailMessage, rcpt: str, to: str, login: tuple[Secret, Secret] | None
    ) -> DeliveryResult:
        budget = self.config.retry_budget.total_seconds()
        hidden = list(login or ())
        start = self._monotonic()
        attempts = 0

        def elapsed() -> float:
            return self._monotonic() - start

        def before_sleep(state: tenacity.RetryCallState) -> None:
            exc = state.outcome.exception() if state.outcome is not None else None
            reason = exc.detail if isinstance(exc, TransientDeliveryError) else "error"
            log.info(
                "%s to %s: attempt %d failed (%s); retrying in %.2fs",
                self.channel,
                to,
                state.attempt_number,
                scrub(reason, hidden),
                state.upcoming_sleep,
            )

        retrying = tenacity.Retrying(
            stop=budget_stop(budget, elapsed),
            wait=backoff(self.backoff_base, self.backoff_max),
            retry=tenacity.retry_if_exception_type(TransientDeliveryError),
            before_sleep=before_sleep,
            sleep=self._sleep,
            reraise=True,
        )
        failed: TransientDeliveryError | None = None
        try:
            for attempt in retrying:
                with attempt:
                    remaining = budget - elapsed()
                    if failed is not None and remaining <= 0:
                        raise failed  # the wait used up the budget: the last failure stands
                    attempts = attempt.retry_state.attempt_number
                    try:
                        self._attempt(msg, rcpt, login, remaining)
                    except TransientDeliveryError as exc:
                        failed = exc
                        raise
            host = f"{self.config.host}:{self.config.port}"
            return DeliveryResult(self.channel, to, "sent", attempts, f"accepted by {host}")
        except TransientDeliveryError as exc:
            detail = f"{exc.detail}; {gave_up(attempts, elapsed())}"
        except PermanentDeliveryError as exc:
            detail = f"{exc.detail} (not retried)"
        except Exception as exc:  # never raise for a delivery failure
            detail = f"unexpected error: {type(exc).__name__}: {exc}"
        detail = _cut(scrub(detail, hidden))
        log.info("%s to %s: delivery failed: %s", self.channel, to, detail)
        return DeliveryResult(self.channel, to, "failed", attempts, detail)

    def _attempt(
        self,
        msg: EmailMessage,
        rcpt: str,
        login: tuple[Secret, Secret] | None,
        remaining: float,
    ) -> None:
        timeout = min(self.config.timeout.total_seconds(), remaining)
        if timeout <= 0:
            raise TransientDeliveryError("retry budget used up")
        cfg = self.config
        try:
            with smtplib.SMTP(cfg.host, cfg.port, timeout=timeout) as smtp:
                smtp.ehlo()
                if cfg.starttls:
                    smtp.starttls(context=self._ssl_context or ssl.create_default_context())
                    smtp.ehlo()
                if login is not None:
                    smtp.login(login[0].reveal(), login[1].reveal())
                smtp.send_message(msg, from_addr=cfg.from_, to_addrs=[rcpt])
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            text = "; ".join(_smtp_text(m) for _, m in exc.recipients.values())
            code = max(codes) if codes else 550
            raise _classify(code, "recipient refused", _cut(text, 200)) from None
        except smtplib.SMTPAuthenticationError as exc:
            raise _classify(exc.smtp_code, "login failed", "") from None
        except smtplib.SMTPResponseException as exc:
            raise _classify(exc.smtp_code, "error", _cut(_smtp_text(exc.smtp_error), 200)) from None
        except smtplib.SMTPNotSupportedError as exc:
            raise PermanentDeliveryError(f"SMTP server does not support it: {exc}") from None
        except ssl.SSLCertVerificationError as exc:
            raise PermanentDeliveryError(
                f"TLS certificate rejected: {exc.verify_message}"
            ) from None
        except smtplib.SMTPServerDisconnected:
            raise TransientDeliveryError("SMTP server closed the connection") from None
        except TimeoutError:
            raise TransientDeliveryError("SMTP timeout") from None
        except OSError as exc:  # connection refused/reset, DNS, TLS handshake
            permanent = cannot_resolve(
                exc, cfg.host, f"channels.{self.channel}.host in paging.yaml"
            )
            if permanent is not None:
                raise permanent from None
            reason = exc.strerror or str(exc) or type(exc).__name__
            raise TransientDeliveryError(f"SMTP connection failed: {reason}") from None
