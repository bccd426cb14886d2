"""Paging orchestration: config and adapters in, decisions of :mod:`oncall.domain.paging` out.

What happens to one page (documented for users in docs/paging.md):

* **Who**: a pipeline's responder and escalation chain at ``now``
  (:func:`oncall.service.compute_responder`); for a person, that person and then the team
  manager.
* **Dedup**: one open page per dedup key (the store settles races). Paging the same key
  again while it is open or acknowledged records ``suppressed`` and sends nothing.
* **Quiet hours**: a page whose urgency has ``quiet_hours`` and which falls inside them in
  the responder's time zone is ``queued`` in the outbox until they end.
* **Delivery** ("concurrently" and "falls through"): the urgency's channels are sent to at
  the same time; the page is delivered if any of them delivered. Only if none did, the
  other configured channels are tried one by one in config order until one delivers (a
  low-urgency page never falls through to a channel listed only under ``high``). If still
  nothing delivered, the page stays in the durable outbox and the caller gets a
  :class:`PageNotDeliveredError` (exit 3); ``oncall page flush`` retries it.
* **Crash safety**: before sending, an outbox item is written with ``not_before`` one lease
  in the future, so other machines leave it alone while we send; it is removed once the
  page is delivered, made due at once if it was not, and picked up by ``flush`` after the
  lease if this process died mid-send. Outbox items are claimed (leased) by one flusher
  at a time, and escalation steps are won by one process (compare-and-swap): several
  machines sharing one store never double-send.
* **Escalation**: a page not acknowledged within its urgency's ``ack_timeout`` goes to the
  next person in its chain, then the next, and round the whole chain again ``repeat``
  times. A person with no personal contact for any of the urgency's channels (a PagerDuty
  routing key of their own, a Slack member id, an email address) is skipped at once.

Secrets are never stored or returned: results carry the pagers' scrubbed details, and the
dry run shows masks (``****`` and the last four characters).
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import socket
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, get_args
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field

from oncall.config import Config, load_model
from oncall.config_models import Purpose
from oncall.domain.paging import (
    SEVERITIES,
    DeliveryResult,
    EmailChannel,
    MissingSecretError,
    PageAction,
    PageContent,
    PagerDutyChannel,
    PagingConfig,
    Secret,
    Severity,
    SlackChannel,
    Target,
    Urgency,
    UrgencyLevel,
    WebhookChannel,
    check_channel_url,
    default_dedup_key,
    hold_until,
    missing_env,
    resolve_secret,
    resolve_target,
    urgency_for,
)
from oncall.errors import ConfigError, DeliveryError, NotFoundError, OncallError, Problem

if TYPE_CHECKING:
    from oncall.adapters.pagers import Pager
    from oncall.adapters.store import OutboxItem, PageRecord, Store
    from oncall.marks import Marks

__all__ = [
    "BACKOFF_ENV",
    "ActionResult",
    "DeliveryOut",
    "DryRunVerdict",
    "EscalationOut",
    "EscalationReport",
    "FlushItemOut",
    "FlushReport",
    "MissingSecretsError",
    "NoChannelError",
    "PageNotDeliveredError",
    "PageResult",
    "PageView",
    "Paging",
    "PagingNotConfiguredError",
    "acknowledge_page",
    "dry_run_error",
    "dry_run_verdict",
    "flush_outbox",
    "list_pages",
    "load_paging",
    "notify_pipeline",
    "paging_path",
    "paging_problems",
    "resolve_page",
    "run_escalations",
    "send_page",
    "show_page",
    "time_label",
    "undelivered_error",
]

PAGING_FILE = "paging.yaml"
BACKOFF_ENV = "ONCALL_BACKOFF_BASE"
"""Test/tuning knob: the first retry backoff in seconds (default 0.5), e.g. 0.01 in tests."""

CHANNEL_TARGET = "channel"
"""The responder recorded when nobody could be resolved: the page goes to the channels."""

NOTICE = "notice"
_KIND = "_kind"  # internal detail keys start with "_" and are never sent to providers
_RUNBOOK = "_runbook"
_LEASE_MARGIN = timedelta(seconds=60)
_RETRY_FIRST = timedelta(minutes=1)
_RETRY_MAX = timedelta(hours=1)
FLUSH_LIMIT = 1000

Clock = Callable[[], datetime]
DeliveryStatus = Literal["sent", "failed", "queued", "suppressed", "dry-run"]


# --------------------------------------------------------------------------- errors


class PagingNotConfiguredError(OncallError):
    """``paging.yaml`` is missing from the config directory."""

    exit_code = 2

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(
            f"paging is not configured: {path} does not exist; copy the example from the "
            "project's config/paging.yaml and set its environment variables (see docs/paging.md)"
        )


class MissingSecretsError(OncallError):
    """Secrets a command needs are not in the environment (names only, never values)."""

    exit_code = 2

    def __init__(self, names: Sequence[str], *, why: str = "") -> None:
        self.names = list(names)
        which = ", ".join(self.names)
        noun = "variable" if len(self.names) == 1 else "variables"
        verb = "is" if len(self.names) == 1 else "are"
        example = f"export {self.names[0]}=..." if self.names else "export ..."
        super().__init__(
            f"{why}environment {noun} {which} {verb} not set; export before paging, "
            f"e.g. `{example}` (see docs/paging.md)"
        )


class NoChannelError(OncallError):
    """A dry run found that no channel could deliver, for a reason other than secrets."""

    exit_code = 2


class PageNotDeliveredError(DeliveryError):
    """No channel delivered; the notification is kept in the outbox (exit 3)."""

    def __init__(self, message: str, summary: dict[str, object] | None = None) -> None:
        super().__init__(message)
        self.summary = summary or {}


class BadBackoffError(OncallError):
    exit_code = 2


# --------------------------------------------------------------------------- results


class DeliveryOut(BaseModel):
    """One delivery as reported: never a secret."""

    channel: str
    to: str
    status: DeliveryStatus
    attempts: int
    detail: str
    level: int = 0
    # Dry runs only, and not part of the JSON (the detail says the same in words): why
    # this delivery would fail, and which secret environment variables it lacks.
    would_fail: list[str] = Field(default_factory=list, exclude=True)
    missing_env: list[str] = Field(default_factory=list, exclude=True)


class PageResult(BaseModel):
    """What ``oncall page`` did."""

    page_id: str | None
    dedup_key: str
    pipeline: str | None
    target: str
    responder: str | None
    escalation: list[str]
    urgency: Urgency
    severity: Severity
    summary: str
    outcome: Literal["delivered", "queued", "suppressed", "undelivered", "dry-run"]
    hold_until: datetime | None = None
    deliveries: list[DeliveryOut]


class EscalationOut(BaseModel):
    page_id: str
    dedup_key: str
    outcome: Literal["escalated", "exhausted", "taken", "undelivered"]
    from_level: int
    from_round: int
    level: int | None
    round: int | None
    person: str | None
    skipped: list[str]
    next_escalation_at: datetime | None
    deliveries: list[DeliveryOut]


class EscalationReport(BaseModel):
    at: datetime
    escalations: list[EscalationOut]


class FlushItemOut(BaseModel):
    item_id: int
    page_id: str
    dedup_key: str | None
    level: int
    outcome: Literal["sent", "failed", "dropped"]
    next_attempt: datetime | None
    deliveries: list[DeliveryOut]


class FlushReport(BaseModel):
    at: datetime
    items: list[FlushItemOut]
    remaining: int


class ActionResult(BaseModel):
    action: Literal["acknowledge", "resolve"]
    page_id: str
    dedup_key: str
    status: str
    changed: bool
    by: str | None
    deliveries: list[DeliveryOut]


class OutboxOut(BaseModel):
    id: int
    level: int
    channels: list[str]
    not_before: datetime
    attempts: int
    last_error: str | None


class PageView(BaseModel):
    page_id: str
    kind: Literal["page", "notice"]
    dedup_key: str
    pipeline: str | None
    target: str
    urgency: str
    severity: str
    summary: str
    details: dict[str, Any]
    responder: str
    escalation: list[str]
    level: int
    round: int
    status: str
    created: datetime
    updated: datetime | None
    acked_at: datetime | None
    acked_by: str | None
    resolved_at: datetime | None
    next_escalation_at: datetime | None
    deliveries: list[DeliveryOut]
    outbox: list[OutboxOut]


# --------------------------------------------------------------------------- loading


@dataclass
class Paging:
    """The loaded paging setup: config, where it came from, and a pager per channel."""

    cfg: Config
    config: PagingConfig
    marks: Marks
    pagers: dict[str, Pager]
    secrets: list[Secret] = field(default_factory=list)

    @property
    def path(self) -> Path:
        return self.marks.path


def paging_path(cfg: Config) -> Path:
    return cfg.dir / PAGING_FILE


def backoff_base(environ: Mapping[str, str] | None = None) -> float:
    """The first retry backoff: ``$ONCALL_BACKOFF_BASE`` seconds, else the pagers' default."""
    from oncall.adapters.pagers.http import DEFAULT_BACKOFF_BASE

    env = os.environ if environ is None else environ
    raw = env.get(BACKOFF_ENV, "").strip()
    if not raw:
        return DEFAULT_BACKOFF_BASE
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 < value <= 60:
        raise BadBackoffError(f"{BACKOFF_ENV} must be a number of seconds in (0, 60], e.g. 0.5")
    return value


def load_paging(cfg: Config, *, environ: Mapping[str, str] | None = None) -> Paging:
    """``paging.yaml`` beside ``owners.yaml``, validated, with its pagers.

    Raises PagingNotConfiguredError (exit 2) if the file is missing and ConfigError with
    located problems if it is invalid. Secrets are not read here, only when sending.
    """
    from oncall.adapters.pagers import build_pagers

    path = paging_path(cfg)
    config, marks = load_model(path, PagingConfig, required=False)
    if config is None:
        raise PagingNotConfiguredError(path)
    pagers = build_pagers(config, backoff_base=backoff_base(environ), environ=environ)
    paging = Paging(cfg, config, marks, pagers)
    paging.secrets = known_secrets(paging, environ)
    _install_log_scrubber(paging.secrets)
    return paging


def known_secrets(paging: Paging, environ: Mapping[str, str] | None = None) -> list[Secret]:
    """Every secret the paging setup can use that is set: channels' and people's keys."""
    env = os.environ if environ is None else environ
    names = [var for ch in paging.config.channels.values() for _, var in _env_fields(ch)]
    names += [
        p.contacts["pagerduty_routing_key_env"]
        for p in paging.cfg.people.values()
        if p.contacts.get("pagerduty_routing_key_env")
    ]
    out: list[Secret] = []
    for name in dict.fromkeys(names):
        value = env.get(name, "").strip()
        if value:
            out.append(Secret(value))
    return out


def scrub_all(text: str, secrets: Sequence[Secret]) -> str:
    """``text`` with every form of every known secret masked (defence in depth: each pager
    masks its own secrets; this also masks one channel's secret echoed by another)."""
    from oncall.adapters.pagers.http import scrub

    return scrub(text, secrets) if secrets and text else text


class _ScrubFilter(logging.Filter):
    """Masks every known paging secret in the pagers' log records."""

    def __init__(self, secrets: Sequence[Secret]) -> None:
        super().__init__()
        self.secrets = list(secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = scrub_all(message, self.secrets)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def _install_log_scrubber(secrets: Sequence[Secret]) -> None:
    logger = logging.getLogger("oncall.pagers")
    for old in [f for f in logger.filters if isinstance(f, _ScrubFilter)]:
        logger.removeFilter(old)
    logger.addFilter(_ScrubFilter(secrets))


def _env_fields(channel: object) -> list[tuple[str, str]]:
    """(key, env var name) pairs of a channel's secrets."""
    if isinstance(channel, PagerDutyChannel):
        return [("routing_key_env", channel.routing_key_env)]
    if isinstance(channel, SlackChannel):
        return [("webhook_url_env", channel.webhook_url_env)]
    if isinstance(channel, EmailChannel):
        pairs = [("username_env", channel.username_env), ("password_env", channel.password_env)]
        return [(k, v) for k, v in pairs if v]
    if isinstance(channel, WebhookChannel) and channel.url_env:
        return [("url_env", channel.url_env)]
    return []


def paging_problems(cfg: Config, environ: Mapping[str, str] | None = None) -> list[Problem]:
    """What ``oncall validate`` should add for paging: located errors and warnings.

    No ``paging.yaml``: nothing (paging is optional). Invalid file: its located errors.
    Otherwise a warning per secret environment variable that is not set (at the key that
    names it, in paging.yaml or owners.yaml), and per ``by_purpose`` entry no pipeline uses.
    """
    path = paging_path(cfg)
    if not path.is_file():
        return []
    try:
        config, marks = load_model(path, PagingConfig)
    except ConfigError as exc:
        return list(exc.problems)
    assert config is not None
    env = os.environ if environ is None else environ
    people_keys = {
        pid: spec.contacts.pagerduty_routing_key_env
        for pid, spec in cfg.owners.people.items()
        if spec.contacts.pagerduty_routing_key_env
    }
    missing = set(missing_env(config, env, extra=[v for v in people_keys.values() if v]))
    problems: list[Problem] = []
    for name, channel in config.channels.items():
        for key, var in _env_fields(channel):
            if var in missing:
                problems.append(
                    marks.problem(
                        ("channels", name, key),
                        f"channels.{name}.{key}: environment variable {var} is not set: "
                        f"paging through '{name}' fails until it is exported",
                        severity="warning",
                    )
                )
    for pid, var in people_keys.items():
        if var in missing:
            problems.append(
                cfg.owners_marks.problem(
                    ("people", pid, "contacts", "pagerduty_routing_key_env"),
                    f"people.{pid}.contacts.pagerduty_routing_key_env: environment variable "
                    f"{var} is not set: PagerDuty pages to {pid} fail until it is exported",
                    severity="warning",
                )
            )
    known = set(get_args(Purpose))
    for purpose in config.urgency.by_purpose:
        if purpose not in known:
            problems.append(
                marks.problem(
                    ("urgency", "by_purpose", purpose),
                    f"urgency.by_purpose.{purpose}: no pipeline can have purpose '{purpose}' "
                    f"(known: {', '.join(sorted(known))})",
                    key=True,
                    severity="warning",
                )
            )
    return problems


# --------------------------------------------------------------------------- who and how


@dataclass(frozen=True)
class Recipient:
    """Who a new page goes to."""

    target: str
    pipeline: str | None
    responder: str | None
    chain: tuple[str, ...]
    urgency: Urgency
    tz: ZoneInfo


def resolve_recipient(paging: Paging, target: str, at: datetime) -> Recipient:
    """A pipeline's responder and chain at ``at``, or a person and their manager."""
    import difflib

    from oncall.service import build_availability, compute_responder

    cfg = paging.cfg
    if target in cfg.owners.pipelines:
        _, responder, chain = compute_responder(cfg, build_availability(cfg), target, at)
        person = responder.person if responder else (chain[0] if chain else None)
        purpose = cfg.owners.pipelines[target].purpose
        return Recipient(
            target=target,
            pipeline=target,
            responder=person,
            chain=tuple(chain),
            urgency=urgency_for(purpose, paging.config),
            tz=cfg.person_tz(person) if person else cfg.team_tz,
        )
    if target in cfg.owners.people:
        chain = [target]
        manager = cfg.owners.team.manager
        if manager and manager != target:
            chain.append(manager)
        return Recipient(
            target=target,
            pipeline=None,
            responder=target,
            chain=tuple(chain),
            urgency="high",
            tz=cfg.person_tz(target),
        )
    known = [*cfg.owners.pipelines, *cfg.owners.people]
    guess = difflib.get_close_matches(target, known, n=1)
    hint = f" (did you mean '{guess[0]}'?)" if guess else ""
    raise NotFoundError(
        f"'{target}' is neither a pipeline nor a person{hint}; pipelines: "
        f"{', '.join(sorted(cfg.owners.pipelines))}; people: {', '.join(sorted(cfg.owners.people))}"
    )


def person_target(cfg: Config, person: str | None) -> Target:
    if person is None or person == CHANNEL_TARGET:
        return Target()
    found = cfg.people.get(person)
    if found is None:
        return Target(person=person)
    return resolve_target(person, found.email, found.contacts)


def has_contact(paging: Paging, person: str, channels: Iterable[str]) -> bool:
    """Whether ``person`` can be reached personally on any of ``channels``."""
    found = paging.cfg.people.get(person)
    if found is None:
        return False
    for name in channels:
        channel = paging.config.channels.get(name)
        if isinstance(channel, PagerDutyChannel) and found.contacts.get(
            "pagerduty_routing_key_env"
        ):
            return True
        if isinstance(channel, SlackChannel) and found.contacts.get("slack"):
            return True
        if isinstance(channel, EmailChannel) and found.email:
            return True
    return False


def fallthrough_channels(config: PagingConfig, urgency: Urgency, tried: Sequence[str]) -> list[str]:
    """Configured channels to try one by one when none of ``tried`` delivered.

    Config order; a low-urgency page never falls through to a channel listed only under
    ``high`` (a success notice must not wake anyone through PagerDuty).
    """
    reserved: set[str] = set()
    if urgency == "low":
        reserved = set(config.urgency.high.channels) - set(config.urgency.low.channels)
    return [n for n in config.channels if n not in tried and n not in reserved]


def _level(paging: Paging, urgency: str) -> UrgencyLevel:
    return paging.config.level("low" if urgency == "low" else "high")


def _urgency(value: str) -> Urgency:
    return "low" if value == "low" else "high"


def _severity(value: str) -> Severity:
    for s in SEVERITIES:
        if s == value:
            return s
    return "error"


def time_label(t: datetime, tz: ZoneInfo) -> str:
    """``2026-11-20 10:31 IST``: ``t`` on the wall clock of ``tz``, with its abbreviation."""
    return f"{t.astimezone(tz):%Y-%m-%d %H:%M %Z}"


def _text(value: object) -> str:
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)


def page_content(cfg: Config, record: PageRecord) -> PageContent:
    """What the providers are told about a stored page (internal ``_`` details dropped)."""
    spec = cfg.owners.pipelines.get(record.pipeline) if record.pipeline else None
    runbook = record.details.get(_RUNBOOK) or (spec.runbook if spec else None)
    return PageContent(
        page_id=record.page_id,
        dedup_key=record.dedup_key,
        pipeline=record.pipeline,
        family=spec.family if spec else None,
        severity=_severity(record.severity),
        summary=record.summary,
        created=record.created,
        details={k: _text(v) for k, v in record.details.items() if not k.startswith("_")},
        responder=None if record.responder == CHANNEL_TARGET else record.responder,
        escalation=record.escalation,
        owners=(spec.primary, spec.secondary) if spec else (None, None),
        runbook=f"oncall runbook {runbook}" if runbook else None,
    )


def _is_notice(record: PageRecord) -> bool:
    return record.details.get(_KIND) == NOTICE


def _notice_targets(cfg: Config, record: PageRecord) -> list[Target]:
    people = record.escalation or (record.responder,)
    return [person_target(cfg, p) for p in dict.fromkeys(people)]


# --------------------------------------------------------------------------- delivery


def _safe_send(
    pager: Pager, content: PageContent, target: Target, action: PageAction
) -> DeliveryResult:
    try:
        return pager.send(content, target, action)
    except Exception as exc:  # pagers never raise; this keeps a bug from losing a page
        return DeliveryResult(
            pager.channel, target.label, "failed", 0, f"internal error: {type(exc).__name__}"
        )


def _send_channel(
    paging: Paging,
    name: str,
    content: PageContent,
    targets: Sequence[Target],
    action: PageAction,
) -> list[DeliveryResult]:
    """Email goes to every target with an address; other channels to the first target."""
    pager = paging.pagers[name]
    if isinstance(paging.config.channels[name], EmailChannel) and len(targets) > 1:
        return [_safe_send(pager, content, t, action) for t in targets]
    return [_safe_send(pager, content, targets[0] if targets else Target(), action)]


def deliver(
    paging: Paging,
    content: PageContent,
    targets: Sequence[Target],
    urgency: Urgency,
    *,
    channels: Sequence[str] | None = None,
    action: PageAction = "trigger",
    fall_through: bool = True,
) -> list[DeliveryResult]:
    """Send to ``channels`` (default: the urgency's) concurrently; if none delivered, fall
    through to the other configured channels one at a time. Never raises."""
    primary = [c for c in (channels or _level(paging, urgency).channels) if c in paging.pagers]
    results: list[DeliveryResult] = []
    if primary:
        with ThreadPoolExecutor(max_workers=len(primary), thread_name_prefix="page") as pool:
            futures = [
                pool.submit(_send_channel, paging, n, content, targets, action) for n in primary
            ]
            for future in futures:
                results.extend(future.result())
    if any(r.ok for r in results) or not fall_through:
        return results
    for name in fallthrough_channels(paging.config, urgency, primary):
        batch = _send_channel(paging, name, content, targets, action)
        results.extend(batch)
        if any(r.ok for r in batch):
            break
    return results


def _lease(paging: Paging, targets: int = 1) -> timedelta:
    """Longer than one delivery can take: every channel's budget, in sequence, per target."""
    total = sum((ch.retry_budget for ch in paging.config.channels.values()), timedelta(0))
    return total * max(1, targets) + _LEASE_MARGIN


def _record(
    paging: Paging,
    store: Store,
    page_id: str,
    level: int,
    results: Iterable[DeliveryResult],
    at: datetime,
) -> list[DeliveryOut]:
    out: list[DeliveryOut] = []
    for result in results:
        r = replace(result, detail=scrub_all(result.detail, paging.secrets))
        store.record_delivery(page_id, level, r.channel, r.to, r.status, r.attempts, r.detail, at)
        out.append(
            DeliveryOut(
                channel=r.channel,
                to=r.to,
                status=r.status,
                attempts=r.attempts,
                detail=r.detail,
                level=level,
            )
        )
    return out


def _record_status(
    store: Store,
    page_id: str,
    level: int,
    channels: Iterable[str],
    to: str,
    status: Literal["queued", "suppressed", "failed"],
    detail: str,
    at: datetime,
) -> list[DeliveryOut]:
    out: list[DeliveryOut] = []
    for name in channels:
        store.record_delivery(page_id, level, name, to, status, 0, detail, at)
        out.append(
            DeliveryOut(channel=name, to=to, status=status, attempts=0, detail=detail, level=level)
        )
    return out


def _failure_text(deliveries: Iterable[DeliveryOut]) -> str:
    return "; ".join(f"{d.channel} to {d.to}: {d.detail}" for d in deliveries) or "no channel"


def _has_next(level: int, round_: int, chain_len: int, rounds: int) -> bool:
    return level + 1 < chain_len or round_ + 1 < rounds


def _first_escalation(level_cfg: UrgencyLevel, chain_len: int, now: datetime) -> datetime | None:
    if level_cfg.ack_timeout is None:
        return None
    if not _has_next(0, 0, max(chain_len, 1), 1 + level_cfg.repeat):
        return None
    return now + level_cfg.ack_timeout


def _open_store() -> Store:
    from oncall.adapters.store import Store

    return Store.open()


# --------------------------------------------------------------------------- dry run


@dataclass(frozen=True)
class ChannelPlan:
    """What one channel would do for one target: ``text`` (secrets masked), the secret
    environment variables it lacks, and why else it would fail (no address, a bad URL)."""

    text: str
    missing: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def reasons(self) -> list[str]:
        if not self.missing:
            return list(self.problems)
        verb = "is" if len(self.missing) == 1 else "are"
        return [f"{', '.join(self.missing)} {verb} not set", *self.problems]


def describe_channel(
    paging: Paging, name: str, target: Target, environ: Mapping[str, str] | None = None
) -> ChannelPlan:
    """Where ``name`` would send for ``target``, secrets masked, and what it lacks."""
    channel = paging.config.channels[name]
    env = os.environ if environ is None else environ

    def secret(var: str) -> Secret | None:
        try:
            return resolve_secret(var, env)
        except (MissingSecretError, ValueError):
            return None

    missing: list[str] = []
    if isinstance(channel, PagerDutyChannel):
        var = target.pagerduty_routing_key_env or channel.routing_key_env
        key = secret(var)
        if key is None:
            missing.append(var)
        shown = key.mask() if key else "(not set)"
        return ChannelPlan(f"POST {channel.url}, routing key {shown} from {var}", missing)
    if isinstance(channel, SlackChannel):
        url = secret(channel.webhook_url_env)
        if url is None:
            missing.append(channel.webhook_url_env)
        mention = f", mentions <@{target.slack}>" if target.slack else ""
        shown = url.mask() if url else "(not set)"
        problems: list[str] = []
        if url is not None:
            try:
                check_channel_url(url.reveal())
            except ValueError as exc:
                problems.append(f"{channel.webhook_url_env}: {exc}")
        text = f"POST webhook {shown} from {channel.webhook_url_env}{mention}"
        return ChannelPlan(text, missing, problems)
    if isinstance(channel, EmailChannel):
        login = ""
        if channel.username_env and channel.password_env:
            user = secret(channel.username_env)
            for var in (channel.username_env, channel.password_env):
                if secret(var) is None:
                    missing.append(var)
            login = f", login {user.mask() if user else '(not set)'} from {channel.username_env}"
        tls = " STARTTLS" if channel.starttls else ""
        to = target.email or "(no email address)"
        problems = [] if target.email else [f"no email address for {target.label}"]
        return ChannelPlan(
            f"SMTP {channel.host}:{channel.port}{tls} to {to}{login}", missing, problems
        )
    assert isinstance(channel, WebhookChannel)
    if channel.url_env is not None:
        url = secret(channel.url_env)
        if url is None:
            missing.append(channel.url_env)
        else:
            try:
                check_channel_url(url.reveal())
            except ValueError as exc:
                return ChannelPlan(
                    f"POST {url.mask()} from {channel.url_env}",
                    problems=[f"{channel.url_env}: {exc}"],
                )
        shown = url.mask() if url else "(not set)"
        return ChannelPlan(f"POST {shown} from {channel.url_env}", missing)
    return ChannelPlan(f"POST {channel.url}")


# --------------------------------------------------------------------------- page


def send_page(
    paging: Paging,
    *,
    target: str,
    summary: str,
    severity: Severity = "error",
    details: Mapping[str, object] | None = None,
    dedup_key: str | None = None,
    now: datetime,
    dry_run: bool = False,
    store: Store | None = None,
    urgency: Urgency | None = None,
    notice: bool = False,
) -> PageResult:
    """Page ``target`` (a pipeline or a person) at ``now``; see the module docstring.

    Returns the result even when nothing was delivered (``outcome == "undelivered"``, the
    page kept in the outbox): callers print it, then raise :func:`undelivered_error`.
    With ``dry_run`` nothing is recorded or sent; missing secrets show in the details.
    """
    from oncall.adapters.store import PageRecord, new_page_id

    if not summary.strip():
        raise OncallError("the summary must not be empty: say what is wrong")
    cfg = paging.cfg
    who = resolve_recipient(paging, target, now)
    urgency = urgency or who.urgency
    level_cfg = _level(paging, urgency)
    key = dedup_key or default_dedup_key(target, summary)
    responder = who.responder or CHANNEL_TARGET
    chain = who.chain or (responder,)
    tz = who.tz
    if notice and who.pipeline is not None:  # a notice goes to the owners, not the on-call
        spec = cfg.owners.pipelines[who.pipeline]
        responder, chain = spec.primary, tuple(dict.fromkeys((spec.primary, spec.secondary)))
        tz = cfg.person_tz(spec.primary)
    stored_details: dict[str, object] = dict(details or {})
    if notice:
        stored_details[_KIND] = NOTICE
    record = PageRecord(
        page_id=new_page_id(),
        dedup_key=key,
        target=target,
        urgency=urgency,
        severity=severity,
        summary=summary,
        responder=responder,
        created=now,
        pipeline=who.pipeline,
        details=stored_details,
        escalation=tuple(chain),
        status="resolved" if notice else "open",
        resolved_at=now if notice else None,
        next_escalation_at=None if notice else _first_escalation(level_cfg, len(chain), now),
    )
    targets = _notice_targets(cfg, record) if notice else [person_target(cfg, responder)]
    held = hold_until(level_cfg, now, tz)

    def result(outcome: Any, deliveries: list[DeliveryOut], page_id: str | None) -> PageResult:
        return PageResult(
            page_id=page_id,
            dedup_key=key,
            pipeline=who.pipeline,
            target=target,
            responder=None if responder == CHANNEL_TARGET else responder,
            escalation=list(chain),
            urgency=urgency,
            severity=severity,
            summary=summary,
            outcome=outcome,
            hold_until=held,
            deliveries=deliveries,
        )

    if dry_run:
        return result("dry-run", _dry_run(paging, record, targets, urgency, held, tz), None)

    own_store = store is None
    db = store if store is not None else _open_store()
    try:
        stored, created = db.create_page_if_absent(record)
        if not created:
            detail = (
                f"page {stored.page_id} with this dedup key is {stored.status} since "
                f"{time_label(stored.created, cfg.team_tz)}: not sent again"
            )
            out = _record_status(
                db,
                stored.page_id,
                stored.level,
                level_cfg.channels,
                responder,
                "suppressed",
                detail,
                now,
            )
            return result("suppressed", out, stored.page_id)
        if held is not None:
            db.enqueue(stored.page_id, 0, level_cfg.channels, held, now)
            detail = f"quiet hours in {tz}: held until {time_label(held, tz)}"
            out = _record_status(
                db, stored.page_id, 0, level_cfg.channels, responder, "queued", detail, now
            )
            return result("queued", out, stored.page_id)
        content = page_content(cfg, stored)
        intent = db.enqueue(
            stored.page_id, 0, level_cfg.channels, now + _lease(paging, len(targets)), now
        )
        out = _record(
            paging, db, stored.page_id, 0, deliver(paging, content, targets, urgency), now
        )
        if any(d.status == "sent" for d in out):
            db.complete_outbox(intent.id)
            return result("delivered", out, stored.page_id)
        db.release_outbox(intent.id, _failure_text(out)[:500], now, not_before=now)
        return result("undelivered", out, stored.page_id)
    finally:
        if own_store:
            db.close()


def _dry_run(
    paging: Paging,
    record: PageRecord,
    targets: Sequence[Target],
    urgency: Urgency,
    held: datetime | None,
    tz: ZoneInfo,
) -> list[DeliveryOut]:
    """What each channel would do; ``tz`` (the responder's) labels a quiet-hours hold."""
    from oncall.adapters.store import default_db_path

    out: list[DeliveryOut] = []
    if default_db_path().is_file():
        db = _open_store()
        try:
            open_page = db.open_page_by_dedup(record.dedup_key)
        finally:
            db.close()
        if open_page is not None:
            detail = (
                f"page {open_page.page_id} with this dedup key is {open_page.status}: "
                "would be suppressed"
            )
            return [
                DeliveryOut(
                    channel=n, to=record.responder, status="suppressed", attempts=0, detail=detail
                )
                for n in _level(paging, urgency).channels
            ]
    channels = _level(paging, urgency).channels
    extra = fallthrough_channels(paging.config, urgency, channels)
    for position, names in (("", channels), ("fall-through: ", extra)):
        for name in names:
            is_email = isinstance(paging.config.channels[name], EmailChannel)
            for target in targets if is_email else targets[:1] or [Target()]:
                plan = describe_channel(paging, name, target)
                text = plan.text
                if held is not None and not position:
                    text = f"held for quiet hours until {time_label(held, tz)}; then {text}"
                if plan.reasons:
                    text += f"; would fail: {'; '.join(plan.reasons)}"
                out.append(
                    DeliveryOut(
                        channel=name,
                        to=target.label,
                        status="dry-run",
                        attempts=0,
                        detail=position + text,
                        would_fail=plan.reasons,
                        missing_env=plan.missing,
                    )
                )
    return out


@dataclass(frozen=True)
class DryRunVerdict:
    """Whether a dry-run page could be delivered, and what stops the channels that could not.

    ``deliverable``: channels that could deliver, in the order they would be tried (the
    urgency's, then fall-through). ``failing``: channels that would fail. ``missing``:
    the secret environment variables they lack, the urgency's channels' first.
    """

    deliverable: list[str]
    failing: list[str]
    missing: list[str]

    @property
    def could_deliver(self) -> bool:
        return bool(self.deliverable)


def dry_run_verdict(paging: Paging, result: PageResult) -> DryRunVerdict:
    """What a dry run found: a page is delivered if any channel delivers (the urgency's
    channels, then the others in turn), so one working channel is enough."""
    primary = set(_level(paging, result.urgency).channels)
    planned = [d for d in result.deliveries if d.status == "dry-run"]
    ok = {d.channel for d in planned if not d.would_fail}
    deliverable = list(dict.fromkeys(d.channel for d in planned if d.channel in ok))
    failing = list(dict.fromkeys(d.channel for d in planned if d.channel not in ok))
    ordered = sorted(planned, key=lambda d: d.channel not in primary)  # stable: primary first
    missing = list(dict.fromkeys(v for d in ordered if d.channel not in ok for v in d.missing_env))
    return DryRunVerdict(deliverable, failing, missing)


def dry_run_error(paging: Paging, result: PageResult) -> OncallError | None:
    """Exit 2 when a dry run finds that no channel could deliver the page; else None."""
    verdict = dry_run_verdict(paging, result)
    if verdict.could_deliver or not verdict.failing:
        return None
    failing = ", ".join(verdict.failing)
    why = f"no channel could deliver this page ({failing} would fail; one is enough): "
    if verdict.missing:
        return MissingSecretsError(verdict.missing, why=why)
    reasons = [f"{d.channel}: {'; '.join(d.would_fail)}" for d in result.deliveries if d.would_fail]
    return NoChannelError(why + "; ".join(dict.fromkeys(reasons)))


def undelivered_error(result: PageResult) -> PageNotDeliveredError:
    """The one-line summary after each failed delivery was reported (``oncall page``)."""
    failed = list(dict.fromkeys(d.channel for d in result.deliveries if d.status == "failed"))
    tried = f" through any channel ({', '.join(failed)} failed)" if failed else ""
    return PageNotDeliveredError(
        f"page {result.page_id} was not delivered{tried}; it is kept in the outbox: fix the "
        "cause, then run `oncall page flush`",
        result.model_dump(mode="json"),
    )


# --------------------------------------------------------------------------- escalate


def _step(level: int, round_: int, chain_len: int, rounds: int) -> tuple[int, int] | None:
    if level + 1 < chain_len:
        return level + 1, round_
    if round_ + 1 < rounds:
        return 0, round_ + 1
    return None


def run_escalations(paging: Paging, store: Store, clock: Clock) -> EscalationReport:
    """Escalate every open page whose ack timeout passed; several processes may run this
    at once against one store: each step is won by exactly one of them."""
    started = clock()
    out: list[EscalationOut] = []
    for page in store.due_escalations(started):
        out.append(_escalate_one(paging, store, page, clock()))
    return EscalationReport(at=started, escalations=out)


def _escalate_one(paging: Paging, store: Store, page: PageRecord, now: datetime) -> EscalationOut:
    urgency = _urgency(page.urgency)
    level_cfg = _level(paging, urgency)
    chain = page.escalation or (page.responder,)
    rounds = 1 + level_cfg.repeat
    skipped: list[tuple[int, str]] = []
    pos = _step(page.level, page.round, len(chain), rounds)
    for _ in range(len(chain) * rounds + 1):  # bounded: each step moves forward
        if pos is None or has_contact(paging, chain[pos[0]], level_cfg.channels):
            break
        skipped.append((pos[0], chain[pos[0]]))
        pos = _step(pos[0], pos[1], len(chain), rounds)
    new_level, new_round = pos if pos is not None else (page.level, page.round)
    following = pos is not None and _step(new_level, new_round, len(chain), rounds) is not None
    next_at = now + level_cfg.ack_timeout if following and level_cfg.ack_timeout else None
    won = store.advance_escalation(
        page.page_id,
        expected_level=page.level,
        expected_round=page.round,
        new_level=new_level,
        new_round=new_round,
        next_at=next_at,
        now=now,
    )

    def report(outcome: Any, deliveries: list[DeliveryOut]) -> EscalationOut:
        return EscalationOut(
            page_id=page.page_id,
            dedup_key=page.dedup_key,
            outcome=outcome,
            from_level=page.level,
            from_round=page.round,
            level=new_level if pos is not None else None,
            round=new_round if pos is not None else None,
            person=chain[new_level] if pos is not None else None,
            skipped=[p for _, p in skipped],
            next_escalation_at=next_at,
            deliveries=deliveries,
        )

    if not won:
        return report("taken", [])
    deliveries: list[DeliveryOut] = []
    for lvl, person in skipped:
        detail = f"escalation skipped: {person} has no contact for {', '.join(level_cfg.channels)}"
        deliveries += _record_status(
            store, page.page_id, lvl, level_cfg.channels[:1], person, "failed", detail, now
        )
    if pos is None:
        return report("exhausted", deliveries)
    person = chain[new_level]
    content = page_content(paging.cfg, page)
    intent = store.enqueue(page.page_id, new_level, level_cfg.channels, now + _lease(paging), now)
    results = deliver(paging, content, [person_target(paging.cfg, person)], urgency)
    deliveries += _record(paging, store, page.page_id, new_level, results, now)
    if any(r.ok for r in results):
        store.complete_outbox(intent.id)
        return report("escalated", deliveries)
    store.release_outbox(intent.id, _failure_text(deliveries)[:500], now, not_before=now)
    return report("undelivered", deliveries)


# --------------------------------------------------------------------------- flush


def _retry_delay(attempts: int) -> timedelta:
    delay: timedelta = _RETRY_FIRST * (2 ** min(attempts, 10))
    return min(delay, _RETRY_MAX)


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


def flush_outbox(
    paging: Paging, store: Store, clock: Clock, *, limit: int = FLUSH_LIMIT
) -> FlushReport:
    """Send every due outbox item once: one item claimed at a time (a lease), so several
    flushers share the work and none sends an item another holds. A failed item is due
    again after a growing delay (1 min, 2 min, ... 1 h), so one run never spins on it."""
    started = clock()
    worker = worker_id()
    out: list[FlushItemOut] = []
    for _ in range(limit):
        now = clock()
        claimed = store.claim_outbox(worker, now, _lease(paging, 2), 1)
        if not claimed:
            break
        out.append(_flush_one(paging, store, claimed[0], now))
    return FlushReport(at=started, items=out, remaining=len(store.outbox_items()))


def _flush_one(paging: Paging, store: Store, item: OutboxItem, now: datetime) -> FlushItemOut:
    page = store.get_page(item.page_id)
    if page is None:  # pragma: no cover - the store's foreign key prevents it
        store.complete_outbox(item.id)
        return FlushItemOut(
            item_id=item.id,
            page_id=item.page_id,
            dedup_key=None,
            level=item.level,
            outcome="dropped",
            next_attempt=None,
            deliveries=[],
        )
    notice = _is_notice(page)
    chain = page.escalation or (page.responder,)
    person = chain[item.level] if item.level < len(chain) else page.responder

    def report(outcome: Any, deliveries: list[DeliveryOut], nxt: datetime | None) -> FlushItemOut:
        return FlushItemOut(
            item_id=item.id,
            page_id=page.page_id,
            dedup_key=page.dedup_key,
            level=item.level,
            outcome=outcome,
            next_attempt=nxt,
            deliveries=deliveries,
        )

    if not notice and page.status != "open":
        when = page.acked_at if page.status == "acknowledged" else page.resolved_at
        detail = f"not sent: the page was {page.status}" + (
            f" at {time_label(when, paging.cfg.team_tz)}" if when else ""
        )
        out = _record_status(
            store, page.page_id, item.level, item.channels, person, "suppressed", detail, now
        )
        store.complete_outbox(item.id)
        return report("dropped", out, None)
    urgency = _urgency(page.urgency)
    targets = _notice_targets(paging.cfg, page) if notice else [person_target(paging.cfg, person)]
    content = page_content(paging.cfg, page)
    results = deliver(paging, content, targets, urgency, channels=list(item.channels))
    out = _record(paging, store, page.page_id, item.level, results, now)
    if any(r.ok for r in results):
        store.complete_outbox(item.id)
        level_cfg = _level(paging, urgency)
        if (
            not notice
            and item.level == 0
            and page.level == 0
            and page.round == 0
            and page.next_escalation_at is None
        ):
            first = _first_escalation(level_cfg, len(chain), now)
            if first is not None:
                store.set_next_escalation(page.page_id, first)
        return report("sent", out, None)
    nxt = now + _retry_delay(item.attempts)
    store.release_outbox(item.id, _failure_text(out)[:500], now, not_before=nxt)
    return report("failed", out, nxt)


# --------------------------------------------------------------------------- ack / resolve


def _action_targets(paging: Paging, store: Store, page: PageRecord) -> list[tuple[str, Target]]:
    """(channel, target) to tell about an ack/resolve: the PagerDuty and Slack channels the
    page was sent through; PagerDuty once per routing key that got the trigger."""
    sent = [d for d in store.list_deliveries(page.page_id) if d.status == "sent"]
    out: list[tuple[str, Target]] = []
    seen: set[tuple[str, str]] = set()
    for d in sent:
        channel = paging.config.channels.get(d.channel)
        if isinstance(channel, PagerDutyChannel):
            target = person_target(paging.cfg, d.to)
            key = (d.channel, target.pagerduty_routing_key_env or channel.routing_key_env)
        elif isinstance(channel, SlackChannel):
            target = Target(person=d.to if d.to != CHANNEL_TARGET else None)
            key = (d.channel, "")
        else:
            continue
        if key not in seen:
            seen.add(key)
            out.append((d.channel, target))
    return out


def _page_action(
    paging: Paging,
    store: Store,
    ref: str,
    action: Literal["acknowledge", "resolve"],
    *,
    by: str | None,
    now: datetime,
) -> ActionResult:
    before = store.get_page(ref)
    if before is None:
        raise NotFoundError(f"no page {ref!r}: use a page id or dedup key from `oncall page list`")
    if action == "acknowledge":
        after = store.acknowledge(before.page_id, by or "unknown", now)
        changed = before.status == "open"
    else:
        after = store.resolve(before.page_id, now)
        changed = before.status != "resolved"
    deliveries: list[DeliveryOut] = []
    skip = action == "acknowledge" and after.status == "resolved"
    if not skip and not _is_notice(after):
        content = page_content(paging.cfg, after)
        sends = _action_targets(paging, store, after)
        if sends:
            with ThreadPoolExecutor(max_workers=len(sends), thread_name_prefix="ack") as pool:
                futures = [
                    pool.submit(_safe_send, paging.pagers[name], content, target, action)
                    for name, target in sends
                ]
                results = [f.result() for f in futures]
            tagged = [
                DeliveryResult(r.channel, r.to, r.status, r.attempts, f"{action}: {r.detail}")
                for r in results
            ]
            deliveries = _record(paging, store, after.page_id, after.level, tagged, now)
    return ActionResult(
        action=action,
        page_id=after.page_id,
        dedup_key=after.dedup_key,
        status=after.status,
        changed=changed,
        by=after.acked_by if action == "acknowledge" else by,
        deliveries=deliveries,
    )


def acknowledge_page(
    paging: Paging, store: Store, ref: str, *, by: str | None, now: datetime
) -> ActionResult:
    """Acknowledge (stops escalation), then tell PagerDuty and Slack. Idempotent."""
    return _page_action(paging, store, ref, "acknowledge", by=by, now=now)


def resolve_page(
    paging: Paging, store: Store, ref: str, *, by: str | None, now: datetime
) -> ActionResult:
    """Resolve, then tell PagerDuty and Slack. Idempotent."""
    return _page_action(paging, store, ref, "resolve", by=by, now=now)


def action_error(result: ActionResult) -> PageNotDeliveredError | None:
    failed = [d for d in result.deliveries if d.status != "sent"]
    if not failed:
        return None
    return PageNotDeliveredError(
        f"page {result.page_id} is {result.status} here, but not every provider was told: "
        f"{_failure_text(failed)}; run the command again to retry",
        result.model_dump(mode="json"),
    )


# --------------------------------------------------------------------------- history


def _view(store: Store, page: PageRecord, outbox: Sequence[OutboxItem]) -> PageView:
    return PageView(
        page_id=page.page_id,
        kind="notice" if _is_notice(page) else "page",
        dedup_key=page.dedup_key,
        pipeline=page.pipeline,
        target=page.target,
        urgency=page.urgency,
        severity=page.severity,
        summary=page.summary,
        details={k: v for k, v in page.details.items() if not k.startswith("_")},
        responder=page.responder,
        escalation=list(page.escalation),
        level=page.level,
        round=page.round,
        status=page.status,
        created=page.created,
        updated=page.updated,
        acked_at=page.acked_at,
        acked_by=page.acked_by,
        resolved_at=page.resolved_at,
        next_escalation_at=page.next_escalation_at,
        deliveries=[
            DeliveryOut(
                channel=d.channel,
                to=d.to,
                status=d.status,
                attempts=d.attempts,
                detail=d.detail or "",
                level=d.level,
            )
            for d in store.list_deliveries(page.page_id)
        ],
        outbox=[
            OutboxOut(
                id=o.id,
                level=o.level,
                channels=list(o.channels),
                not_before=o.not_before,
                attempts=o.attempts,
                last_error=o.last_error,
            )
            for o in outbox
            if o.page_id == page.page_id
        ],
    )


def list_pages(store: Store, *, open_only: bool = False, limit: int = 100) -> list[PageView]:
    outbox = store.outbox_items()
    return [_view(store, p, outbox) for p in store.list_pages(open_only=open_only, limit=limit)]


def show_page(store: Store, ref: str) -> PageView:
    page = store.get_page(ref)
    if page is None:
        raise NotFoundError(f"no page {ref!r}: use a page id or dedup key from `oncall page list`")
    return _view(store, page, store.outbox_items())


# --------------------------------------------------------------------------- runbooks & checks


def _check_id(item: Mapping[str, object], index: int) -> str:
    for key in ("id", "check", "name", "step"):
        value = item.get(key)
        if isinstance(value, str) and value:
            return value
    return f"check-{index + 1}"


def _check_text(item: Mapping[str, object]) -> str:
    status = item.get("status")
    for key in ("message", "detail", "summary", "reason"):
        value = item.get(key)
        if isinstance(value, str) and value:
            return f"{status}: {value}" if isinstance(status, str) else value
    rest = {k: v for k, v in item.items() if k not in ("id", "check", "name", "step")}
    return json.dumps(rest, sort_keys=True, default=str)


def notify_pipeline(
    cfg: Config,
    *,
    pipeline: str,
    runbook: str,
    status: Literal["passed", "failed", "error"],
    failing: list[dict[str, object]],
    now: datetime,
    dry_run: bool = False,
) -> dict[str, object]:
    """Tell people how a pipeline's runbook checks went (``notify: owners``, ``check --page``).

    ``failed`` pages the responder at severity ``error``; ``error`` (a source unavailable, or
    any failing check with status ``error``) at ``critical``; the failing checks go in the
    page's details (PagerDuty ``custom_details.details``). The dedup key covers the pipeline,
    runbook and the set of failing checks, so re-running while the same checks fail is
    suppressed. ``passed`` sends the owners a low-urgency notice (quiet hours apply).

    Returns a JSON-able summary with a human ``summary`` line. Raises
    PagingNotConfiguredError (exit 2) without ``paging.yaml`` and PageNotDeliveredError
    (exit 3, ``.summary`` attached) when nothing was delivered (kept in the outbox).
    """
    from oncall.service import resolve_pipeline

    pipeline = resolve_pipeline(cfg, pipeline)
    paging = load_paging(cfg)
    details: dict[str, object] = {"runbook": runbook, "status": status, _RUNBOOK: runbook}
    if status == "passed":
        summary = f"{pipeline}: runbook {runbook} passed, all checks OK"
        result = send_page(
            paging,
            target=pipeline,
            summary=summary,
            severity="info",
            details=details,
            dedup_key=default_dedup_key(pipeline, f"notice {runbook} {now.isoformat()}"),
            now=now,
            dry_run=dry_run,
            urgency="low",
            notice=True,
        )
        spec = cfg.owners.pipelines[pipeline]
        # A notice goes to the owners, not the on-call responder.
        return _notify_summary(paging, result, f"owners {spec.primary}, {spec.secondary} told")
    ids = [_check_id(item, i) for i, item in enumerate(failing)]
    critical = status == "error" or any(item.get("status") == "error" for item in failing)
    severity: Severity = "critical" if critical else "error"
    for check_id, item in zip(ids, failing, strict=True):
        details[f"check {check_id}"] = _check_text(item)
    listed = ", ".join(ids) if ids else "no check details"
    word = "could not run (source unavailable)" if status == "error" else "failed"
    summary = f"{pipeline}: runbook {runbook} {word}: {len(ids)} failing check(s): {listed}"
    key = default_dedup_key(pipeline, f"runbook {runbook} {status} {' '.join(sorted(ids))}")
    result = send_page(
        paging,
        target=pipeline,
        summary=summary,
        severity=severity,
        details=details,
        dedup_key=key,
        now=now,
        dry_run=dry_run,
    )
    return _notify_summary(paging, result, f"responder {result.responder or 'the channels'} paged")


def _notify_summary(paging: Paging, result: PageResult, who: str) -> dict[str, object]:
    """The page's JSON (``summary`` is the page's own summary, as for ``oncall page``)
    plus ``note``: one human line on what happened."""
    data: dict[str, object] = result.model_dump(mode="json")
    sent = sorted({d.channel for d in result.deliveries if d.status == "sent"})
    tz = paging.cfg.team_tz
    if result.outcome == "delivered":
        human = f"{who} via {', '.join(sent)} (page {result.page_id})"
    elif result.outcome == "suppressed":
        human = f"already paged: page {result.page_id} is still open; not sent again"
    elif result.outcome == "queued":
        when = time_label(result.hold_until, tz) if result.hold_until else "later"
        human = f"held for quiet hours until {when} (page {result.page_id}; `oncall page flush`)"
    elif result.outcome == "dry-run":
        human = f"dry run: would send '{result.summary}' ({result.urgency} urgency)"
        verdict = dry_run_verdict(paging, result)
        if verdict.failing:
            missing = f" ({', '.join(verdict.missing)} not set)" if verdict.missing else ""
            human += f"; {', '.join(verdict.failing)} would fail{missing}" + (
                "" if verdict.could_deliver else ": no channel could deliver"
            )
    else:
        human = f"not delivered; kept in the outbox (page {result.page_id})"
    data["note"] = human
    if result.outcome == "undelivered":
        raise PageNotDeliveredError(
            f"page {result.page_id} for {result.pipeline} was not delivered: "
            f"{_failure_text(result.deliveries)}; it is kept in the outbox: run "
            "`oncall page flush` once the cause is fixed",
            data,
        )
    return data


def monotonic_clock(base: datetime) -> Clock:
    """``base`` advanced by the real time elapsed since this call."""
    start = time.monotonic()
    return lambda: base + timedelta(seconds=time.monotonic() - start)
