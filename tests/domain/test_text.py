"""The one did-you-mean rule."""

from __future__ import annotations

from oncall.domain.text import closest, suggest


def test_suggest_names_the_closest_candidate() -> None:
    assert suggest("aggregate-proft", ["aggregate-profit", "experiments"]) == (
        " (did you mean 'aggregate-profit'?)"
    )


def test_suggest_is_empty_when_nothing_is_close() -> None:
    assert suggest("zzz", ["aggregate-profit"]) == ""
    assert suggest("anything", []) == ""


def test_closest_respects_the_cutoff() -> None:
    assert closest("de7", ["de1"]) == "de1"
    assert closest("de7", ["de1"], cutoff=0.75) is None
    assert closest("de1x", ["de1"], cutoff=0.75) == "de1"
