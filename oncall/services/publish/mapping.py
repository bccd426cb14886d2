"""Person -> PagerDuty user: ``contacts.pagerduty_user``, else a lookup by email (cached).

The lookup follows every page of ``GET /users?query=<email>`` and takes the one user whose
email is exactly the person's (case-insensitive). Matches are cached in the store (target
``pagerduty-users``) and re-looked-up when the person's email changes.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from oncall.errors import PublishMappingError

if TYPE_CHECKING:
    from oncall.adapters.store.protocol import PublishStore
    from oncall.config import Config
    from oncall.services.publish.common import PagerDutyApi

__all__ = ["USERS_TARGET", "resolve_pagerduty_users"]

USERS_TARGET = "pagerduty-users"
_USERS_KEY = "people"


def resolve_pagerduty_users(
    cfg: Config,
    people: Iterable[str],
    api: PagerDutyApi,
    store: PublishStore | None,
    *,
    now: datetime,
    write_cache: bool = True,
) -> dict[str, str]:
    """The PagerDuty user id of each person; PublishMappingError names who cannot be mapped."""
    record = store.get_published(USERS_TARGET, _USERS_KEY) if store is not None else None
    cache: dict[str, Any] = dict(record.payload) if record is not None else {}
    out: dict[str, str] = {}
    missing: list[str] = []
    changed = False
    for pid in sorted(set(people)):
        spec = cfg.owners.people.get(pid)
        if spec is not None and spec.contacts.pagerduty_user:
            out[pid] = spec.contacts.pagerduty_user
            continue
        email = spec.email if spec is not None else None
        if not email:
            missing.append(f"{pid} (no contacts.pagerduty_user and no email)")
            continue
        hit = cache.get(pid)
        if isinstance(hit, dict) and hit.get("email") == email and hit.get("user"):
            out[pid] = str(hit["user"])
            continue
        found = [uid for uid, mail in api.find_users(email) if mail.lower() == email.lower()]
        if len(found) != 1:
            why = "no PagerDuty user has" if not found else f"{len(found)} PagerDuty users have"
            missing.append(f"{pid} ({why} the email {email})")
            continue
        out[pid] = found[0]
        cache[pid] = {"email": email, "user": found[0]}
        changed = True
    if missing:
        raise PublishMappingError(
            "cannot map to a PagerDuty user: "
            + "; ".join(missing)
            + ": set contacts.pagerduty_user in owners.yaml (a PagerDuty user id, e.g. PABC123)"
        )
    if changed and write_cache and store is not None:
        store.put_published(USERS_TARGET, _USERS_KEY, fingerprint="", payload=cache, at=now)
    return out
