"""The ``store`` fixture: a fresh, empty store of every backend, so one suite tests them all.

Tests that hold for any backend take ``store`` (or ``open_fresh_store`` when they need several
fresh stores, as Hypothesis does) and go through the :class:`Store` Protocol only. A backend
is one entry in ``BACKENDS``: a function opening an empty store under a temporary directory.
Tests of one backend's own file format live in ``test_<backend>.py``.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from oncall.adapters.store import Store, open_store

OpenFresh = Callable[[], Store]


def _open_sqlite(directory: Path) -> Store:
    return open_store(directory / "state" / "oncall.db")


BACKENDS: dict[str, Callable[[Path], Store]] = {"sqlite": _open_sqlite}


@pytest.fixture(params=sorted(BACKENDS))
def open_fresh_store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[OpenFresh]:
    """Open another empty store of the backend under test (closed at teardown)."""
    opener = BACKENDS[request.param]
    opened: list[Store] = []
    numbers = itertools.count()

    def open_fresh() -> Store:
        fresh = opener(tmp_path_factory.mktemp(f"{request.param}-{next(numbers)}"))
        opened.append(fresh)
        return fresh

    yield open_fresh
    for fresh in opened:
        fresh.close()


@pytest.fixture
def store(open_fresh_store: OpenFresh) -> Store:
    """An empty store of the backend under test."""
    return open_fresh_store()
