"""The ``store`` fixture: a fresh, empty store of every backend, so one suite tests them all.

Tests that hold for any backend take ``store`` (or ``open_fresh_store`` when they need several
fresh stores, as Hypothesis does) and go through the :class:`Store` Protocol only. A backend
is one entry in ``BACKENDS``: a function opening an empty store for a team. SQLite gets a new
file each time; PostgreSQL shares the session's real server (tests/support/postgres.py) and
gets a new team each time, so every PostgreSQL test also checks that a team sees nothing of
the teams of other tests. ``reopen`` opens another handle on the same database (another
"machine", or another team). Tests of one backend's own format live in ``test_<backend>.py``.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from oncall.adapters.store import Store, open_store

OpenFresh = Callable[[], Store]
Reopen = Callable[..., Store]


def _open_sqlite(request: pytest.FixtureRequest, directory: Path) -> Store:
    return open_store(directory / "state" / "oncall.db", team="team-a")


def _open_postgres(request: pytest.FixtureRequest, directory: Path) -> Store:
    url: str = request.getfixturevalue("postgres_url")
    return open_store(url, team=f"t-{uuid.uuid4().hex[:12]}")


BACKENDS: dict[str, Callable[[pytest.FixtureRequest, Path], Store]] = {
    "sqlite": _open_sqlite,
    "postgres": _open_postgres,
}


def where_of(store: Store) -> str | Path:
    """The file or URL a store handle was opened on."""
    where = getattr(store, "path", None) or getattr(store, "url", None)
    assert where is not None, type(store).__name__
    return where  # type: ignore[no-any-return]


@pytest.fixture(params=sorted(BACKENDS))
def open_fresh_store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[OpenFresh]:
    """Open another empty store of the backend under test (closed at teardown)."""
    opener = BACKENDS[request.param]
    opened: list[Store] = []
    numbers = itertools.count()

    def open_fresh() -> Store:
        fresh = opener(request, tmp_path_factory.mktemp(f"{request.param}-{next(numbers)}"))
        opened.append(fresh)
        return fresh

    yield open_fresh
    for fresh in opened:
        fresh.close()


@pytest.fixture
def store(open_fresh_store: OpenFresh) -> Store:
    """An empty store of the backend under test."""
    return open_fresh_store()


@pytest.fixture
def reopen() -> Iterator[Reopen]:
    """``reopen(store, team=...)``: another handle on ``store``'s database (closed at teardown)."""
    opened: list[Store] = []

    def open_again(store: Store, team: str | None = None) -> Store:
        again = open_store(where_of(store), team=store.team if team is None else team)
        opened.append(again)
        return again

    yield open_again
    for again in opened:
        again.close()
