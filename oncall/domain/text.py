"""Words for people: the one did-you-mean rule, used by every "unknown X" message."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def closest(name: str, candidates: Iterable[str], *, cutoff: float = 0.6) -> str | None:
    """The candidate most like ``name`` (difflib ratio at least ``cutoff``), or None."""
    guesses = difflib.get_close_matches(name, list(candidates), n=1, cutoff=cutoff)
    return guesses[0] if guesses else None


def closest_folded(
    name: str, candidates: Iterable[str] | dict[str, str], *, n: int = 3, cutoff: float = 0.6
) -> list[str]:
    """Up to ``n`` candidates most like ``name``, ignoring case, best first and each once.

    ``candidates`` may map spellings to what to answer (an alias to its code)."""
    answers = dict(candidates) if isinstance(candidates, dict) else {c: c for c in candidates}
    folded: dict[str, str] = {}
    for spelling, answer in answers.items():
        folded.setdefault(spelling.casefold(), answer)
    matches = difflib.get_close_matches(name.casefold(), list(folded), n=n, cutoff=cutoff)
    return list(dict.fromkeys(folded[m] for m in matches))


def did_you_mean(guesses: Iterable[str]) -> str:
    """`` Did you mean 'X' or 'Y'?`` for the guesses, or ``""`` when there are none."""
    shown = [repr(g) for g in guesses]
    return f" Did you mean {' or '.join(shown)}?" if shown else ""


def suggest(name: str, candidates: Iterable[str], *, cutoff: float = 0.6) -> str:
    """`` (did you mean 'x'?)`` for the closest candidate, or ``""`` when none is close."""
    guess = closest(name, candidates, cutoff=cutoff)
    return f" (did you mean '{guess}'?)" if guess is not None else ""
