"""JSON Schema of every config and runbook file, generated from the pydantic models.

The models that validate a file at run time also describe it to editors: ``compute_schemas``
calls ``Model.model_json_schema()`` on each of them. The committed ``schemas/`` directory
holds the result (``oncall schema --output schemas``); a test fails when it is out of date.

Three adjustments make the schemas agree with what the loaders accept, as an editor sees
the YAML (YAML 1.2: ``2026-01-05`` and ``09:00`` are strings):

- durations of ``paging.yaml`` (``20s``, ``15m``, ``1h30m`` or seconds) are described as
  such, not as ISO 8601 ``PT20S``, and their defaults are written the same way;
- date-times (overrides) accept ``2026-11-30T09:00`` without seconds or offset, and a date;
- ``$ref``s are inlined (and the OpenAPI ``discriminator`` keyword dropped: ``kind`` is a
  ``const`` in each branch), so that no editor has to resolve a reference.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pydantic import BaseModel
    from pydantic.json_schema import JsonSchemaValue
    from pydantic_core import core_schema

    from oncall.reports.schema import SchemaWriteReport

__all__ = [
    "DRAFT",
    "SCHEMA_FILES",
    "compute_schema",
    "compute_schemas",
    "render_schema",
    "schema_comment",
    "schema_file_name",
    "schema_id",
    "write_schemas",
]

DRAFT = "https://json-schema.org/draft/2020-12/schema"

SCHEMA_FILES: dict[str, str] = {
    "owners": "config/owners.yaml",
    "rotation": "config/rotation.yaml",
    "state": "config/state.yaml",
    "paging": "config/paging.yaml",
    "publish": "config/publish.yaml",
    "lock": "config/schedule.lock.yaml",
    "runbook": "runbooks/*.yaml",
}
"""Schema name -> the file(s) it describes, relative to the project root."""

_DOCS = {
    "owners": "the team, its people and the pipelines they own (docs/config.md)",
    "rotation": "on-call rotations and overrides (docs/config.md, docs/rotations.md)",
    "state": "the state sources runbooks read (docs/runbooks.md)",
    "paging": "paging channels and urgencies (docs/paging.md)",
    "publish": "where the schedule is published: PagerDuty, Slack (docs/publish.md)",
    "lock": "announced shifts that later edits keep (docs/rotations.md, rule 3b)",
    "runbook": "one pipeline's runbook: steps and live checks (docs/runbooks.md)",
}

DURATION_PATTERN = r"^\s*(\d+(\.\d+)?\s*[smhdw]\s*)+$"
DATETIME_PATTERN = r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)?)?$"


def _models() -> dict[str, type[BaseModel]]:
    from oncall.config.models.lock import LockFile
    from oncall.config.models.owners import OwnersFile
    from oncall.config.models.paging import PagingConfig
    from oncall.config.models.publish import PublishFile
    from oncall.config.models.rotation import RotationFile
    from oncall.config.models.state import StateFile
    from oncall.domain.runbook import Runbook

    return {
        "owners": OwnersFile,
        "rotation": RotationFile,
        "state": StateFile,
        "paging": PagingConfig,
        "publish": PublishFile,
        "lock": LockFile,
        "runbook": Runbook,
    }


def schema_file_name(name: str) -> str:
    return f"{name}.schema.json"


def schema_id(name: str) -> str:
    """A stable identifier (not a download address: the files ship in ``schemas/``)."""
    return f"urn:oncall-cli:schema:{name}"


def schema_comment(name: str, directory: str = "../schemas") -> str:
    """The first line of a YAML file that tells yaml-language-server its schema."""
    return f"# yaml-language-server: $schema={directory}/{schema_file_name(name)}"


def _generator() -> type[Any]:
    from pydantic.json_schema import GenerateJsonSchema

    from oncall.domain.timeutil import MAX_DURATION, format_duration

    class Generator(GenerateJsonSchema):
        def timedelta_schema(self, schema: core_schema.TimedeltaSchema) -> JsonSchemaValue:
            return {
                "anyOf": [
                    {"type": "string", "pattern": DURATION_PATTERN},
                    {
                        "type": "number",
                        "exclusiveMinimum": 0,
                        "maximum": MAX_DURATION.total_seconds(),
                    },
                ],
                "description": "A duration: a number and a unit (s, m, h, d, w), like 20s, "
                "15m or 1h30m; a bare number is seconds.",
                "examples": ["20s", "15m", "1h30m"],
            }

        def datetime_schema(self, schema: core_schema.DatetimeSchema) -> JsonSchemaValue:
            return {
                "type": "string",
                "pattern": DATETIME_PATTERN,
                "description": "ISO 8601 date and time; without an offset it is in the "
                "rotation's timezone.",
                "examples": ["2026-11-30T09:00", "2026-11-30T09:00+05:30"],
            }

        def encode_default(self, dft: Any) -> Any:
            if isinstance(dft, timedelta):
                return format_duration(dft, style="exact")
            return super().encode_default(dft)

    return Generator


def _inline(node: Any, defs: dict[str, Any], depth: int = 0) -> Any:
    """``node`` with every ``{"$ref": "#/$defs/X", ...}`` replaced by X (merged)."""
    if depth > 50:
        raise ValueError("recursive model: cannot inline $refs")
    if isinstance(node, list):
        return [_inline(item, defs, depth) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    ref = node.get("$ref")
    local = isinstance(ref, str) and ref.startswith("#/$defs/")
    if local:
        out.update(_inline(defs[str(ref).removeprefix("#/$defs/")], defs, depth + 1))
    for key, value in node.items():
        if key == "$defs" or (key == "$ref" and local) or _is_discriminator(key, value):
            continue
        out[key] = _inline(value, defs, depth)
    return out


def _is_discriminator(key: str, value: Any) -> bool:
    return key == "discriminator" and isinstance(value, dict) and "propertyName" in value


def compute_schema(name: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one file kind: ``owners``, ``runbook``, ..."""
    models = _models()
    if name not in models:
        raise KeyError(name)
    raw = models[name].model_json_schema(mode="validation", schema_generator=_generator())
    body = _inline(raw, raw.get("$defs", {}))
    body.pop("title", None)
    described = body.pop("description", None)
    head: dict[str, Any] = {
        "$schema": DRAFT,
        "$id": schema_id(name),
        "title": f"oncall {SCHEMA_FILES[name]}",
        "description": f"{SCHEMA_FILES[name]}: {_DOCS[name]}."
        + (f"\n\n{described}" if described and SCHEMA_FILES[name] not in described else ""),
    }
    return {**head, **body}


def compute_schemas() -> dict[str, dict[str, Any]]:
    """Every schema, by name, in a fixed order."""
    return {name: compute_schema(name) for name in SCHEMA_FILES}


def render_schema(schema: dict[str, Any]) -> str:
    """The text of a ``.schema.json`` file: stable, indented, ending in a newline."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def write_schemas(directory: Path, names: Sequence[str]) -> SchemaWriteReport:
    """Write ``directory/<name>.schema.json`` for each of ``names`` (atomically), only
    when its text changed; the report says which files were written."""
    from oncall.adapters.files import atomic_write
    from oncall.reports.schema import SchemaFileOut, SchemaWriteReport

    report = SchemaWriteReport(directory=str(directory))
    for name in names:
        path = directory / schema_file_name(name)
        data = render_schema(compute_schema(name)).encode()
        try:
            changed = path.read_bytes() != data
        except OSError:
            changed = True
        if changed:
            atomic_write(path, data)
        report.files.append(
            SchemaFileOut(name=name, path=str(path), describes=SCHEMA_FILES[name], changed=changed)
        )
    return report
