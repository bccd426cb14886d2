"""The loaded paging setup, its secrets, and what providers are told about a stored page.

Secrets are never stored or returned: results carry the pagers' scrubbed details, and
every known secret is masked in the pagers' log lines as well.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from oncall.adapters.secrets import read_secrets
from oncall.config.paging import load_paging_config
from oncall.domain.paging.content import SEVERITIES, DetailValue, PageContent, Severity
from oncall.domain.paging.secret import Secret
from oncall.domain.paging.urgency import Urgency
from oncall.domain.timeutil import format_time
from oncall.errors import BadBackoffError

if TYPE_CHECKING:
    from oncall.adapters.pagers import Pager
    from oncall.adapters.store import PageRecord
    from oncall.config.loaded import Config
    from oncall.config.marks import Marks
    from oncall.config.models.paging import PagingConfig, UrgencyLevel

__all__ = [
    "BACKOFF_ENV",
    "CHANNEL_TARGET",
    "Clock",
    "Paging",
    "backoff_base",
    "known_secrets",
    "lease",
    "level_of",
    "load_paging",
    "page_content",
    "scrub_all",
    "time_label",
]

BACKOFF_ENV = "ONCALL_BACKOFF_BASE"
"""Test/tuning knob: the first retry backoff in seconds (default 0.5), e.g. 0.01 in tests."""

CHANNEL_TARGET = "channel"
"""The responder recorded when nobody could be resolved: the page goes to the channels."""

_LEASE_MARGIN = timedelta(seconds=60)

Clock = Callable[[], datetime]


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

    config, marks = load_paging_config(cfg)
    pagers = build_pagers(config, backoff_base=backoff_base(environ), environ=environ)
    paging = Paging(cfg, config, marks, pagers)
    paging.secrets = known_secrets(paging, environ)
    _install_log_scrubber(paging.secrets)
    return paging


def known_secrets(paging: Paging, environ: Mapping[str, str] | None = None) -> list[Secret]:
    """Every secret the paging setup can use that is set: channels' and people's keys."""
    names = paging.config.secret_envs()
    names += [
        p.contacts["pagerduty_routing_key_env"]
        for p in paging.cfg.people.values()
        if p.contacts.get("pagerduty_routing_key_env")
    ]
    return read_secrets(names, environ)


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


def level_of(paging: Paging, urgency: str) -> UrgencyLevel:
    """The urgency level of a page (stored urgencies are plain text: anything not
    ``low`` is ``high``)."""
    return paging.config.level(urgency_of(urgency))


def urgency_of(value: str) -> Urgency:
    return "low" if value == "low" else "high"


def _severity(value: str) -> Severity:
    for s in SEVERITIES:
        if s == value:
            return s
    return "error"


def time_label(t: datetime, tz: ZoneInfo) -> str:
    """``2026-11-20 10:31 IST``: ``t`` on the wall clock of ``tz``, with its abbreviation."""
    return format_time(t, tz)


def _text(value: object) -> DetailValue:
    """A stored detail as providers get it: text, numbers and booleans as they are."""
    if isinstance(value, str | int | float | bool):
        return value
    return json.dumps(value, sort_keys=True, default=str)


def visible_details(details: Mapping[str, object]) -> dict[str, object]:
    """The details people see: keys starting with ``_`` are internal, never shown or sent."""
    return {k: v for k, v in details.items() if not k.startswith("_")}


def page_content(cfg: Config, record: PageRecord) -> PageContent:
    """What the providers are told about a stored page."""
    spec = cfg.owners.pipelines.get(record.pipeline) if record.pipeline else None
    runbook = record.runbook or (spec.runbook if spec else None)
    return PageContent(
        page_id=record.page_id,
        dedup_key=record.dedup_key,
        pipeline=record.pipeline,
        family=spec.family if spec else None,
        severity=_severity(record.severity),
        summary=record.summary,
        created=record.created,
        details={k: _text(v) for k, v in visible_details(record.details).items()},
        responder=None if record.responder == CHANNEL_TARGET else record.responder,
        escalation=record.escalation,
        owners=(spec.primary, spec.secondary) if spec else (None, None),
        runbook=f"oncall runbook {runbook}" if runbook else None,
    )


def lease(paging: Paging, targets: int = 1) -> timedelta:
    """Longer than one delivery can take: every channel's budget, in sequence, per target."""
    total = sum((ch.retry_budget for ch in paging.config.channels.values()), timedelta(0))
    return total * max(1, targets) + _LEASE_MARGIN
