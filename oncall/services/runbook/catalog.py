"""Finding runbook files: by name, by pipeline, all of them; each validated against owners."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from oncall.config.located import load_model
from oncall.domain.ids import ID_PATTERN
from oncall.domain.runbook import Runbook, Step, all_checks
from oncall.domain.text import closest, suggest
from oncall.errors import ConfigError, NotFoundError, Problem, UsageError

if TYPE_CHECKING:
    from oncall.config import Config
    from oncall.config.marks import Marks
    from oncall.domain.checks import Check

__all__ = [
    "LoadedRunbook",
    "list_runbooks",
    "load_runbook",
    "load_runbooks",
    "runbook_for_pipeline",
]


@dataclass(frozen=True)
class LoadedRunbook:
    """A validated runbook and where it came from."""

    name: str
    path: Path
    runbook: Runbook
    marks: Marks

    @property
    def checks(self) -> list[tuple[Step, Check]]:
        return all_checks(self.runbook)


def _runbook_names(cfg: Config) -> list[str]:
    folder = cfg.runbooks_dir
    if not folder.is_dir():
        return []
    return sorted(p.stem for p in folder.glob("*.yaml") if p.is_file())


def _load_file(cfg: Config, name: str, path: Path) -> LoadedRunbook:
    model, marks = load_model(path, Runbook)
    assert model is not None
    if model.pipeline not in cfg.owners.pipelines:
        long = len(model.pipeline) > 80
        guess = None if long else closest(model.pipeline, list(cfg.owners.pipelines))
        hint = f"did you mean '{guess}'? " if guess else ""
        shown = model.pipeline[:40] + "..." if long else model.pipeline
        raise ConfigError(
            [
                marks.problem(
                    ("pipeline",),
                    f"pipeline: unknown pipeline '{shown}' ({hint}known in "
                    f"{cfg.owners_path.name}: {', '.join(sorted(cfg.owners.pipelines))})",
                )
            ]
        )
    return LoadedRunbook(name, path, model, marks)


def load_runbook(cfg: Config, name: str) -> LoadedRunbook:
    """``runbooks/NAME.yaml``; NAME may also be a pipeline id with a ``runbook:``."""
    if not ID_PATTERN.match(name):
        raise UsageError(f"bad runbook name {name!r}: use the file name without .yaml, like profit")
    path = cfg.runbooks_dir / f"{name}.yaml"
    if not path.is_file():
        pipeline = cfg.owners.pipelines.get(name)
        if pipeline is not None and pipeline.runbook is not None:
            return _load_file(cfg, pipeline.runbook, cfg.runbooks_dir / f"{pipeline.runbook}.yaml")
        known = _runbook_names(cfg)
        hint = suggest(name, known + list(cfg.owners.pipelines))
        listing = ", ".join(known) if known else f"none in {cfg.runbooks_dir}"
        raise NotFoundError(f"no runbook '{name}'{hint}; known: {listing}")
    return _load_file(cfg, name, path)


def load_runbooks(cfg: Config) -> tuple[list[LoadedRunbook], list[Problem]]:
    """Every valid runbook in ``runbooks/``, and the located problems of the broken ones.

    One broken file does not hide the others (``oncall runbook list`` mid-incident).
    """
    from oncall.adapters.collector import collector_paused

    loaded: list[LoadedRunbook] = []
    problems: list[Problem] = []
    with collector_paused():  # YAML nodes and models: no cycles, many objects
        for name in _runbook_names(cfg):
            try:
                loaded.append(_load_file(cfg, name, cfg.runbooks_dir / f"{name}.yaml"))
            except ConfigError as exc:
                problems.extend(exc.problems)
    return loaded, problems


def list_runbooks(cfg: Config) -> list[LoadedRunbook]:
    """Every runbook in ``runbooks/``; ConfigError lists the problems of all of them."""
    loaded, problems = load_runbooks(cfg)
    if problems:
        raise ConfigError(problems)
    return loaded


def runbook_for_pipeline(cfg: Config, pipeline: str) -> LoadedRunbook:
    """The runbook a pipeline names in ``owners.yaml``; UsageError when it names none."""
    from oncall.services.roster import resolve_pipeline

    pipeline = resolve_pipeline(cfg, pipeline)
    name = cfg.owners.pipelines[pipeline].runbook
    if name is None:
        raise UsageError(
            f"pipeline '{pipeline}' has no runbook, so there is nothing to check: add "
            f"`runbook: <name>` to pipelines.{pipeline} in {cfg.owners_path.name}"
        )
    return load_runbook(cfg, name)
