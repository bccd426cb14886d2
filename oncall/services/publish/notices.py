"""Change notices: each person whose announced shifts moved is told once, before and after.

By Slack DM (``chat.postMessage`` to their member id) when Slack is configured and the person
has ``contacts.slack``, else by email through the email channel of paging.yaml. Sent once:
the publish that finds the change records the new shifts as announced.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from oncall.reports.publish import NoticeOut
from oncall.services.publish.common import format_span

if TYPE_CHECKING:
    from oncall.adapters.pagers import Pager
    from oncall.config import Config
    from oncall.domain.publish import Announced, PersonChange
    from oncall.services.publish.common import SlackApi

__all__ = ["NoticeSender", "notice_text", "plan_notices"]


@dataclass
class NoticeSender:
    """Where notices can go: a Slack client (DMs) and/or an email pager; ``now`` stamps them."""

    now: datetime
    slack: SlackApi | None = None
    email: Pager | None = None

    def send(self, cfg: Config, notice: NoticeOut) -> NoticeOut:
        from oncall.errors import PublishUnavailableError

        text = notice_text(cfg, notice)
        if notice.via == "slack" and self.slack is not None:
            member = cfg.owners.people[notice.person].contacts.slack or ""
            try:
                self.slack.post_message(member, text)
            except PublishUnavailableError as exc:
                return notice.model_copy(update={"status": "failed", "detail": str(exc)})
            return notice.model_copy(update={"status": "sent"})
        if notice.via == "email" and self.email is not None:
            from oncall.domain.paging.content import PageContent
            from oncall.domain.paging.routing import Target

            key = hashlib.sha256(text.encode()).hexdigest()[:16]
            content = PageContent(
                page_id=f"notice-{key}",
                dedup_key=f"publish-{notice.rotation}-{notice.person}-{key}",
                pipeline=None,
                family=None,
                severity="info",
                summary=f"your on-call shifts on {notice.rotation} changed",
                created=self.now,
                details={
                    "before": "; ".join(notice.before) or "none",
                    "after": "; ".join(notice.after) or "none",
                    "why": "; ".join(notice.why) or "a change in the schedule",
                },
            )
            spec = cfg.owners.people[notice.person]
            result = self.email.send(content, Target(person=notice.person, email=spec.email))
            status = "sent" if result.ok else "failed"
            return notice.model_copy(update={"status": status, "detail": result.detail})
        return notice.model_copy(update={"status": "failed", "detail": notice.detail})


def _spans(cfg: Config, person: str, items: Sequence[Announced]) -> list[str]:
    tz = cfg.person_tz(person)
    return [format_span(a.start, a.end, tz) for a in items]


def plan_notices(
    cfg: Config, rotation: str, changes: Sequence[PersonChange], sender: NoticeSender | None
) -> list[NoticeOut]:
    """One planned notice per changed person, with the way it would go."""
    out: list[NoticeOut] = []
    for change in changes:
        spec = cfg.owners.people.get(change.person)
        via: Literal["slack", "email", "none"] = "none"
        detail = ""
        if sender is not None and sender.slack is not None and spec and spec.contacts.slack:
            via = "slack"
        elif sender is not None and sender.email is not None and spec and spec.email:
            via = "email"
        else:
            detail = (
                f"no way to tell {change.person}: needs contacts.slack with Slack configured "
                "in publish.yaml, or an email with an email channel in paging.yaml"
            )
        out.append(
            NoticeOut(
                person=change.person,
                rotation=rotation,
                via=via,
                status="planned",
                before=_spans(cfg, change.person, change.before),
                after=_spans(cfg, change.person, change.after),
                why=list(change.why),
                detail=detail,
            )
        )
    return out


def notice_text(cfg: Config, notice: NoticeOut) -> str:
    """The message: before, after and why, in the person's timezone."""
    name = cfg.person_name(notice.person)
    lines = [f"{name}, your on-call shifts on {notice.rotation} changed."]
    lines.append("Before: " + ("; ".join(notice.before) or "none"))
    lines.append("After: " + ("; ".join(notice.after) or "none"))
    lines.append("Why: " + ("; ".join(notice.why) or "a change in the schedule"))
    return "\n".join(lines)
