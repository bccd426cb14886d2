"""Loading ``config/publish.yaml`` (beside owners.yaml) into :class:`PublishFile`.

Checked against the rest of the config: every rotation named under ``schedules`` or
``usergroups`` must exist in rotation.yaml.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from oncall.config.locate import PUBLISH_FILE
from oncall.domain.text import suggest
from oncall.errors import ConfigError, Problem, PublishNotConfiguredError

if TYPE_CHECKING:
    from oncall.config.loaded import Config
    from oncall.config.marks import Marks
    from oncall.config.models.publish import PublishFile

__all__ = ["load_publish_config", "publish_path", "publish_problems"]


def publish_path(cfg: Config) -> Path:
    return cfg.dir / PUBLISH_FILE


def publish_problems(cfg: Config, model: PublishFile, marks: Marks) -> list[Problem]:
    """Rotations named in ``publish.yaml`` that rotation.yaml does not define, located."""
    known = list(cfg.rotation.rotations)
    problems: list[Problem] = []
    sections: list[tuple[str, str, dict[str, str]]] = []
    if model.pagerduty is not None:
        sections.append(("pagerduty", "schedules", dict(model.pagerduty.schedules)))
    if model.slack is not None:
        sections.append(("slack", "usergroups", dict(model.slack.usergroups)))
    for section, key, mapping in sections:
        for rid in mapping:
            if rid not in cfg.rotation.rotations:
                problems.append(
                    marks.problem(
                        (section, key, rid),
                        f"{section}.{key}: unknown rotation '{rid}'{suggest(rid, known)}; "
                        f"use one of {', '.join(known)} (see rotation.yaml)",
                        key=True,
                    )
                )
    if model.pagerduty is None and model.slack is None:
        problems.append(
            marks.problem((), "publish.yaml needs a 'pagerduty' or a 'slack' section (or both)")
        )
    return problems


def load_publish_config(cfg: Config, *, required: bool = True) -> tuple[PublishFile | None, Marks]:
    """``publish.yaml``, validated and checked against rotation.yaml, with its marks.

    A missing file raises PublishNotConfiguredError (exit 2) when ``required``, else gives
    None; an invalid one raises ConfigError with located problems.
    """
    from oncall.config.located import load_model
    from oncall.config.models.publish import PublishFile

    path = publish_path(cfg)
    model, marks = load_model(path, PublishFile, required=False)
    if model is None:
        if required:
            raise PublishNotConfiguredError(
                f"publishing is not configured: {path} does not exist; write one with a "
                "'pagerduty' or 'slack' section (see docs/publish.md)"
            )
        return None, marks
    problems = publish_problems(cfg, model, marks)
    if problems:
        raise ConfigError(problems)
    return model, marks
