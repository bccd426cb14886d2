"""Holiday calendars from the ``holidays`` package: which calendar, one year of it, checks.

Start-up time matters more than anything else here: importing ``holidays`` and building
India's calendar costs tens of milliseconds, so the package is imported only when a year
is built (``oncall.adapters.calendar_cache`` keeps built years on disk).

The ``holidays`` package reports trouble through Python warnings (for example India's
lunar holidays are only known from 2001 to 2035, and later years silently lack them).
Those warnings never reach the user: they are collected into ``CalendarYear.notes`` and
turned into ``CalendarYear.supported``, so callers can warn once in their own words
(see ``CachedHolidayCalendars.coverage_warning``).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from types import MappingProxyType
from typing import TYPE_CHECKING, Protocol

from oncall.domain.people import Holiday, YearCalendar
from oncall.domain.text import closest_folded, did_you_mean
from oncall.errors import CalendarError

if TYPE_CHECKING:
    from holidays import HolidayBase

__all__ = [
    "CalendarCoverage",
    "CalendarKey",
    "CalendarYear",
    "HolidayCalendars",
    "build_year",
    "calendar_for",
    "check_calendar",
    "compute_supported_until",
    "holidays_version",
]

_NAME_SEPARATOR = "; "


@dataclass(frozen=True, slots=True)
class CalendarKey:
    """Which holiday calendar: a country code, an optional subdivision and categories."""

    country: str
    subdiv: str | None = None
    categories: tuple[str, ...] = ("public",)

    def label(self) -> str:
        """Short human name, e.g. ``IN-MH (public)``."""
        place = f"{self.country}-{self.subdiv}" if self.subdiv else self.country
        return f"{place} ({', '.join(self.categories)})"


@dataclass(frozen=True, slots=True)
class CalendarYear:
    """One year of one calendar, with what the ``holidays`` package said while building it.

    ``supported`` is False when the package flagged the year (it emitted a warning, e.g.
    India's lunar holidays beyond 2035) or the year is outside the country's range: some
    holidays may then be missing. ``notes`` keeps the package's raw warning texts for
    debugging; they are never shown as Python warnings.
    """

    key: CalendarKey
    year: int
    holidays: Mapping[date, Holiday]
    supported: bool = True
    notes: tuple[str, ...] = ()


class HolidayCalendars(Protocol):
    """Holidays of a calendar for a year."""

    def year(self, key: CalendarKey, year: int) -> Mapping[date, Holiday]: ...


class CalendarCoverage(Protocol):
    """Which years a calendar's holiday data can be trusted for."""

    def supported_until(self, key: CalendarKey) -> int | None: ...

    def is_supported(self, key: CalendarKey, year: int) -> bool: ...


def calendar_for(calendars: HolidayCalendars, key: CalendarKey) -> YearCalendar:
    """The ``YearCalendar`` of one key, as ``DaysOffTable`` wants it."""

    def year_calendar(year: int) -> Mapping[date, Holiday]:
        return calendars.year(key, year)

    return year_calendar


def holidays_version() -> str:
    """Version of the installed ``holidays`` package, without importing it.

    ``importlib.metadata`` costs ~25 ms to import, so first look for the
    ``holidays-<version>.dist-info`` directory next to the package; fall back to
    ``importlib.metadata`` when that is ambiguous (editable installs, leftovers).
    """
    import importlib.util

    spec = importlib.util.find_spec("holidays")
    if spec is not None and spec.origin:
        site = os.path.dirname(os.path.dirname(spec.origin))
        try:
            found = [
                name[len("holidays-") : -len(".dist-info")]
                for name in os.listdir(site)
                if name.startswith("holidays-") and name.endswith(".dist-info")
            ]
        except OSError:
            found = []
        if len(found) == 1:
            return found[0]
    from importlib.metadata import version

    return version("holidays")


def check_calendar(key: CalendarKey) -> str | None:
    """A clear message if the ``holidays`` package does not know this key, else None.

    Imports ``holidays`` (meant for ``oncall config validate``, which may be slower).
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import holidays

        if key.country not in _registry_codes():
            countries = holidays.list_supported_countries(include_aliases=True)
            if key.country not in countries:
                return _unknown_country(key.country, countries)
        entity = holidays.country_holidays(key.country, years=())

    subdivisions: tuple[str, ...] = tuple(getattr(entity, "subdivisions", ()))
    aliases: dict[str, str] = dict(getattr(entity, "subdivisions_aliases", {}) or {})
    if key.subdiv is not None and key.subdiv not in subdivisions and key.subdiv not in aliases:
        if not subdivisions:
            return f"holiday country {key.country} has no subdivisions; remove {key.subdiv!r}."
        deprecated = key.subdiv in tuple(getattr(entity, "_deprecated_subdivisions", ()))
        what = "deprecated" if deprecated else "unknown"
        return (
            f"{what} subdivision {key.subdiv!r} for holiday country {key.country}."
            f"{_did_you_mean(key.subdiv, subdivisions, aliases)}"
            f" Valid subdivisions: {', '.join(subdivisions)}."
        )

    supported: tuple[str, ...] = tuple(getattr(entity, "supported_categories", ("public",)))
    if not key.categories:
        return (
            f"no holiday category given for {key.country}."
            f" Supported categories: {', '.join(supported)}."
        )
    for category in key.categories:
        if category not in supported:
            return (
                f"unknown holiday category {category!r} for {key.country}."
                f"{_did_you_mean(category, supported, {})}"
                f" Supported categories: {', '.join(supported)}."
            )
    return None


@cache
def _registry_codes() -> frozenset[str]:
    """The two- and three-letter codes of the countries ``holidays`` lists, read from its
    registry: ``list_supported_countries`` imports every country's module (~0.1 s), so it
    is asked only about a code not found here (an alias, or an unknown country)."""
    from holidays import registry

    table = getattr(registry, "COUNTRIES", {})
    return frozenset(code for names in table.values() for code in names[1:3])


def _unknown_country(country: str, countries: Iterable[str]) -> str:
    import holidays

    by_fold = {c.casefold(): c for c in countries}
    if country.casefold() in by_fold:
        guesses = [by_fold[country.casefold()]]
    else:
        names: dict[str, str] = {}  # "unitedstates" -> "US", from the package's registry
        registry = getattr(getattr(holidays, "registry", None), "COUNTRIES", {})
        for entry in registry.values():
            if isinstance(entry, tuple) and len(entry) >= 2:
                names[str(entry[0]).casefold()] = str(entry[1])
        squashed = "".join(ch for ch in country.casefold() if ch.isalnum())
        guesses = closest_folded(squashed, names, n=2, cutoff=0.75)
        same_length = [c for c in by_fold if len(c) == len(country)] or list(by_fold)
        guesses += closest_folded(country, {f: by_fold[f] for f in same_length})
    hint = did_you_mean(list(dict.fromkeys(guesses))[:3])
    return (
        f"unknown holiday country {country!r}.{hint}"
        " Use a country code the holidays package supports, e.g. 'IN', 'US' or 'GB'."
    )


def _did_you_mean(value: str, valid: Iterable[str], aliases: Mapping[str, str]) -> str:
    """`` Did you mean 'X'?`` from case-insensitive close matches (aliases map to codes)."""
    return did_you_mean(closest_folded(value, {**{v: v for v in valid}, **aliases}))


def build_year(key: CalendarKey, year: int) -> CalendarYear:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        import holidays

        try:
            entity = holidays.country_holidays(
                key.country, subdiv=key.subdiv, years=year, categories=key.categories
            )
        except (NotImplementedError, ValueError, KeyError, AttributeError) as exc:
            message = check_calendar(key) or f"holiday calendar {key.label()}: {exc}"
            raise CalendarError(message) from exc
        days = {day: _holiday(entity, entity.get_list(day)) for day in sorted(entity)}
    notes = tuple(dict.fromkeys(str(w.message) for w in caught))
    in_range = entity.start_year <= year <= entity.end_year
    flagged = any(not issubclass(w.category, DeprecationWarning) for w in caught)
    return CalendarYear(key, year, MappingProxyType(days), in_range and not flagged, notes)


def _holiday(entity: HolidayBase, names: list[str]) -> Holiday:
    """Merge the names of one date; estimated ones go last so a trailing mark fits them."""
    certain: list[str] = []
    estimated: list[str] = []
    for name in names:
        base, is_estimated = _strip_estimated(entity, name)
        (estimated if is_estimated else certain).append(base)
    return Holiday(_NAME_SEPARATOR.join(certain + estimated), estimated=bool(estimated))


def _strip_estimated(entity: HolidayBase, name: str) -> tuple[str, bool]:
    """Undo the package's ``estimated_label`` (``"%s (estimated)"``) on one holiday name.

    The package marks lunar-calendar dates it computed rather than took from an official
    source by formatting the name with the entity's (translated) ``estimated_label``, or
    ``observed_estimated_label`` for an estimated holiday's observed day; there is no flag.
    """
    for attr, keep in (("observed_estimated_label", "observed_label"), ("estimated_label", "")):
        label = _translated(entity, attr)
        if label is None:
            continue
        prefix, _, suffix = label.partition("%s")
        if not (prefix or suffix) or len(name) <= len(prefix) + len(suffix):
            continue
        if name.startswith(prefix) and name.endswith(suffix):
            base = name[len(prefix) : len(name) - len(suffix)]
            kept = _translated(entity, keep) if keep else None
            return (kept.replace("%s", base, 1) if kept else base), True
    return name, False


def _translated(entity: HolidayBase, attr: str) -> str | None:
    template = getattr(entity, attr, None)
    if not isinstance(template, str):
        return None
    tr = getattr(entity, "tr", None)
    text = tr(template) if callable(tr) else template
    return text if isinstance(text, str) and "%s" in text else None


def compute_supported_until(key: CalendarKey) -> int | None:
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        import holidays

        try:
            entity = holidays.country_holidays(
                key.country, subdiv=key.subdiv, years=(), categories=key.categories
            )
        except (NotImplementedError, ValueError, KeyError, AttributeError) as exc:
            message = check_calendar(key) or f"holiday calendar {key.label()}: {exc}"
            raise CalendarError(message) from exc
        start = int(getattr(entity, "start_year", 1))
        end = getattr(entity, "end_year", None)
    if end is None:
        return None
    for year in range(int(end), start - 1, -1):
        if build_year(key, year).supported:
            return year
    return start - 1
