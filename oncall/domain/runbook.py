"""Runbook files: ordered steps for one pipeline, each with help text and live checks. Pure.

A runbook is YAML (``runbooks/<name>.yaml``) validated into ``Runbook``; the loader maps
pydantic errors to ``file:line:col``, so every message here says how to fix the value.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field, field_validator

from oncall.domain.checks import Check
from oncall.domain.ids import ID_PATTERN
from oncall.domain.model import StrictModel

__all__ = ["Runbook", "Step", "all_checks", "find_step"]


def _check_id(value: str) -> str:
    if not ID_PATTERN.match(value):
        raise ValueError(
            f"id {value!r} must use lowercase letters, digits, '-' and '_' "
            "and start with a letter or digit, like validate-raw"
        )
    return value


def _non_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty: write a short sentence")
    return value


StepId = Annotated[str, AfterValidator(_check_id)]
Text = Annotated[str, AfterValidator(_non_blank)]


class Step(StrictModel):
    """One thing the operator does or verifies, in order."""

    id: StepId
    title: Text
    help: str = ""
    confirm: bool = False
    checks: list[Check] = Field(default_factory=list)
    notify: Literal["owners"] | None = None


class Runbook(StrictModel):
    """The steps to bring one pipeline's run to a known state."""

    title: Text
    pipeline: StepId
    source: StepId = "default"
    steps: Annotated[list[Step], Field(min_length=1)]

    @field_validator("steps")
    @classmethod
    def _unique_ids(cls, steps: list[Step]) -> list[Step]:
        step_at: dict[str, int] = {}
        check_at: dict[str, tuple[int, int]] = {}
        for i, step in enumerate(steps):
            if step.id in step_at:
                raise ValueError(
                    f"step id {step.id!r} is used by steps {step_at[step.id] + 1} and {i + 1}: "
                    "give each step its own id"
                )
            step_at[step.id] = i
            for j, check in enumerate(step.checks):
                if check.id in check_at:
                    s, c = check_at[check.id]
                    raise ValueError(
                        f"check id {check.id!r} is used twice (step {steps[s].id!r} check "
                        f"{c + 1} and step {step.id!r} check {j + 1}): check ids must be "
                        "unique in a runbook"
                    )
                check_at[check.id] = (i, j)
        return steps


def all_checks(runbook: Runbook) -> list[tuple[Step, Check]]:
    """Every check of ``runbook`` with its step, in file order."""
    return [(step, check) for step in runbook.steps for check in step.checks]


def find_step(runbook: Runbook, step_id: str) -> Step | None:
    """The step called ``step_id``, or None."""
    return next((step for step in runbook.steps if step.id == step_id), None)
