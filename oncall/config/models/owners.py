"""The model of ``owners.yaml``: the team, its people and the pipelines they own.

Imported only when a config file must actually be validated: the models cost ~30 ms of
pydantic machinery at start-up, which a warm ``oncall who`` avoids (see ``oncall.config``).
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import ConfigDict, Field, field_validator, model_validator

from oncall.config.models.common import StrictModel, Timezone, check_date


class HolidaysSpec(StrictModel):
    """A holiday calendar of the holidays package."""

    country: str = Field(description="ISO 3166 country code, e.g. IN")
    subdiv: str | None = Field(None, description="Subdivision (state) code, e.g. MH")
    categories: tuple[str, ...] = Field(("public",), description="Holiday categories")

    @field_validator("country")
    @classmethod
    def _upper(cls, v: str) -> str:
        return v.upper()


class CompanyHoliday(StrictModel):
    date: date
    name: str

    _d = field_validator("date", mode="before")(check_date)


class TeamSpec(StrictModel):
    id: str | None = Field(
        None,
        pattern=r"^[a-z0-9][a-z0-9_-]*$",
        description="The team's id in a shared store (a slug); default: a slug of name",
    )
    name: str | None = None
    timezone: Timezone = "UTC"
    holidays: HolidaysSpec | None = None
    company_holidays: tuple[CompanyHoliday, ...] = ()
    manager: str | None = None


class LeaveSpec(StrictModel):
    model_config = ConfigDict(populate_by_name=True)

    from_: date = Field(alias="from")
    to: date
    reason: str = ""

    _d = field_validator("from_", "to", mode="before")(check_date)

    @model_validator(mode="after")
    def _ordered(self) -> LeaveSpec:
        if self.to < self.from_:
            raise ValueError(
                f"leave ends ({self.to}) before it starts ({self.from_}): swap 'from' and 'to'"
            )
        return self


class Contacts(StrictModel):
    slack: str | None = Field(None, description="Slack member id, e.g. U0123ABCD")
    pagerduty_routing_key_env: str | None = Field(
        None, pattern=r"^[A-Z_][A-Z0-9_]*$", description="Env var holding a personal routing key"
    )
    pagerduty_user: str | None = Field(
        None,
        pattern=r"^[A-Z0-9]{2,20}$",
        description="PagerDuty user id, e.g. PABC123 (else found by email)",
    )


class PersonSpec(StrictModel):
    name: str
    email: str | None = Field(None, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    timezone: Timezone | None = None
    holidays: HolidaysSpec | None = None
    leave: tuple[LeaveSpec, ...] = ()
    contacts: Contacts = Contacts()


Purpose = Literal["investor-reporting", "experiments"]


class PipelineSpec(StrictModel):
    name: str
    family: str | None = None
    purpose: Purpose = "investor-reporting"
    primary: str
    secondary: str
    rotation: str | None = None
    runbook: str | None = None


class OwnersFile(StrictModel):
    team: TeamSpec
    people: dict[str, PersonSpec]
    pipelines: dict[str, PipelineSpec] = Field({})
