"""Everything under tests/integration/ is marked ``slow``: cross-process, terminal, recipe,
Airflow and reliability suites. ``pytest -m 'not slow'`` runs the rest in a fraction of the time.
"""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.slow)
