"""One publisher at a time per target: a lease in the team's store.

Two ``oncall publish pagerduty`` runs at once (a laptop and the CronJob, two cron hosts)
would both see the same overrides missing and both create them. So a run that writes
takes the target's lease first: a record in the store's ``published`` table (target
``lease``) that names its holder and until when it holds. Taking it is a compare-and-set
(``put_published_if``), so of several runs racing for it exactly one wins; the others stop
with :class:`~oncall.errors.PublishBusyError` and change nothing. A run that ends gives the
lease back; one that dies leaves it to run out (:data:`LEASE_TTL`), then the next run takes
it over. Dry runs write nothing and take no lease.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from oncall.adapters.identity import process_id
from oncall.errors import PublishBusyError

if TYPE_CHECKING:
    from oncall.adapters.store.protocol import Store
    from oncall.adapters.store.records import PublishedRecord

__all__ = ["LEASE_TARGET", "LEASE_TTL", "publish_lease"]

LEASE_TARGET = "lease"
_TRIES = 5
LEASE_TTL = timedelta(minutes=15)
"""How long a run holds its target without giving it back: longer than any publish takes
(each request has its own timeout and retry budget), short enough that a run that died
blocks the next ones for a quarter of an hour at most."""


def _until(record: PublishedRecord) -> datetime | None:
    try:
        return datetime.fromisoformat(str(record.payload.get("until")))
    except ValueError:
        return None  # unreadable: treated as run out


@contextmanager
def publish_lease(
    store: Store | None, target: str, *, now: datetime, holder: str | None = None
) -> Iterator[None]:
    """Hold ``target``'s lease while the block runs; PublishBusyError if another run holds it.

    Without a store there is nobody to coordinate with: the block just runs."""
    if store is None:
        yield
        return
    token = holder or process_id()
    held = {"holder": token, "until": (now + LEASE_TTL).isoformat()}
    current = store.get_published(LEASE_TARGET, target)
    for _ in range(_TRIES):  # bounded: each lost race means another run took it meanwhile
        until = None if current is None else _until(current)
        if current is not None and until is not None and until > now:
            raise PublishBusyError(
                target,
                holder=str(current.payload.get("holder", "?")),
                since=current.at,
                until=until,
            )
        won = store.put_published_if(
            LEASE_TARGET,
            target,
            expected=None if current is None else current.fingerprint,
            fingerprint=token,
            payload=held,
            at=now,
        )
        if won is not None:
            break
        current = store.get_published(LEASE_TARGET, target)  # who won, and is it over?
    else:
        raise PublishBusyError(target, holder="another run", since=now, until=None)
    try:
        yield
    finally:
        # Give it back (only if still ours): ``until`` = the run's start, so it has run out.
        store.put_published_if(
            LEASE_TARGET,
            target,
            expected=token,
            fingerprint=token,
            payload={"holder": token, "until": now.isoformat()},
            at=now,
        )
