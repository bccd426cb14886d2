"""init never writes through a symlinked directory that points outside the new project."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from oncall.errors import ProjectExistsError
from oncall.services.scaffold import Member, ProjectSpec, create_project

SPEC = ProjectSpec("Team", "UTC", (Member("a", "A"), Member("b", "B")), date(2026, 11, 30))


@pytest.mark.parametrize("linked", ["config", "runbooks", "schemas", "state"])
def test_a_symlinked_directory_is_refused_and_nothing_written(tmp_path: Path, linked: str) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    target = tmp_path / "team"
    target.mkdir()
    (target / linked).symlink_to(outside)

    with pytest.raises(ProjectExistsError, match="refusing to write through symbolic links"):
        create_project(target, SPEC)

    assert list(outside.iterdir()) == []
    assert sorted(p.name for p in target.iterdir()) == [linked]
