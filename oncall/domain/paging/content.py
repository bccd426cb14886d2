"""What to page, to whom and when: config models and pure decisions (no delivery).

Everything here is pure: time is an argument, and the only ambient state read is the
environment in :func:`resolve_secret` / :func:`missing_env` when no mapping is passed.
Delivery lives in :mod:`oncall.adapters.pagers`.
"""

from __future__ import annotations

import hashlib
import ipaddress
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from oncall.domain.timeutil import parse_duration, resolve_wall_time
from oncall.errors import OncallError

__all__ = [
    "DEFAULT_PAGERDUTY_URL",
    "ChannelConfig",
    "DeliveryResult",
    "EmailChannel",
    "MissingSecretError",
    "PageAction",
    "PageContent",
    "PagerDutyChannel",
    "PagingConfig",
    "Secret",
    "Severity",
    "SlackChannel",
    "Target",
    "Urgency",
    "UrgencyConfig",
    "UrgencyLevel",
    "WebhookChannel",
    "check_channel_url",
    "check_env_name",
    "compute_repeats",
    "default_dedup_key",
    "email_message",
    "hold_until",
    "in_quiet_hours",
    "is_loopback_host",
    "missing_env",
    "pagerduty_event",
    "parse_quiet_hours",
    "quiet_hours_end",
    "resolve_secret",
    "resolve_target",
    "slack_message",
    "urgency_for",
    "webhook_body",
]

DEFAULT_PAGERDUTY_URL = "https://events.pagerduty.com/v2/enqueue"

Urgency = Literal["high", "low"]
Severity = Literal["critical", "error", "warning", "info"]
PageAction = Literal["trigger", "acknowledge", "resolve"]
SEVERITIES: tuple[Severity, ...] = ("critical", "error", "warning", "info")
ACTIONS: tuple[PageAction, ...] = ("trigger", "acknowledge", "resolve")

# PagerDuty Events API v2 documented limits.
PD_SUMMARY_MAX = 1024
PD_DEDUP_KEY_MAX = 255
# Our own caps so an event stays far below PagerDuty's 512 KB total limit.
DETAIL_VALUE_MAX = 2000
DETAILS_MAX = 50

_ENV_NAME = re.compile(r"^[A-Z][A-Z0-9_]{0,127}$")
_SLACK_MEMBER = re.compile(r"^[UW][A-Z0-9]{2,31}$")
_QUIET = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


# --------------------------------------------------------------------------- secrets


class MissingSecretError(OncallError):
    """A secret's environment variable is not set (the message names the variable only)."""

    exit_code = 2

    def __init__(self, env_name: str) -> None:
        self.env_name = env_name
        super().__init__(
            f"environment variable {env_name} is not set; export it before paging "
            "(see docs/paging.md)"
        )


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


def resolve_secret(env_name: str, environ: Mapping[str, str] | None = None) -> Secret:
    """The secret held by ``env_name`` (in ``environ``, default ``os.environ``)."""
    check_env_name(env_name)
    env = os.environ if environ is None else environ
    value = env.get(env_name)
    if value is None or not value.strip():
        raise MissingSecretError(env_name)
    return Secret(value.strip())


# --------------------------------------------------------------------------- URLs


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


# --------------------------------------------------------------------------- config


def _duration(value: object) -> object:
    if isinstance(value, bool):
        raise ValueError("expected a duration like 20s, 5m or 1h")
    if isinstance(value, int | float):
        return timedelta(seconds=value)
    if isinstance(value, str):
        return parse_duration(value)
    return value


def _positive(value: timedelta) -> timedelta:
    if value <= timedelta(0):
        raise ValueError("duration must be greater than zero")
    return value


Duration = Annotated[timedelta, BeforeValidator(_duration)]
EnvName = Annotated[str, BeforeValidator(lambda v: check_env_name(v) if isinstance(v, str) else v)]


def parse_quiet_hours(spec: str) -> tuple[time, time]:
    """``"21:00-08:00"`` -> (21:00, 08:00). Start and end must differ."""
    m = _QUIET.match(spec)
    if not m:
        raise ValueError(f"bad quiet hours {spec!r}: use HH:MM-HH:MM, like 21:00-08:00")
    h1, m1, h2, m2 = (int(g) for g in m.groups())
    if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
        raise ValueError(f"bad quiet hours {spec!r}: hours 00-23, minutes 00-59")
    start, end = time(h1, m1), time(h2, m2)
    if start == end:
        raise ValueError(f"bad quiet hours {spec!r}: start and end must differ")
    return start, end


class _ChannelBase(BaseModel):
    # Inputs are hidden from validation errors: a mistyped field may hold a secret.
    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)

    retry_budget: Duration = timedelta(seconds=20)
    timeout: Duration = timedelta(seconds=5)

    @field_validator("retry_budget", "timeout")
    @classmethod
    def _check_positive(cls, value: timedelta) -> timedelta:
        return _positive(value)


class PagerDutyChannel(_ChannelBase):
    kind: Literal["pagerduty"]
    routing_key_env: EnvName
    url: str = DEFAULT_PAGERDUTY_URL

    @field_validator("url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        return check_channel_url(value, allow_credentials=False)


class SlackChannel(_ChannelBase):
    kind: Literal["slack"]
    webhook_url_env: EnvName


class EmailChannel(_ChannelBase):
    model_config = ConfigDict(
        validate_by_name=True, validate_by_alias=True, serialize_by_alias=True
    )

    kind: Literal["email"]
    host: str = Field(min_length=1)
    port: int = Field(default=587, ge=1, le=65535)
    starttls: bool = True
    username_env: EnvName | None = None
    password_env: EnvName | None = None
    from_: str = Field(alias="from", pattern=r"^[^@\s<>]+@[^@\s<>]+$")

    @model_validator(mode="after")
    def _login_pair(self) -> EmailChannel:
        if (self.username_env is None) != (self.password_env is None):
            raise ValueError("set both username_env and password_env, or neither")
        return self


class WebhookChannel(_ChannelBase):
    kind: Literal["webhook"]
    url_env: EnvName | None = None
    url: str | None = None

    @field_validator("url")
    @classmethod
    def _check_url(cls, value: str | None) -> str | None:
        return None if value is None else check_channel_url(value, allow_credentials=False)

    @model_validator(mode="after")
    def _one_url(self) -> WebhookChannel:
        if (self.url_env is None) == (self.url is None):
            raise ValueError("set exactly one of url_env (secret URL) or url")
        return self


ChannelConfig = Annotated[
    PagerDutyChannel | SlackChannel | EmailChannel | WebhookChannel,
    Field(discriminator="kind"),
]


class UrgencyLevel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)

    channels: list[str] = Field(min_length=1)
    ack_timeout: Duration | None = None
    repeat: int = Field(default=0, ge=0, le=10)
    quiet_hours: str | None = None

    @field_validator("ack_timeout")
    @classmethod
    def _check_ack(cls, value: timedelta | None) -> timedelta | None:
        return None if value is None else _positive(value)

    @field_validator("quiet_hours")
    @classmethod
    def _check_quiet(cls, value: str | None) -> str | None:
        if value is not None:
            parse_quiet_hours(value)
        return value

    @model_validator(mode="after")
    def _repeat_needs_ack(self) -> UrgencyLevel:
        if self.repeat and self.ack_timeout is None:
            raise ValueError("repeat needs ack_timeout (how long to wait before repeating)")
        return self


class UrgencyConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)

    high: UrgencyLevel
    low: UrgencyLevel
    by_purpose: dict[str, Urgency] = Field(default_factory=dict)


class PagingConfig(BaseModel):
    """``config/paging.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)

    channels: dict[str, ChannelConfig]
    urgency: UrgencyConfig

    @field_validator("urgency")
    @classmethod
    def _known_channels(cls, value: UrgencyConfig, info: ValidationInfo) -> UrgencyConfig:
        channels = info.data.get("channels")
        if channels is None:  # channels itself failed; its error is enough
            return value
        for name, level in (("high", value.high), ("low", value.low)):
            for i, ch in enumerate(level.channels):
                if ch not in channels:
                    known = ", ".join(sorted(channels)) or "none"
                    raise ValueError(
                        f"{name}.channels[{i}]: unknown channel {ch!r} (defined: {known})"
                    )
        return value

    def level(self, urgency: Urgency) -> UrgencyLevel:
        return self.urgency.high if urgency == "high" else self.urgency.low


def _channel_envs(
    channel: PagerDutyChannel | SlackChannel | EmailChannel | WebhookChannel,
) -> list[str]:
    if isinstance(channel, PagerDutyChannel):
        return [channel.routing_key_env]
    if isinstance(channel, SlackChannel):
        return [channel.webhook_url_env]
    if isinstance(channel, EmailChannel):
        return [e for e in (channel.username_env, channel.password_env) if e]
    return [channel.url_env] if channel.url_env else []


def missing_env(
    config: PagingConfig,
    environ: Mapping[str, str] | None = None,
    *,
    extra: Iterable[str] = (),
) -> list[str]:
    """Names of secret env vars the config (plus ``extra``, e.g. people's routing keys)
    needs but ``environ`` (default ``os.environ``) lacks, sorted and unique."""
    env = os.environ if environ is None else environ
    names = {n for ch in config.channels.values() for n in _channel_envs(ch)}
    names.update(extra)
    return sorted(n for n in names if not env.get(n, "").strip())


# --------------------------------------------------------------------------- decisions


def urgency_for(purpose: str | None, config: PagingConfig) -> Urgency:
    """The urgency for a pipeline's purpose: mapped in ``by_purpose``, else ``high``."""
    if purpose is None:
        return "high"
    return config.urgency.by_purpose.get(purpose, "high")


def _quiet_windows(now: datetime, tz: ZoneInfo, spec: str) -> list[tuple[datetime, datetime]]:
    """Candidate quiet windows around ``now`` as UTC instants.

    UTC matters: Python compares and subtracts datetimes sharing a tzinfo by wall
    clock, ignoring ``fold``, which is wrong across DST transitions.
    """
    start, end = parse_quiet_hours(spec)
    day = now.astimezone(tz).date()
    firsts = [day] if start < end else [day - timedelta(days=1), day]
    next_day = timedelta(days=0) if start < end else timedelta(days=1)
    return [
        (
            resolve_wall_time(first, start, tz).astimezone(UTC),
            resolve_wall_time(first + next_day, end, tz).astimezone(UTC),
        )
        for first in firsts
    ]


def _require_aware(now: datetime) -> None:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")


def in_quiet_hours(now: datetime, tz: ZoneInfo, spec: str) -> bool:
    """Whether ``now`` falls in the quiet hours ``spec`` (wall time in ``tz``).

    Windows are ``[start, end)`` and may wrap past midnight. Wall times are resolved
    DST-safely: a start or end in a spring-forward gap moves to the end of the gap, one
    in a fall-back overlap means its first occurrence.
    """
    _require_aware(now)
    instant = now.astimezone(UTC)
    return any(a <= instant < b for a, b in _quiet_windows(now, tz, spec))


def quiet_hours_end(now: datetime, tz: ZoneInfo, spec: str) -> datetime:
    """When the quiet hours containing ``now`` end (in ``tz``); ``now`` itself if not quiet.

    Compare or subtract the result after ``.astimezone(UTC)``: Python does wall-clock
    arithmetic between datetimes that share a tzinfo.
    """
    _require_aware(now)
    instant = now.astimezone(UTC)
    for a, b in _quiet_windows(now, tz, spec):
        if a <= instant < b:
            return b.astimezone(tz)
    return now.astimezone(tz)


def hold_until(level: UrgencyLevel, now: datetime, tz: ZoneInfo) -> datetime | None:
    """When a page of this urgency may go out, or None to send now (``tz``: responder's)."""
    if level.quiet_hours is None or not in_quiet_hours(now, tz, level.quiet_hours):
        return None
    return quiet_hours_end(now, tz, level.quiet_hours)


def compute_repeats(level: UrgencyLevel, first_sent: datetime) -> list[datetime]:
    """When to repeat an unacknowledged page: every ``ack_timeout``, ``repeat`` times."""
    _require_aware(first_sent)
    if level.ack_timeout is None:
        return []
    # Elapsed time, not wall time: add in UTC (a DST change must not shift a repeat).
    base, tz = first_sent.astimezone(UTC), first_sent.tzinfo
    return [(base + level.ack_timeout * k).astimezone(tz) for k in range(1, level.repeat + 1)]


def default_dedup_key(pipeline: str, summary: str) -> str:
    """``oncall/<pipeline>/<sha256[:16]>``: stable across runs and hosts, <= 255 chars.

    The hash covers the pipeline and the summary with whitespace collapsed.
    """
    norm = " ".join(summary.split())
    digest = hashlib.sha256(f"{pipeline}\n{norm}".encode()).hexdigest()[:16]
    room = PD_DEDUP_KEY_MAX - len("oncall/") - 1 - len(digest)
    return f"oncall/{pipeline[:room]}/{digest}"


# --------------------------------------------------------------------------- page data


@dataclass(frozen=True, slots=True)
class PageContent:
    """Everything a page says, independent of the channel that carries it."""

    page_id: str
    dedup_key: str
    pipeline: str | None
    family: str | None
    severity: Severity
    summary: str
    created: datetime
    details: Mapping[str, str] = field(default_factory=dict)
    responder: str | None = None
    escalation: tuple[str, ...] = ()
    owners: tuple[str | None, str | None] = (None, None)
    runbook: str | None = None  # a command, e.g. "oncall runbook profit"

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"severity must be one of {', '.join(SEVERITIES)}")
        if not 0 < len(self.dedup_key) <= PD_DEDUP_KEY_MAX:
            raise ValueError(f"dedup_key must be 1-{PD_DEDUP_KEY_MAX} characters")
        if not self.summary.strip():
            raise ValueError("summary must not be empty")
        _require_aware(self.created)

    @property
    def subject_label(self) -> str:
        return self.pipeline or (f"page for {self.responder}" if self.responder else "page")


@dataclass(frozen=True, slots=True)
class Target:
    """Who a delivery goes to. ``person`` None means the channel itself (no person)."""

    person: str | None = None
    slack: str | None = None
    email: str | None = None
    pagerduty_routing_key_env: str | None = None

    @property
    def label(self) -> str:
        """What results report as ``to``: a person id or ``channel``; never a secret."""
        return self.person or "channel"


def resolve_target(
    person_id: str, email: str | None, contacts: Mapping[str, str] | None = None
) -> Target:
    """A person's delivery target from their ``email`` and ``contacts``."""
    c = contacts or {}
    return Target(
        person=person_id,
        slack=c.get("slack"),
        email=email,
        pagerduty_routing_key_env=c.get("pagerduty_routing_key_env"),
    )


@dataclass(frozen=True, slots=True)
class DeliveryResult:
    """The outcome of one delivery. ``to`` is a person id or ``channel``; ``detail``
    never holds a secret (secret URLs and keys are masked)."""

    channel: str
    to: str
    status: Literal["sent", "failed"]
    attempts: int
    detail: str

    @property
    def ok(self) -> bool:
        return self.status == "sent"


# --------------------------------------------------------------------------- builders


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _capped_details(details: Mapping[str, str]) -> dict[str, str]:
    items = list(details.items())[:DETAILS_MAX]
    return {_cut(str(k), 200): _cut(str(v), DETAIL_VALUE_MAX) for k, v in items}


def _iso(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat(timespec="seconds")


def pagerduty_event(
    content: PageContent, routing_key: Secret | str, action: PageAction = "trigger"
) -> dict[str, Any]:
    """A PagerDuty Events API v2 event (POST body for ``/v2/enqueue``)."""
    if action not in ACTIONS:
        raise ValueError(f"action must be one of {', '.join(ACTIONS)}")
    key = routing_key.reveal() if isinstance(routing_key, Secret) else routing_key
    event: dict[str, Any] = {
        "routing_key": key,
        "event_action": action,
        "dedup_key": content.dedup_key,
    }
    if action != "trigger":
        return event
    payload: dict[str, Any] = {
        "summary": _cut(" ".join(content.summary.split()), PD_SUMMARY_MAX),
        "source": "oncall",
        "severity": content.severity,
        "timestamp": _iso(content.created),
        "custom_details": {
            "page_id": content.page_id,
            "responder": content.responder,
            "escalation": list(content.escalation),
            "owners": {"primary": content.owners[0], "secondary": content.owners[1]},
            "runbook": content.runbook,
            "details": _capped_details(content.details),
        },
    }
    if content.pipeline is not None:
        payload["component"] = content.pipeline
    if content.family is not None:
        payload["group"] = content.family
    event["payload"] = payload
    event["client"] = "oncall"
    return event


_ACTION_WORD = {"trigger": "", "acknowledge": "Acknowledged: ", "resolve": "Resolved: "}
_SEVERITY_ICON = {
    "critical": ":rotating_light:",
    "error": ":red_circle:",
    "warning": ":warning:",
    "info": ":information_source:",
}


def _slack_escape(text: str) -> str:
    """Escape Slack mrkdwn control characters so data cannot ping ``<!channel>``."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_message(
    content: PageContent, mention: str | None, action: PageAction = "trigger"
) -> dict[str, Any]:
    """A Slack incoming-webhook message: ``text`` fallback plus Block Kit blocks.

    ``mention`` is a Slack member id (``U…``/``W…``); anything else is ignored.
    """
    tag = f"<@{mention}> " if mention and _SLACK_MEMBER.match(mention) else ""
    prefix = _ACTION_WORD[action]
    label = _slack_escape(content.subject_label)
    summary = _slack_escape(" ".join(content.summary.split()))
    text = _cut(f"{tag}{prefix}[{content.severity.upper()}] {label}: {summary}", 3000)
    header = _cut(f"{prefix}[{content.severity.upper()}] {content.subject_label}", 150)
    esc = _slack_escape
    fields: list[tuple[str, str | None]] = [
        ("Severity", content.severity),
        ("Responder", content.responder and esc(content.responder)),
        ("Primary owner", content.owners[0] and esc(content.owners[0])),
        ("Secondary owner", content.owners[1] and esc(content.owners[1])),
        ("Escalation", esc(" → ".join(content.escalation)) or None),
        ("Runbook", f"`{esc(content.runbook)}`" if content.runbook else None),
        ("Family", content.family and esc(content.family)),
    ]
    fields += [(esc(k), esc(v)) for k, v in list(_capped_details(content.details).items())[:3]]
    rendered = [{"type": "mrkdwn", "text": _cut(f"*{k}*\n{v}", 2000)} for k, v in fields if v][:10]
    section_text = _cut(f"{tag}{prefix}{summary}", 3000)
    context = (
        f"{_SEVERITY_ICON[content.severity]} page {esc(content.page_id)}"
        f" · dedup {esc(content.dedup_key)} · {_iso(content.created)}"
    )
    return {
        "text": text,
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": header}},
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": section_text},
                "fields": rendered,
            },
            {"type": "context", "elements": [{"type": "mrkdwn", "text": _cut(context, 3000)}]},
        ],
    }


def _one_line(text: str) -> str:
    return " ".join(text.split())


def email_message(
    content: PageContent, from_: str, to: Sequence[str], action: PageAction = "trigger"
) -> EmailMessage:
    """A plain-text email; subject ``[CRITICAL] aggregate-profit: <summary>``."""
    prefix = {"trigger": "", "acknowledge": "ACKNOWLEDGED ", "resolve": "RESOLVED "}[action]
    subject = f"{prefix}[{content.severity.upper()}] {content.subject_label}: {content.summary}"
    msg = EmailMessage()
    msg["Subject"] = _cut(_one_line(subject), 250)
    msg["From"] = from_
    msg["To"] = ", ".join(to)
    msg["Date"] = format_datetime(content.created)
    msg["X-Oncall-Page-Id"] = _one_line(content.page_id)
    msg["X-Oncall-Dedup-Key"] = _one_line(content.dedup_key)
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
        ("Created", _iso(content.created)),
    ]
    lines += [f"{k}: {v}" for k, v in rows if v]
    details = _capped_details(content.details)
    if details:
        lines += ["", "Details:"] + [f"  {k}: {v}" for k, v in details.items()]
    msg.set_content("\n".join(lines) + "\n")
    return msg


def webhook_body(content: PageContent, action: PageAction = "trigger") -> dict[str, Any]:
    """The page record as JSON for a generic webhook."""
    return {
        "page_id": content.page_id,
        "action": action,
        "dedup_key": content.dedup_key,
        "pipeline": content.pipeline,
        "family": content.family,
        "severity": content.severity,
        "summary": content.summary,
        "details": dict(content.details),
        "responder": content.responder,
        "escalation": list(content.escalation),
        "owners": {"primary": content.owners[0], "secondary": content.owners[1]},
        "runbook": content.runbook,
        "created": content.created.isoformat(),
    }
