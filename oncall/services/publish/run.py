"""The entry points of ``oncall publish``: load publish.yaml, build the clients, publish.

``environ`` (default ``os.environ``) holds the tokens; ``retry`` carries the backoff and the
injected sleeper and clocks. Every person is mapped before anything is written.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING

from oncall.errors import PublishNotConfiguredError
from oncall.reports.publish import PagerDutyPublishOut, PublishReport, SlackGroupOut
from oncall.services.publish.common import Retry, build_pagerduty, build_slack
from oncall.services.publish.lease import publish_lease
from oncall.services.publish.notices import NoticeSender

if TYPE_CHECKING:
    from oncall.adapters.store.protocol import Store
    from oncall.config import Config
    from oncall.config.models.publish import PublishFile

__all__ = ["run_all", "run_pagerduty", "run_slack"]


def _load(cfg: Config) -> PublishFile:
    from oncall.config.publish import load_publish_config

    model, _ = load_publish_config(cfg)
    assert model is not None
    return model


def _email_pager(cfg: Config, environ: Mapping[str, str] | None, retry: Retry) -> object | None:
    """The first email channel of paging.yaml, as a pager; None without one."""
    from oncall.config.locate import PAGING_FILE

    if not (cfg.dir / PAGING_FILE).is_file():
        return None
    from oncall.adapters.pagers import build_pager
    from oncall.config.models.paging import EmailChannel
    from oncall.config.paging import load_paging_config

    paging, _ = load_paging_config(cfg)
    for name, channel in paging.channels.items():
        if isinstance(channel, EmailChannel):
            return build_pager(
                name,
                channel,
                backoff_base=retry.backoff_base,
                environ=environ,
                sleep=retry.sleep,
                monotonic=retry.monotonic,
            )
    return None


def _sender(
    cfg: Config, pub: PublishFile, now: datetime, environ: Mapping[str, str] | None, retry: Retry
) -> NoticeSender:
    from oncall.errors import MissingSecretError

    slack = None
    if pub.slack is not None:
        try:
            slack = build_slack(pub.slack, environ, retry)
        except MissingSecretError:
            slack = None
    email = _email_pager(cfg, environ, retry)
    return NoticeSender(now=now, slack=slack, email=email)  # type: ignore[arg-type]


def run_pagerduty(
    cfg: Config,
    store: Store | None,
    *,
    now: datetime,
    start: datetime,
    weeks: int = 8,
    rotation: str | None = None,
    dry_run: bool = False,
    environ: Mapping[str, str] | None = None,
    retry: Retry = Retry(),
) -> list[PagerDutyPublishOut]:
    from oncall.services.publish.pagerduty import publish_pagerduty
    from oncall.services.roster import build_availability

    pub = _load(cfg)
    if pub.pagerduty is None:
        raise PublishNotConfiguredError(
            "publish.yaml has no 'pagerduty' section: add one with api_token_env and "
            "schedules (see docs/publish.md)"
        )
    api = build_pagerduty(pub.pagerduty, environ, retry)
    with publish_lease(None if dry_run else store, "pagerduty", now=now):
        return publish_pagerduty(
            cfg,
            pub.pagerduty,
            api,
            store,
            build_availability(cfg),
            now=now,
            start=start,
            weeks=weeks,
            rotation=rotation,
            dry_run=dry_run,
            notices=_sender(cfg, pub, now, environ, retry),
        )


def run_slack(
    cfg: Config,
    store: Store | None,
    *,
    now: datetime,
    dry_run: bool = False,
    environ: Mapping[str, str] | None = None,
    retry: Retry = Retry(),
) -> list[SlackGroupOut]:
    from oncall.services.publish.slack import publish_slack
    from oncall.services.roster import build_availability

    pub = _load(cfg)
    if pub.slack is None:
        raise PublishNotConfiguredError(
            "publish.yaml has no 'slack' section: add one with bot_token_env and "
            "usergroups (see docs/publish.md)"
        )
    api = build_slack(pub.slack, environ, retry)
    with publish_lease(None if dry_run else store, "slack", now=now):
        return publish_slack(
            cfg,
            pub.slack,
            api,
            store,
            build_availability(cfg),
            now=now,
            pages=store,
            dry_run=dry_run,
        )


def run_all(
    cfg: Config,
    store: Store | None,
    *,
    now: datetime,
    start: datetime,
    dry_run: bool = False,
    environ: Mapping[str, str] | None = None,
    retry: Retry = Retry(),
) -> PublishReport:
    """Every configured target: PagerDuty (8 weeks from ``start``), then Slack."""
    pub = _load(cfg)
    report = PublishReport()
    if pub.pagerduty is not None:
        report.pagerduty = run_pagerduty(
            cfg, store, now=now, start=start, dry_run=dry_run, environ=environ, retry=retry
        )
    if pub.slack is not None and pub.slack.usergroups:
        report.slack = run_slack(cfg, store, now=now, dry_run=dry_run, environ=environ, retry=retry)
    return report
