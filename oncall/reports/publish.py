"""Results of ``oncall publish``: the table and the ``--json`` are both rendered from these."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import ConfigDict, Field

from oncall.reports.common import Report

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


class WindowOut(Report):
    model_config = ConfigDict(populate_by_name=True)

    from_: datetime = Field(alias="from")
    to: datetime


class OverrideOut(Report):
    """One PagerDuty override: ``person`` is our person id (None when not one of ours)."""

    id: str | None = None
    start: datetime
    end: datetime
    user: str
    person: str | None = None
    why: str = ""


class RejectedOut(Report):
    """An override PagerDuty refused in an otherwise successful answer."""

    start: datetime
    end: datetime
    person: str
    status: int
    errors: list[str]


class NoticeOut(Report):
    """A change notice to one person: their shifts before and after, and why."""

    person: str
    rotation: str
    via: Literal["slack", "email", "none"]
    status: Literal["planned", "sent", "failed"]
    before: list[str]
    after: list[str]
    why: list[str]
    detail: str = ""


class PagerDutyPublishOut(Report):
    """One rotation published to one schedule (``kept`` counts, the rest list)."""

    model_config = ConfigDict(populate_by_name=True)

    schedule: str
    rotation: str
    window: WindowOut
    created: list[OverrideOut]
    deleted: list[OverrideOut]
    kept: int
    conflicts: list[OverrideOut]
    rejected: list[RejectedOut] = Field(default_factory=list)
    notices: list[NoticeOut] = Field(default_factory=list)
    dry_run: bool = False


class HandoffOut(Report):
    """The handoff notice posted (or, in a dry run, to be posted) to the channel."""

    channel: str
    previous: str | None
    holder: str
    text: str
    posted: bool


class SlackGroupOut(Report):
    rotation: str
    usergroup: str
    holder: str | None
    members_before: list[str]
    members_after: list[str]
    updated: bool
    handoff: HandoffOut | None = None
    note: str = ""
    dry_run: bool = False


class PublishReport(Report):
    """``oncall publish`` alone: every configured target."""

    pagerduty: list[PagerDutyPublishOut] = Field(default_factory=list)
    slack: list[SlackGroupOut] = Field(default_factory=list)
