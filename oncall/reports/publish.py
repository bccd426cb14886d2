"""Results of ``oncall publish``: the table and the ``--json`` are both rendered from these."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "HandoffOut",
    "NoticeOut",
    "OverrideOut",
    "PagerDutyPublishOut",
    "PublishReport",
    "RejectedOut",
    "SlackGroupOut",
    "WindowOut",
]


class WindowOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    from_: datetime = Field(alias="from")
    to: datetime


class OverrideOut(BaseModel):
    """One PagerDuty override: ``person`` is our person id (None when not one of ours)."""

    id: str | None = None
    start: datetime
    end: datetime
    user: str
    person: str | None = None
    why: str = ""


class RejectedOut(BaseModel):
    """An override PagerDuty refused in an otherwise successful answer."""

    start: datetime
    end: datetime
    person: str
    status: int
    errors: list[str]


class NoticeOut(BaseModel):
    """A change notice to one person: their shifts before and after, and why."""

    person: str
    rotation: str
    via: Literal["slack", "email", "none"]
    status: Literal["planned", "sent", "failed"]
    before: list[str]
    after: list[str]
    why: list[str]
    detail: str = ""


class PagerDutyPublishOut(BaseModel):
    """One rotation published to one schedule (``kept`` counts, the rest list)."""

    model_config = ConfigDict(populate_by_name=True)

    schedule: str
    rotation: str
    window: WindowOut
    created: list[OverrideOut]
    deleted: list[OverrideOut]
    kept: int
    conflicts: list[OverrideOut]
    rejected: list[RejectedOut] = []
    notices: list[NoticeOut] = []
    dry_run: bool = False


class HandoffOut(BaseModel):
    """The handoff notice posted (or, in a dry run, to be posted) to the channel."""

    channel: str
    previous: str | None
    holder: str
    text: str
    posted: bool


class SlackGroupOut(BaseModel):
    rotation: str
    usergroup: str
    holder: str | None
    members_before: list[str]
    members_after: list[str]
    updated: bool
    handoff: HandoffOut | None = None
    note: str = ""
    dry_run: bool = False


class PublishReport(BaseModel):
    """``oncall publish`` alone: every configured target."""

    pagerduty: list[PagerDutyPublishOut] = []
    slack: list[SlackGroupOut] = []
