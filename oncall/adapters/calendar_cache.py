"""Holiday calendars cached on disk, one JSON file per (calendar, year).

A warm cache reads one small JSON file per (calendar, year) and never imports the
``holidays`` package.

The cache lives in ``<root>/holidays/`` where ``<root>`` is, in order of precedence, the
``cache_dir`` constructor argument, ``$ONCALL_CACHE_DIR``, or
``platformdirs.user_cache_dir("oncall")``. Files are keyed by country, subdivision,
categories, year and the installed ``holidays`` version, so an upgrade of the package
never serves stale dates. The cache is best effort: a missing, corrupt or unwritable file
only costs a recompute.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import Any

from oncall.adapters.calendars import (
    CalendarKey,
    CalendarYear,
    build_year,
    compute_supported_until,
    holidays_version,
)
from oncall.domain.people import Holiday

__all__ = ["CACHE_DIR_ENV", "CachedHolidayCalendars"]

CACHE_DIR_ENV = "ONCALL_CACHE_DIR"
_CACHE_SUBDIR = "holidays"
_FORMAT = 1


class CachedHolidayCalendars:
    """``HolidayCalendars`` backed by the ``holidays`` package, memoised and cached on disk.

    ``package_version`` defaults to the installed ``holidays`` version and is part of
    every cache file's name and content.
    """

    def __init__(
        self, cache_dir: Path | str | None = None, *, package_version: str | None = None
    ) -> None:
        self._root = Path(cache_dir) if cache_dir is not None else None
        self._version = package_version
        self._years: dict[tuple[CalendarKey, int], CalendarYear] = {}
        self._until: dict[CalendarKey, int | None] = {}

    @property
    def cache_dir(self) -> Path:
        """Directory holding the cache files (created on first write)."""
        if self._root is None:
            env = os.environ.get(CACHE_DIR_ENV)
            if env:
                self._root = Path(env)
            else:
                import platformdirs

                self._root = Path(platformdirs.user_cache_dir("oncall"))
        return self._root / _CACHE_SUBDIR

    @property
    def package_version(self) -> str:
        if self._version is None:
            self._version = holidays_version()
        return self._version

    def year(self, key: CalendarKey, year: int) -> Mapping[date, Holiday]:
        return self.year_info(key, year).holidays

    def year_info(self, key: CalendarKey, year: int) -> CalendarYear:
        """The year with its support flag; raises ``CalendarError`` for an unknown key."""
        memo = self._years.get((key, year))
        if memo is not None:
            return memo
        path = self._path(key, f"{year}")
        info = _decode_year(_read_json(path), key, year, self.package_version)
        if info is None:
            info = build_year(key, year)
            _write_json(path, _encode_year(info, self.package_version))
        self._years[(key, year)] = info
        return info

    def is_supported(self, key: CalendarKey, year: int) -> bool:
        """False when holidays of that year may be missing (see ``CalendarYear``)."""
        return self.year_info(key, year).supported

    def supported_until(self, key: CalendarKey) -> int | None:
        """Last year whose holidays the package builds without complaint (India: 2035).

        None when the package states no upper bound at all. Computed once per key and
        package version by building years downwards from the package's ``end_year``, then
        cached on disk like the years themselves.
        """
        if key in self._until:
            return self._until[key]
        path = self._path(key, "until")
        raw = _read_json(path)
        found = _decode_until(raw, key, self.package_version)
        if found is None:
            until = compute_supported_until(key)
            _write_json(path, _encode_until(key, until, self.package_version))
        else:
            until = found[0]
        self._until[key] = until
        return until

    def coverage_warning(self, key: CalendarKey, years: Iterable[int]) -> str | None:
        """One user-facing sentence about the years whose holidays may be missing, or None."""
        bad = sorted({y for y in years if not self.is_supported(key, y)})
        if not bad:
            return None
        shown = ", ".join(str(y) for y in bad[:5]) + (", ..." if len(bad) > 5 else "")
        until = self.supported_until(key)
        known = (
            f"the holidays package {self.package_version} knows them reliably only up to {until}"
            if until is not None
            else f"the holidays package {self.package_version} flagged these years"
        )
        return (
            f"holiday calendar {key.label()} may be missing holidays in {shown}: {known}; "
            "check those dates by hand or upgrade the holidays package"
        )

    def _path(self, key: CalendarKey, what: str) -> Path:
        parts = (
            key.country,
            key.subdiv if key.subdiv is not None else "-",
            "+".join(key.categories),
            what,
            self.package_version,
        )
        return self.cache_dir / ("_".join(_escape(p) for p in parts) + ".json")


def _escape(part: str) -> str:
    """Injective, file-name-safe spelling: ASCII letters, digits, '.', '-' and '+' kept."""
    out: list[str] = []
    for ch in part:
        if (ch.isascii() and ch.isalnum()) or ch in ".-+":
            out.append(ch)
        else:
            out.append("".join(f"%{b:02X}" for b in ch.encode("utf-8")))
    return "".join(out)


def _key_json(key: CalendarKey) -> dict[str, Any]:
    return {"country": key.country, "subdiv": key.subdiv, "categories": list(key.categories)}


def _encode_year(info: CalendarYear, version: str) -> dict[str, Any]:
    return {
        "format": _FORMAT,
        "holidays_version": version,
        "key": _key_json(info.key),
        "year": info.year,
        "supported": info.supported,
        "notes": list(info.notes),
        "days": [[d.isoformat(), h.name, h.estimated] for d, h in info.holidays.items()],
    }


def _decode_year(raw: Any, key: CalendarKey, year: int, version: str) -> CalendarYear | None:
    """The cached year, or None when the file is not exactly what this key needs."""
    if not _header_matches(raw, key, version) or raw.get("year") != year:
        return None
    try:
        days: dict[date, Holiday] = {}
        for iso, name, estimated in raw["days"]:
            if not (isinstance(name, str) and isinstance(estimated, bool)):
                return None
            day = date.fromisoformat(iso)
            if day.year != year:
                return None
            days[day] = Holiday(name, estimated)
        notes = tuple(raw["notes"])
        supported = raw["supported"]
    except (KeyError, TypeError, ValueError):
        return None
    if not isinstance(supported, bool) or not all(isinstance(n, str) for n in notes):
        return None
    return CalendarYear(key, year, MappingProxyType(days), supported, notes)


def _encode_until(key: CalendarKey, until: int | None, version: str) -> dict[str, Any]:
    return {
        "format": _FORMAT,
        "holidays_version": version,
        "key": _key_json(key),
        "supported_until": until,
    }


def _decode_until(raw: Any, key: CalendarKey, version: str) -> tuple[int | None] | None:
    if not _header_matches(raw, key, version) or "supported_until" not in raw:
        return None
    until = raw["supported_until"]
    if until is not None and (isinstance(until, bool) or not isinstance(until, int)):
        return None
    return (until,)


def _header_matches(raw: Any, key: CalendarKey, version: str) -> bool:
    return (
        isinstance(raw, dict)
        and raw.get("format") == _FORMAT
        and raw.get("holidays_version") == version
        and raw.get("key") == _key_json(key)
    )


def _read_json(path: Path) -> Any:
    """Parsed JSON, or None when the file is missing, unreadable or corrupt."""
    try:
        with path.open("rb") as handle:
            return json.load(handle)
    except (OSError, ValueError, RecursionError):
        return None


def _write_json(path: Path, payload: dict[str, Any]) -> None:
    """Atomically replace ``path``; failures are ignored (a cache miss next time)."""
    from oncall.adapters.files import atomic_write

    data = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    with contextlib.suppress(OSError):
        atomic_write(path, data, durable=False)
