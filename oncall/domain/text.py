"""Words for people: the one did-you-mean rule, used by every "unknown X" message."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def closest(name: str, candidates: Iterable[str], *, cutoff: float = 0.6) -> str | None:
    """The candidate most like ``name`` (difflib ratio at least ``cutoff``), or None."""
    guesses = difflib.get_close_matches(name, list(candidates), n=1, cutoff=cutoff)
    return guesses[0] if guesses else None


def suggest(name: str, candidates: Iterable[str], *, cutoff: float = 0.6) -> str:
    """`` (did you mean 'x'?)`` for the closest candidate, or ``""`` when none is close."""
    guess = closest(name, candidates, cutoff=cutoff)
    return f" (did you mean '{guess}'?)" if guess is not None else ""
