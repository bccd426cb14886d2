"""The cache of validated config: a warm start reads one JSON file and never imports pydantic.

Entries live under the user cache dir (``$ONCALL_CACHE_DIR/config/<key>.json``), keyed by
the files' bytes, the runbook file names, the versions of oncall, Python and the holidays
package, and a stamp of the code that validates (``code_stamp``: the size and modification
time of every source file of ``oncall/config/`` and ``oncall/domain/``), so that an entry
written before a rule changed is never served, even within one version. Models are stored
as tagged plain data and come back as read-only namespaces with the same attributes. A
missing, stale or corrupt entry only costs a re-validation.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
from datetime import date, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from oncall import __version__
from oncall.config.loaded import Config
from oncall.config.locate import runbooks_dir
from oncall.config.marks import Marks
from oncall.errors import Problem

CACHE_FORMAT = "4"
CACHE_KEEP = 32
"""How many entries (config versions) are kept; older ones are pruned on write."""
CACHE_DIR_ENV = "ONCALL_CACHE_DIR"
PACKAGE = Path(__file__).resolve().parents[1]
"""The ``oncall`` package directory, whose source files ``code_stamp`` reads."""
RULE_CODE = ("config", "domain", "errors.py", "adapters/calendars.py")
"""The code a validated config depends on, relative to :data:`PACKAGE`."""


def code_stamp(parts: tuple[str, ...] = RULE_CODE) -> str:
    """The path, size and modification time of every ``.py`` file of ``parts`` (folders are
    walked, ``__pycache__`` skipped): a cheap stamp (a few hundred stats, well under a
    millisecond) that changes when any rule does, in a checkout or an installed package."""
    found: list[str] = []

    def walk(folder: str) -> None:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    if entry.name != "__pycache__":
                        walk(entry.path)
                elif entry.name.endswith(".py"):
                    info = entry.stat()
                    found.append(f"{entry.path}\0{info.st_size}\0{info.st_mtime_ns}")

    for part in parts:
        path = PACKAGE / part
        try:
            if path.is_dir():
                walk(str(path))
            else:
                info = path.stat()
                found.append(f"{path}\0{info.st_size}\0{info.st_mtime_ns}")
        except OSError:
            found.append(f"{path}\0missing")
    return hashlib.sha256("\n".join(sorted(found)).encode()).hexdigest()


def cache_root() -> Path:
    env = os.environ.get(CACHE_DIR_ENV)
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_cache_dir("oncall"))


def entry_path(directory: Path, owners: bytes, rotation: bytes) -> Path:
    """Where the validated config of these file contents is (or would be) cached."""
    return cache_root() / "config" / f"{fingerprint(directory, owners, rotation)}.json"


def fingerprint(directory: Path, owners: bytes, rotation: bytes) -> str:
    """Everything a validated config depends on: file contents, runbook names, versions
    (of oncall, Python and the holidays package, whose calendars validation checks) and
    the code of the rules (``code_stamp``)."""
    try:
        names = sorted(p for p in os.listdir(runbooks_dir(directory)) if p.endswith(".yaml"))
    except OSError:
        names = []
    digest = hashlib.sha256()
    from oncall.adapters.calendars import holidays_version

    for part in (
        CACHE_FORMAT,
        __version__,
        holidays_version(),
        sys.version,
        code_stamp(RULE_CODE),
        str(directory.resolve()),
        str(directory),
        "\n".join(names),
    ):
        digest.update(part.encode() + b"\0")
    digest.update(owners + b"\0" + rotation)
    return digest.hexdigest()


def read_entry(path: Path, directory: Path) -> Config | None:
    """The cached config at ``path``, or None when it is missing, stale or corrupt.

    An entry is three JSON lines: the config, then the marks of owners.yaml and of
    rotation.yaml (three quarters of the bytes), each parsed only when a problem in that
    file needs a position."""
    import orjson

    try:
        head, _, marks = path.read_bytes().partition(b"\n")
        owners_marks, _, rotation_marks = marks.partition(b"\n")
        raw = orjson.loads(head)
    except (OSError, ValueError):
        return None  # orjson.JSONDecodeError is a ValueError
    if not (isinstance(raw, dict) and raw.get("format") == CACHE_FORMAT):
        return None
    try:
        owners_path, rotation_path = raw["marks_paths"]
        return Config(
            directory,
            _from_plain(raw["owners"]),
            _from_plain(raw["rotation"]),
            _CachedMarks(Path(owners_path), owners_marks),
            _CachedMarks(Path(rotation_path), rotation_marks),
            [Problem(*w) for w in raw["warnings"]],
        )
    except (KeyError, TypeError, ValueError):
        return None  # corrupt entry: validate again


class PlainConfig:
    """A validated config in the cache's JSON form, made once for both the entry written
    and the config returned (``as_cached``)."""

    def __init__(self, cfg: Config) -> None:
        self.cfg = cfg
        self.owners = _to_plain(cfg.owners)
        self.rotation = _to_plain(cfg.rotation)


def write_entry(path: Path, cfg: Config | PlainConfig) -> None:
    """Cache ``cfg`` at ``path`` (atomically) and prune old entries beside it."""
    from oncall.adapters.files import atomic_write

    plain = cfg if isinstance(cfg, PlainConfig) else PlainConfig(cfg)
    payload = {
        "format": CACHE_FORMAT,
        "owners": plain.owners,
        "rotation": plain.rotation,
        "marks_paths": [str(plain.cfg.owners_marks.path), str(plain.cfg.rotation_marks.path)],
        "warnings": [[w.path, w.line, w.col, w.message, w.severity] for w in plain.cfg.warnings],
    }
    marks = (plain.cfg.owners_marks.to_plain(), plain.cfg.rotation_marks.to_plain())
    # A cache we cannot write only costs a re-validation next time.
    with contextlib.suppress(OSError):
        data = b"\n".join(
            json.dumps(part, separators=(",", ":")).encode() for part in (payload, *marks)
        )
        atomic_write(path, data, durable=False)
        prune(path.parent, keep=CACHE_KEEP)


def as_cached(cfg: Config | PlainConfig) -> Config:
    """``cfg`` as a cache hit would return it: the same plain namespaces, not the models."""
    plain = cfg if isinstance(cfg, PlainConfig) else PlainConfig(cfg)
    return Config(
        plain.cfg.dir,
        _from_plain(plain.owners),
        _from_plain(plain.rotation),
        plain.cfg.owners_marks,
        plain.cfg.rotation_marks,
        plain.cfg.warnings,
    )


def prune(folder: Path, *, keep: int) -> None:
    """Drop all but the ``keep`` most recently written entries (old config versions)."""
    entries = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[keep:]:
        with contextlib.suppress(OSError):
            old.unlink()


def _to_plain(value: Any) -> Any:
    """Validated models as JSON-able data, tagged so that ``_from_plain`` can rebuild them."""
    fields = getattr(type(value), "model_fields", None)
    if fields is not None:
        return {"__m__": {name: _to_plain(getattr(value, name)) for name in fields}}
    if isinstance(value, dict):
        return {"__d__": {str(k): _to_plain(v) for k, v in value.items()}}
    if isinstance(value, (list, tuple)):
        return [_to_plain(v) for v in value]
    if isinstance(value, datetime):
        return {"__dt__": value.isoformat()}
    if isinstance(value, date):
        return {"__date__": value.isoformat()}
    return value


def _from_plain(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_from_plain(v) for v in value)
    if isinstance(value, dict):
        if "__m__" in value:
            return SimpleNamespace(**{k: _from_plain(v) for k, v in value["__m__"].items()})
        if "__d__" in value:
            return {k: _from_plain(v) for k, v in value["__d__"].items()}
        if "__dt__" in value:
            return datetime.fromisoformat(value["__dt__"])
        if "__date__" in value:
            return date.fromisoformat(value["__date__"])
    return value


class _CachedMarks(Marks):
    """Marks read from a cache entry, decoded on first use: most runs locate no problem in
    a file, so its thousands of positions are never needed. A damaged marks line only
    costs positions (problems then point at line 1), never the config."""

    def __init__(self, path: Path, data: bytes) -> None:
        self.path = path
        self._raw = data

    def __getattr__(self, name: str) -> Any:
        if name not in ("values", "keys") or "_raw" not in self.__dict__:
            raise AttributeError(name)
        import orjson

        data = self.__dict__.pop("_raw")
        try:
            self.load_plain(orjson.loads(data))
        except (TypeError, ValueError, KeyError):  # a damaged line: problems point at line 1
            self.values, self.keys = {}, {}
        return getattr(self, name)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Marks):
            return NotImplemented
        return (self.path, self.values, self.keys) == (other.path, other.values, other.keys)
