"""``oncall page --dry-run``: what each channel would do (secrets masked), and whether the
page could be delivered at all (one working channel is enough)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from oncall.adapters.secrets import resolve_secret
from oncall.config.models.paging import (
    EmailChannel,
    PagerDutyChannel,
    SlackChannel,
    WebhookChannel,
)
from oncall.domain.paging.routing import Target
from oncall.domain.paging.secret import Secret
from oncall.domain.paging.urgency import Urgency
from oncall.domain.paging.url import check_channel_url
from oncall.errors import MissingSecretError, MissingSecretsError, NoChannelError, OncallError
from oncall.reports.outbox import DeliveryOut
from oncall.reports.paging import PageResult
from oncall.services.paging.common import Paging, level_of, time_label
from oncall.services.paging.delivery import fallthrough_channels

if TYPE_CHECKING:
    from oncall.adapters.store import PageRecord

__all__ = [
    "ChannelPlan",
    "DryRunVerdict",
    "describe_channel",
    "dry_run_deliveries",
    "dry_run_error",
    "dry_run_verdict",
]


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

    def secret(var: str) -> Secret | None:
        try:
            return resolve_secret(var, environ)
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


def _open_page_with_key(paging: Paging, dedup_key: str) -> PageRecord | None:
    """The team's open page with ``dedup_key``, read without creating a store file; None if
    there is none, no store yet, or the store cannot be reached (a dry run still plans)."""
    from oncall.adapters.store import open_store
    from oncall.errors import StoreError
    from oncall.services.store import resolve_store_location, resolve_team_id

    location = resolve_store_location(paging.cfg)  # a store misnamed is an error here too
    if location.path is not None and not location.path.is_file():
        return None
    try:
        with open_store(location, team=resolve_team_id(paging.cfg)) as db:
            return db.open_page_by_dedup(dedup_key)
    except StoreError:
        return None


def dry_run_deliveries(
    paging: Paging,
    record: PageRecord,
    targets: Sequence[Target],
    urgency: Urgency,
    held: datetime | None,
    tz: ZoneInfo,
) -> list[DeliveryOut]:
    """What each channel would do; ``tz`` (the responder's) labels a quiet-hours hold."""
    out: list[DeliveryOut] = []
    open_page = _open_page_with_key(paging, record.dedup_key)
    if open_page is not None:
        detail = (
            f"page {open_page.page_id} with this dedup key is {open_page.status}: "
            "would be suppressed"
        )
        return [
            DeliveryOut(
                channel=n, to=record.responder, status="suppressed", attempts=0, detail=detail
            )
            for n in level_of(paging, urgency).channels
        ]
    channels = level_of(paging, urgency).channels
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
    primary = set(level_of(paging, result.urgency).channels)
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
