"""``oncall.services.scaffold`` called directly: templates, members, writing a project."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from oncall.errors import ProjectExistsError, UsageError
from oncall.services.scaffold import (
    EXAMPLE_RUNBOOK,
    Member,
    ProjectSpec,
    calendar_problem,
    create_project,
    parse_member,
    render_project,
    rotation_start,
)

SPEC = ProjectSpec(
    team="Payments",
    timezone="Europe/Berlin",
    members=(Member("no", "Norbert"), Member("de2", "Dee")),
    start=date(2026, 11, 16),
    country="DE",
    subdiv="BE",
)


def test_ids_yaml_would_misread_are_quoted() -> None:
    files = render_project(SPEC)
    owners = yaml.safe_load(files["config/owners.yaml"])
    assert list(owners["people"]) == ["no", "de2"]  # not False
    assert owners["team"]["holidays"] == {"country": "DE", "subdiv": "BE"}
    rotation = yaml.safe_load(files["config/rotation.yaml"])
    assert rotation["rotations"]["primary"]["members"] == ["no", "de2"]
    assert rotation["rotations"]["primary"]["start"] == date(2026, 11, 16)


def test_a_rotation_needs_two_members() -> None:
    with pytest.raises(ValueError, match="at least two members"):
        render_project(ProjectSpec("t", "UTC", (Member("a", "A"),), date(2026, 1, 5)))


def test_members_parse_with_and_without_a_name() -> None:
    assert parse_member(" de1 = Data Engineer 1 ") == Member("de1", "Data Engineer 1")
    assert parse_member("de2") == Member("de2", "de2")
    with pytest.raises(ValueError, match="bad member id 'De 1'"):
        parse_member("De 1=Someone")


def test_the_rotation_starts_on_the_monday_of_this_week() -> None:
    assert rotation_start(date(2026, 11, 19)) == date(2026, 11, 16)  # a Thursday
    assert rotation_start(date(2026, 11, 16)) == date(2026, 11, 16)


def test_create_project_writes_every_file_and_reports_next_steps(tmp_path: Path) -> None:
    root = tmp_path / "team"
    report = create_project(root, SPEC)
    written = sorted(str(p) for p in root.rglob("*") if p.is_file())
    assert sorted(report.files) == written
    assert len(written) == len(render_project(SPEC))
    assert report.members == ["no", "de2"] and report.country == "DE"
    assert (
        report.next_steps[-1]
        == f"oncall --config-dir {root / 'config'} runbook show {EXAMPLE_RUNBOOK}"
    )


def test_create_project_never_overwrites_and_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "owners.yaml").write_text("mine\n")
    with pytest.raises(ProjectExistsError, match="refusing to overwrite") as caught:
        create_project(tmp_path, SPEC)
    assert isinstance(caught.value, UsageError) and caught.value.exit_code == 2
    assert (tmp_path / "config" / "owners.yaml").read_text() == "mine\n"
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["config", "owners.yaml"]


def test_create_project_in_a_file_is_refused(tmp_path: Path) -> None:
    blocker = tmp_path / "team"
    blocker.write_text("")
    with pytest.raises(ProjectExistsError, match="exists and is not a directory"):
        create_project(blocker, SPEC)


def test_calendar_problem_names_an_unknown_country() -> None:
    assert calendar_problem("DE", "BE") is None
    problem = calendar_problem("XX", None)
    assert problem is not None and "XX" in problem
