"""``oncall schema`` and the committed ``schemas/``: up to date, and true to the loaders."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from oncall.config.schema import SCHEMA_FILES, compute_schema, render_schema, schema_comment
from tests.conftest import REPO, Run

SCHEMAS = REPO / "schemas"


def editor_view(value: Any) -> Any:
    """YAML as an editor sees it (YAML 1.2): dates and times are strings."""
    if isinstance(value, dict):
        return {str(k): editor_view(v) for k, v in value.items()}
    if isinstance(value, list):
        return [editor_view(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def schema_errors(name: str, data: Any) -> list[str]:
    validator = jsonschema.Draft202012Validator(
        compute_schema(name), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(data)]


def shipped_files() -> list[tuple[str, Path]]:
    out: list[tuple[str, Path]] = []
    for name, pattern in SCHEMA_FILES.items():
        out.extend((name, path) for path in sorted(REPO.glob(pattern)))
    return out


def test_committed_schemas_are_up_to_date() -> None:
    for name in SCHEMA_FILES:
        path = SCHEMAS / f"{name}.schema.json"
        assert path.is_file(), f"{path} is missing: run `oncall schema --output schemas`"
        assert path.read_text() == render_schema(compute_schema(name)), (
            f"{path} is out of date: run `oncall schema --output schemas`"
        )
    extra = {p.name for p in SCHEMAS.iterdir()} - {f"{n}.schema.json" for n in SCHEMA_FILES}
    assert not extra, f"files in schemas/ that no model generates: {extra}"


def test_schemas_are_valid_draft_2020_12_with_id_and_title() -> None:
    ids = set()
    for name in SCHEMA_FILES:
        schema = compute_schema(name)
        jsonschema.Draft202012Validator.check_schema(schema)
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert schema["title"] == f"oncall {SCHEMA_FILES[name]}"
        assert schema["additionalProperties"] is False
        ids.add(schema["$id"])
        assert "$ref" not in json.dumps(schema), "refs are inlined for editors"
    assert len(ids) == len(SCHEMA_FILES)


def test_schema_prints_every_schema(oncall: Run) -> None:
    result = oncall("schema")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert list(data) == list(SCHEMA_FILES)
    assert data["owners"] == compute_schema("owners")
    one = oncall("schema", "runbook")
    assert one.exit_code == 0
    assert json.loads(one.stdout) == compute_schema("runbook")


def test_unknown_schema_name(oncall: Run) -> None:
    result = oncall("schema", "owner")
    assert result.exit_code == 2
    assert "unknown schema 'owner'" in result.stderr and "owners" in result.stderr


def test_output_writes_files_and_reports_changes(oncall: Run, tmp_path: Path) -> None:
    out = tmp_path / "schemas"
    first = oncall("schema", "--output", str(out), "--json")
    assert first.exit_code == 0, first.stderr
    report = json.loads(first.stdout)
    assert [f["changed"] for f in report["files"]] == [True] * len(SCHEMA_FILES)
    for name in SCHEMA_FILES:
        assert (out / f"{name}.schema.json").read_text() == (
            SCHEMAS / f"{name}.schema.json"
        ).read_text()
    (out / "paging.schema.json").write_text("{}")
    second = oncall("schema", "--output", str(out))
    assert second.exit_code == 0
    lines = {line.split()[0]: line for line in second.stdout.splitlines()[2:]}
    # The status column may wrap ("up to" / "date") when the temporary path is long.
    assert lines["paging"].endswith("written") and lines["owners"].endswith(("up to date", "up to"))
    assert max(len(line) for line in second.stdout.splitlines()) <= 80


def test_shipped_files_name_their_schema_on_the_first_line() -> None:
    files = shipped_files()
    names = {name for name, _ in files}
    assert {"owners", "rotation", "runbook"} <= names
    for name, path in files:
        first = path.read_text().splitlines()[0]
        assert first == schema_comment(name), path
        target = (path.parent / first.split("$schema=", 1)[1]).resolve()
        assert target == (SCHEMAS / f"{name}.schema.json").resolve()


def test_shipped_files_validate_against_their_schemas() -> None:
    files = shipped_files()
    assert len(files) >= 5
    for name, path in files:
        data = editor_view(yaml.safe_load(path.read_text()))
        assert schema_errors(name, data) == [], path


BAD = [
    ("owners", "config/owners.yaml", "secondary: de4", "secondry: de4", "'secondry'"),
    ("owners", "config/owners.yaml", "purpose: experiments", "purpose: marketing", "marketing"),
    ("rotation", "config/rotation.yaml", "shift_days: 7", "shift_days: weekly", "weekly"),
    ("runbook", "runbooks/profit.yaml", "kind: freshness", "kind: fresh", "is not valid"),
    ("runbook", "runbooks/profit.yaml", "warn_after: 25h", "warn_afer: 25h", "'warn_afer'"),
]


@pytest.mark.parametrize(("name", "file", "old", "new", "says"), BAD, ids=lambda v: str(v))
def test_a_bad_file_fails_schema_validation(
    name: str, file: str, old: str, new: str, says: str
) -> None:
    text = (REPO / file).read_text()
    assert old in text
    good = editor_view(yaml.safe_load(text))
    bad = editor_view(yaml.safe_load(text.replace(old, new, 1)))
    assert schema_errors(name, good) == []
    errors = schema_errors(name, bad)
    assert errors and any(says in e for e in errors), errors


def test_bad_paging_values_fail_like_the_loader() -> None:
    from pydantic import ValidationError

    from oncall.config.models.paging import PagingConfig

    base = editor_view(yaml.safe_load((REPO / "config" / "paging.yaml").read_text()))
    for value, ok in [("15m", True), ("1h30m", True), (900, True), ("PT15M", False)]:
        data = json.loads(json.dumps(base))
        data["urgency"]["high"]["ack_timeout"] = value
        assert (schema_errors("paging", data) == []) is ok, value
        try:
            PagingConfig.model_validate(data)
            loaded = True
        except ValidationError:
            loaded = False
        assert loaded is ok, value


def test_override_datetimes_as_written_are_accepted() -> None:
    data = editor_view(yaml.safe_load((REPO / "config" / "rotation.yaml").read_text()))
    for value, ok in [
        ("2026-11-30T09:00", True),
        ("2026-11-30T09:00+05:30", True),
        ("2026-11-30", True),
        ("30/11/2026 09:00", False),
    ]:
        data["overrides"][0]["start"] = value
        assert (schema_errors("rotation", data) == []) is ok, value


def test_write_schemas_rewrites_only_what_changed(tmp_path: Path) -> None:
    from oncall.config.schema import write_schemas

    first = write_schemas(tmp_path, ["owners", "rotation"])
    assert [(f.name, f.changed) for f in first.files] == [("owners", True), ("rotation", True)]
    assert json.loads((tmp_path / "owners.schema.json").read_text()) == compute_schema("owners")
    (tmp_path / "rotation.schema.json").write_text("{}")
    again = write_schemas(tmp_path, ["owners", "rotation"])
    assert [(f.name, f.changed) for f in again.files] == [("owners", False), ("rotation", True)]
    assert again.files[1].describes == SCHEMA_FILES["rotation"]
