"""Doctor probes of publishing (``config/publish.yaml``): tokens and the person mapping.

Each target gets an authenticated read and nothing written: PagerDuty ``GET /schedules/{id}``
of every configured schedule, then the person mapping (``contacts.pagerduty_user`` or the
email lookup ``GET /users?query=``, not cached); Slack ``auth.test``, then
``usergroups.users.list`` of every configured group, and every member of a published rotation
needs ``contacts.slack``. The tokens are handed back so no result can show them.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Mapping
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING

from oncall.errors import ConfigError, MissingSecretError, OncallError
from oncall.reports.doctor import DoctorCheck
from oncall.services.doctor.runner import Probe, fail, ok

if TYPE_CHECKING:
    from oncall.config import Config
    from oncall.config.models.publish import PagerDutyPublish, PublishFile, SlackPublish
    from oncall.domain.paging.secret import Secret

__all__ = ["probe_publish_pagerduty", "probe_publish_slack", "publish_probes"]


def publish_probes(
    cfg: Config, environ: Mapping[str, str], now: datetime
) -> tuple[list[Probe], list[DoctorCheck], list[Secret]]:
    """A probe per configured target, the check decided without probing (an invalid
    publish.yaml), and the tokens no result may show. No publish.yaml: nothing."""
    from oncall.adapters.secrets import resolve_secret
    from oncall.config.publish import load_publish_config

    try:
        pub, _ = load_publish_config(cfg, required=False)
    except ConfigError as exc:
        first = exc.problems[0].render() if exc.problems else "invalid"
        return (
            [],
            [fail("publish", f"publish.yaml is invalid: {first}", "run `oncall validate`")],
            [],
        )
    if pub is None:  # publishing is optional: nothing to check, nothing to say
        return [], [], []
    secrets: list[Secret] = []
    for env in _token_envs(pub):
        with contextlib.suppress(MissingSecretError):  # the probe reports it
            secrets.append(resolve_secret(env, environ))
    probes: list[Probe] = []
    if pub.pagerduty is not None:
        bound = _bound(pub.pagerduty, 2 + len(pub.pagerduty.schedules) + len(cfg.owners.people))
        probes.append(
            Probe(
                "publish pagerduty",
                partial(probe_publish_pagerduty, cfg, pub.pagerduty, now, environ),
                bound,
            )
        )
    if pub.slack is not None:
        bound = _bound(pub.slack, 2 + len(pub.slack.usergroups))
        probes.append(
            Probe(
                "publish slack", partial(probe_publish_slack, cfg, pub.slack, now, environ), bound
            )
        )
    return probes, [], secrets


def _unset(name: str, env: str, what: str) -> DoctorCheck:
    return fail(
        name,
        f"environment variable {env} is not set: publishing fails",
        f"export {env} where oncall runs ({what}; see docs/publish.md)",
    )


def _token_envs(pub: PublishFile) -> list[str]:
    envs = [pub.pagerduty.api_token_env] if pub.pagerduty is not None else []
    return envs + ([pub.slack.bot_token_env] if pub.slack is not None else [])


def _bound(config: PagerDutyPublish | SlackPublish, calls: int) -> float:
    return calls * (config.retry_budget.total_seconds() + config.timeout.total_seconds()) + 5.0


def _members(cfg: Config, rotations: Iterable[str]) -> set[str]:
    return {p for rid in rotations for p in cfg.rotation_members(rid)}


def probe_publish_pagerduty(
    cfg: Config,
    config: PagerDutyPublish,
    now: datetime,
    environ: Mapping[str, str] | None = None,
) -> DoctorCheck:
    """The REST API key reads every configured schedule; every member can be mapped."""
    from oncall.services.publish.common import build_pagerduty
    from oncall.services.publish.mapping import resolve_pagerduty_users

    name = "publish pagerduty"
    env = os.environ if environ is None else environ
    try:
        api = build_pagerduty(config, env)
    except MissingSecretError:
        return _unset(name, config.api_token_env, "a PagerDuty REST API key")
    try:
        names = []
        for rid, schedule in config.schedules.items():
            found = api.get_schedule(schedule)
            names.append(
                f"{rid} → {schedule}" + (f" ({found['name']})" if found.get("name") else "")
            )
    except OncallError as exc:
        return fail(name, str(exc), "check the key and the schedule ids in publish.yaml")
    people = _members(cfg, config.schedules)
    try:
        users = resolve_pagerduty_users(cfg, people, api, None, now=now, write_cache=False)
    except OncallError as exc:
        return fail(name, str(exc), "set contacts.pagerduty_user in owners.yaml, or fix the email")
    by_email = sum(1 for p in users if not cfg.owners.people[p].contacts.pagerduty_user)
    return ok(
        name,
        f"key accepted; schedules {', '.join(names)}; {len(users)} people mapped "
        f"({by_email} by email)",
    )


def probe_publish_slack(
    cfg: Config,
    config: SlackPublish,
    now: datetime,
    environ: Mapping[str, str] | None = None,
) -> DoctorCheck:
    """The bot token authenticates and reads every configured group; every member of a
    published rotation has a Slack member id."""
    from oncall.services.publish.common import build_slack

    name = "publish slack"
    env = os.environ if environ is None else environ
    try:
        api = build_slack(config, env)
    except MissingSecretError:
        return _unset(name, config.bot_token_env, "the Slack bot token")
    try:
        bot = api.auth_test()
        for group in config.usergroups.values():
            api.usergroup_members(group)
    except OncallError as exc:
        return fail(name, str(exc), "check the bot token, its scopes and slack.usergroups")
    people = _members(cfg, config.usergroups)
    unmapped = sorted(p for p in people if not cfg.owners.people[p].contacts.slack)
    if unmapped:
        return fail(
            name,
            f"token accepted (bot {bot}); no Slack member id for {', '.join(unmapped)}",
            "set contacts.slack in owners.yaml (a member id, e.g. U0123ABCD)",
        )
    return ok(
        name,
        f"token accepted (bot {bot}); groups {', '.join(config.usergroups.values())} readable; "
        f"{len(people)} people mapped",
    )
