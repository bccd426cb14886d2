"""Runbook outcomes to a pipeline's people (``notify: owners`` steps, ``oncall check --page``)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from oncall.domain.paging.content import Severity, default_dedup_key
from oncall.errors import PageNotDeliveredError
from oncall.reports.paging import NotifyResult, PageResult
from oncall.services.paging.common import Paging, load_paging, time_label
from oncall.services.paging.delivery import failure_text
from oncall.services.paging.dryrun import dry_run_verdict
from oncall.services.paging.send import send_page

if TYPE_CHECKING:
    from oncall.config.loaded import Config

__all__ = ["notify_pipeline"]


def _check_id(item: Mapping[str, object], index: int) -> str:
    for key in ("id", "check", "name", "step"):
        value = item.get(key)
        if isinstance(value, str) and value:
            return value
    return f"check-{index + 1}"


def _check_text(item: Mapping[str, object]) -> str:
    status = item.get("status")
    for key in ("message", "detail", "summary", "reason"):
        value = item.get(key)
        if isinstance(value, str) and value:
            return f"{status}: {value}" if isinstance(status, str) else value
    rest = {k: v for k, v in item.items() if k not in ("id", "check", "name", "step")}
    return json.dumps(rest, sort_keys=True, default=str)


def notify_pipeline(
    cfg: Config,
    *,
    pipeline: str,
    runbook: str,
    status: Literal["passed", "failed", "error"],
    failing: list[dict[str, object]],
    now: datetime,
    dry_run: bool = False,
    caveats: Sequence[str] = (),
) -> NotifyResult:
    """Tell people how a pipeline's runbook checks went.

    ``failed`` pages the responder at severity ``error``; ``error`` (a source unavailable, or
    any failing check with status ``error``) at ``critical``; the failing checks go in the
    page's details (PagerDuty ``custom_details.details``). The dedup key covers the pipeline,
    runbook and the set of failing checks, so re-running while the same checks fail is
    suppressed. ``passed`` sends the owners a low-urgency notice (quiet hours apply); it says
    "all checks OK" only when there are no ``caveats`` (checks that warned, steps skipped),
    else it names them.

    Raises PagingNotConfiguredError (exit 2) without ``paging.yaml`` and
    PageNotDeliveredError (exit 3, ``.summary`` the result's JSON) when nothing was
    delivered (kept in the outbox).
    """
    from oncall.services.roster import resolve_pipeline

    pipeline = resolve_pipeline(cfg, pipeline)
    paging = load_paging(cfg)
    details: dict[str, object] = {"runbook": runbook, "status": status}
    if status == "passed":
        summary = f"{pipeline}: runbook {runbook} passed, all checks OK"
        if caveats:
            summary = f"{pipeline}: runbook {runbook} passed with caveats: {'; '.join(caveats)}"
            details["caveats"] = list(caveats)
        result = send_page(
            paging,
            target=pipeline,
            summary=summary,
            severity="info",
            details=details,
            dedup_key=default_dedup_key(pipeline, f"notice {runbook} {now.isoformat()}"),
            now=now,
            dry_run=dry_run,
            urgency="low",
            notice=True,
            runbook=runbook,
        )
        spec = cfg.owners.pipelines[pipeline]
        # A notice goes to the owners, not the on-call responder.
        return _notified(paging, result, f"owners {spec.primary}, {spec.secondary} told")
    ids = [_check_id(item, i) for i, item in enumerate(failing)]
    critical = status == "error" or any(item.get("status") == "error" for item in failing)
    severity: Severity = "critical" if critical else "error"
    for check_id, item in zip(ids, failing, strict=True):
        details[f"check {check_id}"] = _check_text(item)
    listed = ", ".join(ids) if ids else "no check details"
    word = "could not run (source unavailable)" if status == "error" else "failed"
    summary = f"{pipeline}: runbook {runbook} {word}: {len(ids)} failing check(s): {listed}"
    key = default_dedup_key(pipeline, f"runbook {runbook} {status} {' '.join(sorted(ids))}")
    result = send_page(
        paging,
        target=pipeline,
        summary=summary,
        severity=severity,
        details=details,
        dedup_key=key,
        now=now,
        dry_run=dry_run,
        runbook=runbook,
    )
    return _notified(paging, result, f"responder {result.responder or 'the channels'} paged")


def _note(paging: Paging, result: PageResult, who: str) -> str:
    """One human line on what happened."""
    sent = sorted({d.channel for d in result.deliveries if d.status == "sent"})
    tz = paging.cfg.team_tz
    if result.outcome == "delivered":
        return f"{who} via {', '.join(sent)} (page {result.page_id})"
    if result.outcome == "suppressed":
        return f"already paged: page {result.page_id} is still open; not sent again"
    if result.outcome == "queued":
        when = time_label(result.hold_until, tz) if result.hold_until else "later"
        return f"held for quiet hours until {when} (page {result.page_id}; `oncall page flush`)"
    if result.outcome == "dry-run":
        human = f"dry run: would send '{result.summary}' ({result.urgency} urgency)"
        verdict = dry_run_verdict(paging, result)
        if verdict.failing:
            missing = f" ({', '.join(verdict.missing)} not set)" if verdict.missing else ""
            human += f"; {', '.join(verdict.failing)} would fail{missing}" + (
                "" if verdict.could_deliver else ": no channel could deliver"
            )
        return human
    return f"not delivered; kept in the outbox (page {result.page_id})"


def _notified(paging: Paging, result: PageResult, who: str) -> NotifyResult:
    """The page's result (``summary`` is the page's own, as for ``oncall page``) plus
    ``note``; PageNotDeliveredError when nothing was delivered."""
    out = NotifyResult(**dict(result), note=_note(paging, result, who))
    if result.outcome == "undelivered":
        raise PageNotDeliveredError(
            f"page {result.page_id} for {result.pipeline} was not delivered: "
            f"{failure_text(result.deliveries)}; it is kept in the outbox: run "
            "`oncall page flush` once the cause is fixed",
            out.model_dump(mode="json"),
        )
    return out
