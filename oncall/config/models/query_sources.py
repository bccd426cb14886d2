"""``config/state.yaml``: the sources checks query with SQL (``sql``, ``bigquery``)."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import Field, StrictInt, WithJsonSchema, field_validator, model_validator

from oncall.config.models.common import SourceTimeout, StrictModel, check_timezone

__all__ = ["MAX_BYTES", "BigQuerySourceSpec", "SqlSourceSpec", "compute_bytes"]

MAX_BYTES = 10**15
"""The largest ``maximum_bytes_billed`` (1PB): a cap above it caps nothing."""

_ENV_NAME = r"^[A-Z_][A-Z0-9_]*$"
_BYTES = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMGTP]?i?B)?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "B": 1}
for _power, _letter in enumerate("KMGTP", start=1):
    _UNITS[f"{_letter}B"] = 1000**_power
    _UNITS[f"{_letter}IB"] = 1024**_power


def compute_bytes(value: str | int) -> int:
    """``2GB`` -> 2,000,000,000; ``1GiB`` -> 1,073,741,824; a bare int is bytes."""
    if isinstance(value, int):
        if value <= 0:
            raise ValueError("a byte count must be positive")
        return _at_most_max(value)
    match = _BYTES.match(value)
    if not match:
        raise ValueError(f"{value!r} is not a size: write it like 2GB, 500MB or 1GiB")
    unit = (match[2] or "").upper()
    count = int(float(match[1]) * _UNITS[unit])
    if count <= 0:
        raise ValueError("a byte count must be positive")
    return _at_most_max(count)


def _at_most_max(count: int) -> int:
    if count > MAX_BYTES:
        raise ValueError("a byte count must be at most 1PB (1,000,000,000,000,000 bytes)")
    return count


def _check_zone(value: str | None) -> str | None:
    return None if value is None else check_timezone(value)


class SqlSourceSpec(StrictModel):
    """``kind: sql``: a database SQLAlchemy reaches (MySQL, PostgreSQL, SQLite).

    ``url_env`` names the environment variable holding the SQLAlchemy URL (it may hold a
    password: never printed); ``path`` is a SQLite file instead (relative to the file naming
    it). ``timeout`` bounds each statement; ``timezone`` is the zone of timestamp columns
    without one (default UTC).
    """

    kind: Literal["sql"]
    url_env: str | None = Field(None, pattern=_ENV_NAME)
    path: str | None = None
    timeout: SourceTimeout | None = None
    timezone: str | None = None

    _zone = field_validator("timezone")(_check_zone)

    @model_validator(mode="after")
    def _one_of(self) -> SqlSourceSpec:
        if (self.url_env is None) == (self.path is None or not self.path.strip()):
            raise ValueError(
                "give exactly one of 'url_env' (the environment variable holding the "
                "SQLAlchemy URL, like ONCALL_FINANCE_DB_URL) or 'path' (a SQLite file)"
            )
        return self


class BigQuerySourceSpec(StrictModel):
    """``kind: bigquery``: Google BigQuery jobs in ``project``.

    ``maximum_bytes_billed`` caps each job (``2GB``; a dry run checks first); ``timeout``
    bounds each query; ``timezone`` is the zone of DATETIME columns (default UTC);
    ``endpoint`` and ``insecure`` point the client at a local or test server.
    """

    kind: Literal["bigquery"]
    project: str | None = None
    location: str | None = None
    maximum_bytes_billed: (
        Annotated[
            str | StrictInt,
            WithJsonSchema(
                {
                    "anyOf": [
                        {"type": "string", "examples": ["2GB", "500MB", "1GiB"]},
                        {"type": "integer", "minimum": 1, "maximum": MAX_BYTES},
                    ]
                }
            ),
        ]
        | None
    ) = None
    timeout: SourceTimeout | None = None
    timezone: str | None = None
    endpoint: str | None = None
    insecure: bool | None = None

    _zone = field_validator("timezone")(_check_zone)

    @field_validator("maximum_bytes_billed")
    @classmethod
    def _size(cls, value: str | int | None) -> str | int | None:
        if value is not None:
            compute_bytes(value)
        return value

    @model_validator(mode="after")
    def _project_given(self) -> BigQuerySourceSpec:
        if self.project is None or not self.project.strip():
            raise ValueError(
                "'project' (the Google Cloud project the jobs run in) is required for kind "
                "'bigquery'"
            )
        return self
