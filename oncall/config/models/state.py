"""``config/state.yaml``: the named state sources runbooks read, one model per kind."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag, model_validator

from oncall.config.models.common import SourceTimeout, StrictModel
from oncall.config.models.query_sources import BigQuerySourceSpec, SqlSourceSpec

__all__ = [
    "QUERY_KINDS",
    "SOURCE_KINDS",
    "BigQuerySourceSpec",
    "LocalSourceSpec",
    "MonitoringSourceSpec",
    "SourceSpec",
    "SqlSourceSpec",
    "StateFile",
    "StoreSpec",
]

SOURCE_KINDS = ("local", "cloud-monitoring", "sql", "bigquery")
QUERY_KINDS = ("sql", "bigquery")
"""The kinds whose checks give a SQL ``query`` instead of a ``metric``."""


class LocalSourceSpec(StrictModel):
    """``kind: local``: JSON Lines files under ``path`` (relative to the file naming it)."""

    kind: Literal["local"]
    path: str | None = None

    @model_validator(mode="after")
    def _path_given(self) -> LocalSourceSpec:
        # After the keys are checked: a misspelt ``pth`` is reported as that, not as this.
        if self.path is None or not self.path.strip():
            raise ValueError("'path' is required for kind 'local'")
        return self


class MonitoringSourceSpec(StrictModel):
    """``kind: cloud-monitoring``: Google Cloud Monitoring, in ``project``.

    ``metric_prefix`` goes before metric names without a domain; ``timeout`` bounds each query
    (a duration like ``10s``, or seconds); ``endpoint`` and ``insecure`` point at a local or
    test server.
    """

    kind: Literal["cloud-monitoring"]
    project: str | None = None
    metric_prefix: str | None = None
    timeout: SourceTimeout | None = None
    endpoint: str | None = None
    insecure: bool | None = None

    @model_validator(mode="after")
    def _project_given(self) -> MonitoringSourceSpec:
        if self.project is None or not self.project.strip():
            raise ValueError(
                "'project' (the Google Cloud project id) is required for kind 'cloud-monitoring'"
            )
        return self


def _kind_of(value: Any) -> str | None:
    kind = value.get("kind") if isinstance(value, Mapping) else getattr(value, "kind", None)
    return kind if kind in SOURCE_KINDS else None


SourceSpec = Annotated[
    Annotated[LocalSourceSpec, Tag("local")]
    | Annotated[MonitoringSourceSpec, Tag("cloud-monitoring")]
    | Annotated[SqlSourceSpec, Tag("sql")]
    | Annotated[BigQuerySourceSpec, Tag("bigquery")],
    Discriminator(
        _kind_of,
        custom_error_type="source_kind",
        custom_error_message="kind must be 'local', 'cloud-monitoring', 'sql' or 'bigquery'",
    ),
]
"""One state source; its ``kind`` picks the model, and so which keys it takes."""


class StoreSpec(StrictModel):
    """``store:``: where the team's records are kept (see docs/operations.md).

    ``url`` (``postgresql://oncall@10.1.2.3/oncall`` or ``sqlite:///path``; never a password:
    use ``PGPASSWORD`` or ``~/.pgpass``) or ``url_env``, the environment variable holding one.
    """

    url: str | None = None
    url_env: str | None = Field(None, pattern=r"^[A-Z_][A-Z0-9_]*$")

    @model_validator(mode="after")
    def _one_of(self) -> StoreSpec:
        if (self.url is None) == (self.url_env is None):
            raise ValueError("store: give exactly one of 'url' or 'url_env'")
        if self.url is not None:
            from urllib.parse import urlsplit

            parts = urlsplit(self.url)
            if parts.password or "password=" in parts.query.lower():
                raise ValueError(
                    "store.url must not hold a password: use PGPASSWORD, ~/.pgpass, or "
                    "url_env naming a variable that holds the whole URL"
                )
        return self


class StateFile(StrictModel):
    """``config/state.yaml``: the named state sources runbooks read, and where the store is."""

    sources: Annotated[dict[str, SourceSpec], Field(min_length=1)] | None = None
    """Absent (a file that only says where the store is): the sources used without the file."""
    store: StoreSpec | None = None
