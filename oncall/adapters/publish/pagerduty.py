"""PagerDuty's REST API v2 for publishing: schedules, their overrides, and users by email.

Headers ``Authorization: Token token=…`` and ``Accept: application/vnd.pagerduty+json;version=2``.
A 4xx answer is explained (a refused key, a schedule id that does not exist); the key is
never in a message.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import httpx

from oncall.adapters.pagers.http import DEFAULT_BACKOFF_BASE
from oncall.adapters.publish.rest import JsonApi, Reply
from oncall.domain.paging.secret import Secret
from oncall.domain.publish import RemoteOverride
from oncall.errors import PublishUnavailableError

__all__ = ["ACCEPT", "CreatedItem", "PagerDutyRest", "override_body"]

ACCEPT = "application/vnd.pagerduty+json;version=2"
PAGE_LIMIT = 100
MAX_PAGES = 100
"""Bounded pagination: at most this many pages of users are followed."""


def override_body(start: datetime, end: datetime, user: str, time_zone: str) -> dict[str, Any]:
    """One override as POST /schedules/{id}/overrides takes it."""
    return {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "user": {"id": user, "type": "user_reference"},
        "time_zone": time_zone,
    }


class CreatedItem:
    """One item of a (possibly partly successful) create answer."""

    __slots__ = ("errors", "id", "status")

    def __init__(self, status: int, override_id: str | None, errors: list[str]) -> None:
        self.status = status
        self.id = override_id
        self.errors = errors

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300 and self.id is not None


def _when(value: Any) -> datetime:
    """An instant of an answer in UTC (PagerDuty answers in the schedule's time zone)."""
    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return parsed.astimezone(UTC) if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


class PagerDutyRest:
    """The calls a publish makes; each raises PublishUnavailableError when it cannot succeed."""

    def __init__(
        self,
        base_url: str,
        token: Secret,
        *,
        token_env: str,
        timeout: float = 10.0,
        retry_budget: float = 30.0,
        backoff_base: float = DEFAULT_BACKOFF_BASE,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.token_env = token_env
        self._api = JsonApi(
            "PagerDuty",
            base_url,
            headers={"Authorization": f"Token token={token.reveal()}", "Accept": ACCEPT},
            secrets=[token],
            timeout=timeout,
            retry_budget=retry_budget,
            where="pagerduty.url in publish.yaml",
            backoff_base=backoff_base,
            transport=transport,
            clock=clock,
            sleep=sleep,
            monotonic=monotonic,
        )

    def close(self) -> None:
        self._api.close()

    def __repr__(self) -> str:
        return f"PagerDutyRest({self._api.base_url!r})"

    def _check(self, reply: Reply, what: str) -> Any:
        if reply.ok:
            return reply.data
        hint = {
            401: f"the API key in {self.token_env} was refused: check it is a REST API key",
            403: f"the API key in {self.token_env} may not do this (a read-only key?)",
            404: "not found: check the id in publish.yaml",
        }.get(reply.status, "")
        detail = f"PagerDuty: {what}: HTTP {reply.status}" + (
            f": {reply.reason}" if reply.reason else ""
        )
        raise PublishUnavailableError(detail + (f" ({hint})" if hint else ""))

    def get_schedule(self, schedule: str) -> dict[str, Any]:
        """The schedule (an authenticated read: what doctor checks)."""
        data = self._check(
            self._api.request("GET", f"/schedules/{schedule}"), f"schedule {schedule}"
        )
        found = data.get("schedule") if isinstance(data, dict) else None
        return found if isinstance(found, dict) else {}

    def list_overrides(
        self, schedule: str, since: datetime, until: datetime
    ) -> list[RemoteOverride]:
        """Overrides of ``schedule`` overlapping [since, until)."""
        params = {"since": since.isoformat(), "until": until.isoformat()}
        reply = self._api.request("GET", f"/schedules/{schedule}/overrides", params=params)
        data = self._check(reply, f"overrides of schedule {schedule}")
        items = data.get("overrides", []) if isinstance(data, dict) else []
        out: list[RemoteOverride] = []
        for item in items:
            try:
                out.append(
                    RemoteOverride(
                        str(item["id"]),
                        _when(item["start"]),
                        _when(item["end"]),
                        str(item["user"]["id"]),
                    )
                )
            except (KeyError, TypeError, ValueError):
                raise PublishUnavailableError(
                    f"PagerDuty: overrides of schedule {schedule}: an override without "
                    "id, start, end or user in the answer"
                ) from None
        return out

    def create_overrides(self, schedule: str, items: Sequence[dict[str, Any]]) -> list[CreatedItem]:
        """POST several overrides at once; one result per item, in order (partial success)."""
        reply = self._api.request(
            "POST", f"/schedules/{schedule}/overrides", body={"overrides": list(items)}
        )
        data = self._check(reply, f"creating overrides on schedule {schedule}")
        if not isinstance(data, list) or len(data) != len(items):
            raise PublishUnavailableError(
                f"PagerDuty: creating overrides on schedule {schedule}: expected one result "
                f"per override ({len(items)}), got {len(data) if isinstance(data, list) else 0}"
            )
        out: list[CreatedItem] = []
        for item in data:
            item = item if isinstance(item, dict) else {}
            override = item.get("override") if isinstance(item.get("override"), dict) else {}
            status = item.get("status", 201)
            errors = [str(e) for e in item.get("errors") or []]
            ident = override.get("id") if isinstance(override, dict) else None
            out.append(
                CreatedItem(
                    int(status) if isinstance(status, int | float) else 0,
                    str(ident) if ident else None,
                    errors,
                )
            )
        return out

    def delete_override(self, schedule: str, override_id: str) -> bool:
        """Delete one override; False when it was already gone (404)."""
        reply = self._api.request("DELETE", f"/schedules/{schedule}/overrides/{override_id}")
        if reply.status == 404:
            return False
        self._check(reply, f"deleting override {override_id} of schedule {schedule}")
        return True

    def find_users(self, query: str) -> list[tuple[str, str]]:
        """(id, email) of users matching ``query``, every page followed (bounded)."""
        out: list[tuple[str, str]] = []
        offset = 0
        for _ in range(MAX_PAGES):
            params: dict[str, str | int] = {"query": query, "limit": PAGE_LIMIT, "offset": offset}
            data = self._check(self._api.request("GET", "/users", params=params), "users")
            users = data.get("users", []) if isinstance(data, dict) else []
            for user in users:
                if isinstance(user, dict) and user.get("id"):
                    out.append((str(user["id"]), str(user.get("email") or "")))
            if not (isinstance(data, dict) and data.get("more")) or not users:
                break
            offset += len(users)
        return out
