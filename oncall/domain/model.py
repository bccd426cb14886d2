"""The one strict base of every value model: config files, runbooks and check specs."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class StrictModel(BaseModel):
    """Unknown keys are errors and values are read-only."""

    model_config = ConfigDict(extra="forbid", frozen=True)
