"""What ``oncall validate`` reports for publishing: ``publish.yaml`` and the person mapping.

No ``publish.yaml``: nothing (publishing is optional). An invalid one: its located errors.
Otherwise, for every member of a rotation published to PagerDuty: an error when they have
neither ``contacts.pagerduty_user`` nor an email, a warning when only an email lookup at
publish time can tell who they are; for Slack, an error when they have no ``contacts.slack``;
and a warning per token variable that is not set.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from oncall.adapters.secrets import unset_env
from oncall.errors import ConfigError, Problem

if TYPE_CHECKING:
    from oncall.config import Config

__all__ = ["publish_problems"]


def publish_problems(cfg: Config, environ: Mapping[str, str] | None = None) -> list[Problem]:
    from oncall.config.publish import load_publish_config

    try:
        model, marks = load_publish_config(cfg, required=False)
    except ConfigError as exc:
        return list(exc.problems)
    if model is None:
        return []
    problems: list[Problem] = []
    owners = cfg.owners_marks
    tokens = []
    if model.pagerduty is not None:
        tokens.append(("pagerduty", "api_token_env", model.pagerduty.api_token_env))
        for pid, rid in _members(cfg, model.pagerduty.schedules):
            spec = cfg.owners.people[pid]
            if spec.contacts.pagerduty_user:
                continue
            if spec.email:
                problems.append(
                    owners.problem(
                        ("people", pid, "email"),
                        f"people.{pid}: rotation {rid} is published to PagerDuty and {pid} has "
                        f"no contacts.pagerduty_user: only a lookup of {spec.email} at publish "
                        "time can tell the user; set contacts.pagerduty_user to be sure",
                        severity="warning",
                    )
                )
            else:
                problems.append(
                    owners.problem(
                        ("people", pid),
                        f"people.{pid}: rotation {rid} is published to PagerDuty but {pid} has "
                        "neither contacts.pagerduty_user nor email: set contacts.pagerduty_user "
                        "(a PagerDuty user id, e.g. PABC123)",
                        key=True,
                    )
                )
    if model.slack is not None:
        tokens.append(("slack", "bot_token_env", model.slack.bot_token_env))
        for pid, rid in _members(cfg, model.slack.usergroups):
            if not cfg.owners.people[pid].contacts.slack:
                problems.append(
                    owners.problem(
                        ("people", pid),
                        f"people.{pid}: rotation {rid} is published to a Slack user group but "
                        f"{pid} has no contacts.slack: set it (a member id, e.g. U0123ABCD)",
                        key=True,
                    )
                )
    missing = set(unset_env([var for _, _, var in tokens], environ))
    for section, key, var in tokens:
        if var in missing:
            problems.append(
                marks.problem(
                    (section, key) if _has(model, section, key) else (section,),
                    f"{section}.{key}: environment variable {var} is not set: "
                    f"oncall publish {section} fails until it is exported",
                    severity="warning",
                )
            )
    return problems


def _members(cfg: Config, rotations: Mapping[str, str]) -> list[tuple[str, str]]:
    """(person, the first published rotation they are in), each person once, sorted."""
    seen: dict[str, str] = {}
    for rid in rotations:
        for pid in cfg.rotation_members(rid):
            seen.setdefault(pid, rid)
    return sorted(seen.items())


def _has(model: object, section: str, key: str) -> bool:
    part = getattr(model, section, None)
    return part is not None and key in part.model_fields_set
