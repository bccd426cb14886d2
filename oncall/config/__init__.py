"""Config as code: the files of ``config/`` (and ``runbooks/``) into validated models.

Every problem is reported as ``file:line:col: error: what is wrong and how to fix it``,
and every problem in a file set is reported, not only the first.

- ``locate``: where the config is, and the name of each file;
- ``yamlfile`` and ``marks``: strict YAML reading that remembers where each value sits;
- ``located``: pydantic's errors as located problems, ``load_model`` for any file;
- ``models/``: one module per file (``owners``, ``rotation``, ...), one strict base;
- ``rules``: checks between keys and files; ``loaded``: the ``Config`` the rest uses;
- ``cache``: validated config kept as JSON, so a warm start never imports pydantic;
- ``schema``: the JSON Schema of every file, generated from the models.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from oncall.config import cache
from oncall.config.loaded import Config, aware_in
from oncall.config.locate import OWNERS_FILE, ROTATION_FILE, find_config_dir, runbooks_dir
from oncall.config.marks import Marks
from oncall.errors import ConfigError, Problem

if TYPE_CHECKING:
    from pydantic import BaseModel

__all__ = ["Config", "aware_in", "find_config_dir", "load_config", "load_model", "validate_config"]

M = TypeVar("M", bound="BaseModel")


def load_model(path: Path, model: type[M], *, required: bool = True) -> tuple[M | None, Marks]:
    """Read ``path`` strictly into ``model``; ConfigError lists every problem, located.

    Imports pydantic and PyYAML only when called (see ``oncall.config.located``).
    """
    from oncall.config.located import load_model as load_located

    return load_located(path, model, required=required)


def load_config(config_dir: Path | None = None, *, use_cache: bool = True) -> Config:
    """Load and cross-check the config. ConfigError lists every error found.

    Once a file set has validated, the result is cached under the user cache dir
    (``$ONCALL_CACHE_DIR/config/``), keyed by the files' bytes, the runbook file names, the
    versions of oncall and Python and the code of the rules (``cache.code_stamp``). A hit
    skips YAML parsing and pydantic entirely; a missing, stale or corrupt cache entry only
    costs a re-validation. Config files are never written.
    """
    directory = find_config_dir(config_dir)
    try:
        owners_bytes = (directory / OWNERS_FILE).read_bytes()
        rotation_bytes = (directory / ROTATION_FILE).read_bytes()
    except OSError:
        owners_bytes = rotation_bytes = b""
        use_cache = False
    entry = None
    if use_cache:
        entry = cache.entry_path(directory, owners_bytes, rotation_bytes)
        cached = cache.read_entry(entry, directory)
        if cached is not None:
            return cached
    from oncall.adapters.collector import collector_paused

    with collector_paused():  # YAML nodes and models: no cycles, many objects
        plain = cache.PlainConfig(validate_config(directory))
        if entry is not None:
            cache.write_entry(entry, plain)
        return cache.as_cached(plain)


def validate_config(directory: Path) -> Config:
    """Validate both files with pydantic and check them against each other (no cache).

    Every rule runs even when another failed (reference rules on the raw data), so one
    ConfigError lists every problem of the file set.
    """
    from oncall.config.located import validate_data
    from oncall.config.models.owners import OwnersFile
    from oncall.config.models.rotation import RotationFile
    from oncall.config.rules import (
        calendar_problems,
        override_problems,
        reference_problems,
        roster_problems,
        unique_problems,
    )
    from oncall.config.yamlfile import load_yaml

    problems: list[Problem] = []
    raw: dict[str, Any] = {}
    marks: dict[str, Marks] = {}
    models: dict[str, Any] = {}
    files: tuple[tuple[str, str, type[BaseModel]], ...] = (
        ("owners", OWNERS_FILE, OwnersFile),
        ("rotation", ROTATION_FILE, RotationFile),
    )
    for name, file_name, model in files:
        try:
            raw[name], marks[name] = load_yaml(directory / file_name)
            models[name] = validate_data(raw[name], model, marks[name])
        except ConfigError as exc:
            problems.extend(exc.problems)
    owners_raw, rotation_raw = raw.get("owners"), raw.get("rotation")
    if isinstance(owners_raw, dict) and isinstance(rotation_raw, dict):
        problems.extend(
            reference_problems(
                owners_raw,
                rotation_raw,
                marks["owners"],
                marks["rotation"],
                runbooks_dir(directory),
            )
        )
    if isinstance(owners_raw, dict):
        problems.extend(calendar_problems(owners_raw, marks["owners"]))
    errors = unique_problems([p for p in problems if p.severity == "error"])
    if errors or "owners" not in models or "rotation" not in models:
        raise ConfigError(errors)
    cfg = Config(
        directory, models["owners"], models["rotation"], marks["owners"], marks["rotation"]
    )
    found = roster_problems(cfg)
    if not any(p.severity == "error" for p in found):
        found += override_problems(cfg)
    errors = [p for p in found if p.severity == "error"]
    if errors:
        raise ConfigError(errors)
    cfg.warnings.extend(p for p in found if p.severity != "error")
    return cfg
