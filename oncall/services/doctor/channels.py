"""Doctor probes of the paging channels: variables set, endpoint reachable, nothing sent.

An HTTP channel's endpoint is probed with a ``HEAD`` of its URL's origin; an email
channel with an SMTP handshake (see :mod:`oncall.adapters.probes`). URLs that come from
environment variables are shown as their host and port only.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import partial
from typing import TYPE_CHECKING

from oncall.errors import ConfigError, OncallError, PagingNotConfiguredError
from oncall.reports.doctor import DoctorCheck
from oncall.services.doctor.runner import Probe, fail, ok, skip, warn

if TYPE_CHECKING:
    from oncall.adapters.probes import Reach
    from oncall.config import Config
    from oncall.config.models.paging import AnyChannel, EmailChannel
    from oncall.domain.paging.secret import Secret
    from oncall.services.paging.common import Paging

__all__ = ["NETWORK_TIMEOUT_MAX", "channel_probes", "probe_channel"]

NETWORK_TIMEOUT_MAX = 5.0
"""An endpoint probe waits at most this long per network operation (or the channel's
``timeout`` when that is shorter)."""


def channel_probes(
    cfg: Config, environ: Mapping[str, str]
) -> tuple[list[Probe], list[DoctorCheck], list[Secret]]:
    """A probe per channel of paging.yaml, the checks decided without probing (paging not
    configured or invalid), and the secrets no result may show."""
    from oncall.config.paging import paging_path
    from oncall.services.paging.common import load_paging

    try:
        paging = load_paging(cfg, environ=environ)
    except PagingNotConfiguredError:
        return (
            [],
            [
                skip(
                    "paging",
                    f"not configured: {paging_path(cfg)} does not exist, so nobody is paged",
                    "copy config/paging.yaml from the project and set its environment "
                    "variables (docs/paging.md)",
                )
            ],
            [],
        )
    except ConfigError as exc:
        first = exc.problems[0].render() if exc.problems else "invalid"
        return (
            [],
            [fail("paging", f"paging.yaml is invalid: {first}", "run `oncall validate`")],
            [],
        )
    except OncallError as exc:
        return [], [fail("paging", str(exc), "fix the environment, then run doctor again")], []
    probes = [
        Probe(
            f"channel {name}",
            partial(probe_channel, paging, name, environ),
            4 * _channel_timeout(paging, name) + 5.0,
        )
        for name in paging.config.channels
    ]
    return probes, [], list(paging.secrets)


def _channel_timeout(paging: Paging, name: str) -> float:
    return min(paging.config.channels[name].timeout.total_seconds(), NETWORK_TIMEOUT_MAX)


def probe_channel(
    paging: Paging, name: str, environ: Mapping[str, str] | None = None
) -> DoctorCheck:
    """A channel's variables are set and its endpoint answers; nothing is sent."""
    from oncall.adapters.probes import probe_http_origin
    from oncall.adapters.secrets import resolve_secret
    from oncall.config.models.paging import (
        EmailChannel,
        PagerDutyChannel,
        SlackChannel,
        WebhookChannel,
    )
    from oncall.domain.paging.url import check_channel_url

    env = os.environ if environ is None else environ
    channel = paging.config.channels[name]
    check_name = f"channel {name}"
    label = f"{channel.kind}: " if channel.kind != name else ""
    missing = [var for var in _channel_env_vars(channel) if not env.get(var, "").strip()]
    if missing:
        which = ", ".join(missing)
        noun = "variable" if len(missing) == 1 else "variables"
        return fail(
            check_name,
            f"{label}environment {noun} {which} not set: pages through '{name}' fail",
            f"export {' and '.join(missing)} where oncall runs ({_env_hint(channel)}; "
            "see docs/paging.md)",
        )
    notes: list[str] = []
    if isinstance(channel, PagerDutyChannel):
        people = [
            (pid, p.contacts["pagerduty_routing_key_env"])
            for pid, p in paging.cfg.people.items()
            if p.contacts.get("pagerduty_routing_key_env")
        ]
        unset = [(pid, var) for pid, var in people if not env.get(var, "").strip()]
        if unset:
            notes.append(
                "personal routing key(s) not set: "
                + ", ".join(f"{var} ({pid})" for pid, var in unset)
            )
    timeout = _channel_timeout(paging, name)
    if isinstance(channel, EmailChannel):
        verdict = _probe_email(channel, env, timeout)
    else:
        if isinstance(channel, PagerDutyChannel):
            url, origin_of = channel.url, "config"
        elif isinstance(channel, SlackChannel):
            url, origin_of = resolve_secret(channel.webhook_url_env, env).reveal(), "env"
        else:
            assert isinstance(channel, WebhookChannel)
            if channel.url is not None:
                url, origin_of = channel.url, "config"
            else:
                assert channel.url_env is not None
                url, origin_of = resolve_secret(channel.url_env, env).reveal(), "env"
        try:
            check_channel_url(url)
        except ValueError as exc:  # the message never repeats the URL
            where = (
                f"the URL in {_env_names(channel)}" if origin_of == "env" else "the configured URL"
            )
            return fail(
                check_name,
                f"{label}{where} is not usable: {exc}",
                f"set {_env_names(channel) or 'url'} to the full https URL the provider gave you",
            )
        verdict = probe_http_origin(url, timeout)
    status, text = verdict
    if status == "fail":
        return fail(check_name, f"{label}{text}", _reach_fix(channel))
    detail = f"{label}{text}"
    if notes:
        return warn(
            check_name,
            f"{detail}; " + "; ".join(notes),
            "export those variables, or those people get PagerDuty pages through the "
            "channel's routing key only",
        )
    return ok(check_name, detail)


def _probe_email(channel: EmailChannel, environ: Mapping[str, str], timeout: float) -> Reach:
    """The SMTP handshake, with the login when credentials are set; credentials are never
    sent in the clear to a host that is not this machine."""
    from oncall.adapters.probes import probe_smtp
    from oncall.adapters.secrets import resolve_secret
    from oncall.domain.paging.url import is_loopback_host

    login = None
    if channel.username_env and channel.password_env:
        login = (
            resolve_secret(channel.username_env, environ).reveal(),
            resolve_secret(channel.password_env, environ).reveal(),
        )
        if not channel.starttls and not is_loopback_host(channel.host):
            return "fail", (
                f"{channel.host}:{channel.port}: credentials are set but starttls is off: "
                "oncall never sends them in the clear (set starttls: true)"
            )
    return probe_smtp(
        channel.host, channel.port, starttls=channel.starttls, login=login, timeout=timeout
    )


def _channel_env_vars(channel: AnyChannel) -> list[str]:
    """Names of the environment variables holding a channel's secrets (the model's own list)."""
    return [var for _, var in channel.secret_envs()]


def _env_names(channel: AnyChannel) -> str:
    return " and ".join(_channel_env_vars(channel))


def _env_hint(channel: object) -> str:
    from oncall.config.models.paging import EmailChannel, PagerDutyChannel, SlackChannel

    if isinstance(channel, PagerDutyChannel):
        return "the Events API v2 integration key of the PagerDuty service"
    if isinstance(channel, SlackChannel):
        return "the Slack incoming-webhook URL"
    if isinstance(channel, EmailChannel):
        return "the SMTP login"
    return "the webhook receiver's URL"


def _reach_fix(channel: object) -> str:
    from oncall.config.models.paging import EmailChannel

    if isinstance(channel, EmailChannel):
        return (
            f"check host and port ({channel.host}:{channel.port}) and starttls in paging.yaml, "
            "the SMTP login variables, and that this machine may reach the relay"
        )
    return (
        "check the URL, DNS and firewall or proxy (HTTPS_PROXY) from this machine; a TLS "
        "error means the certificate is not trusted here"
    )
