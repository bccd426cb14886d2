"""What ``oncall validate`` adds for paging: located errors and warnings."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, get_args

from oncall.adapters.secrets import unset_env
from oncall.config.paging import paging_path
from oncall.errors import ConfigError, Problem

if TYPE_CHECKING:
    from oncall.config.loaded import Config

__all__ = ["paging_problems"]


def paging_problems(cfg: Config, environ: Mapping[str, str] | None = None) -> list[Problem]:
    """No ``paging.yaml``: nothing (paging is optional). Invalid file: its located errors.
    Otherwise a warning per secret environment variable that is not set (at the key that
    names it, in paging.yaml or owners.yaml), and per ``by_purpose`` entry no pipeline uses.
    """
    from oncall.config.located import load_model
    from oncall.config.models.owners import Purpose
    from oncall.config.models.paging import PagingConfig

    path = paging_path(cfg)
    if not path.is_file():
        return []
    try:
        config, marks = load_model(path, PagingConfig)
    except ConfigError as exc:
        return list(exc.problems)
    assert config is not None
    people_keys = {
        pid: spec.contacts.pagerduty_routing_key_env
        for pid, spec in cfg.owners.people.items()
        if spec.contacts.pagerduty_routing_key_env
    }
    needed = [*config.secret_envs(), *[v for v in people_keys.values() if v]]
    missing = set(unset_env(needed, environ))
    problems: list[Problem] = []
    for name, channel in config.channels.items():
        for key, var in channel.secret_envs():
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
