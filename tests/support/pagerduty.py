"""PagerDuty's official Events v2 OpenAPI schema (shared/reference), as a validator."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

SCHEMA_PATH = (
    Path(__file__).resolve().parents[3] / "shared/reference/pagerduty-events-v2.openapi.json"
)
ENQUEUE_SCHEMA = "/paths/~1enqueue/post/requestBody/content/application~1json/schema"


def pagerduty_validator() -> Any:
    """A validator for the request body of POST /v2/enqueue; skips if the file is absent."""
    if not SCHEMA_PATH.is_file():
        message = f"PagerDuty OpenAPI schema not found at {SCHEMA_PATH}"
        if os.environ.get("CI"):
            pytest.fail(f"{message}: CI must validate payloads against it")
        pytest.skip(message)
    from openapi_schema_validator import OAS30Validator, oas30_format_checker
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT4

    doc = json.loads(SCHEMA_PATH.read_text())
    resource = Resource.from_contents(doc, default_specification=DRAFT4)
    registry: Registry[Any] = Registry().with_resource("urn:pagerduty-events-v2", resource)
    return OAS30Validator(
        {"$ref": f"urn:pagerduty-events-v2#{ENQUEUE_SCHEMA}"},
        registry=registry,
        format_checker=oas30_format_checker,
    )
