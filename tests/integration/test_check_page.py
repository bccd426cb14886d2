"""``oncall check --all --page`` on demo state, through ``notify_pipeline``, to local providers.

The demo state plants one failure (``growth-sources-up`` of aggregate-growth); the other
two investor pipelines pass (or warn), so their owners get a low-urgency all-clear.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from oncall.cli import app
from tests.cli import test_page as harness
from tests.cli.test_page import Setup, pagerduty_validator, run_json, who
from tests.conftest import Run

providers = harness.providers
mailbox = harness.mailbox
setup = harness.setup

NOW = "2026-11-20T11:00"  # a Friday morning in Asia/Kolkata: outside the quiet hours
SLACK = {"de1": "U01DE0001", "de2": "U01DE0002", "de3": "U01DE0003", "de4": "U01DE0004"}


def _check_has_page() -> bool:
    result = CliRunner().invoke(app, ["check", "--help"])
    return result.exit_code == 0 and "--page" in result.stdout


pytestmark = pytest.mark.skipif(not _check_has_page(), reason="oncall check has no --page yet")


@pytest.fixture
def demo(oncall: Run, setup: Setup) -> Setup:
    result = oncall("state", "demo", "--now", NOW)
    assert result.exit_code == 0, result.stderr
    return setup


def test_check_page_pages_the_failing_responder_once_and_tells_passing_owners(
    oncall: Run, demo: Setup
) -> None:
    responder, chain = who(oncall, "aggregate-growth", NOW)
    result = oncall("check", "--all", "--page", "--now", NOW, "--json")
    assert result.exit_code == 1, result.stderr  # a check failed
    report = json.loads(result.stdout)

    (trigger,) = demo.providers.pd_events("trigger")
    pagerduty_validator().validate(trigger)
    payload = trigger["payload"]
    assert payload["component"] == "aggregate-growth"
    assert payload["severity"] in ("error", "critical")
    custom = payload["custom_details"]
    assert (custom["responder"], custom["escalation"]) == (responder, chain)
    assert custom["runbook"] == "oncall runbook growth"
    assert "check growth-sources-up" in custom["details"]
    assert "partner_api" in custom["details"]["check growth-sources-up"]
    assert "growth-sources-up" in payload["summary"]

    messages = demo.providers.accepted("slack")
    by_text = {m["text"].split("]")[1].split(":")[0].strip(): m["text"] for m in messages}
    assert set(by_text) == {"aggregate-growth", "aggregate-profit", "aggregate-engagement"}
    assert by_text["aggregate-growth"].startswith(f"<@{SLACK[responder]}>")
    # All-clears go to each passing pipeline's owners at low urgency: Slack mentions the
    # primary owner; email goes to primary and secondary. PagerDuty is not used for them.
    assert by_text["aggregate-profit"].startswith(f"<@{SLACK['de2']}> [INFO]")
    assert by_text["aggregate-engagement"].startswith(f"<@{SLACK['de1']}> [INFO]")
    assert Counter(demo.mailbox.recipients()) == Counter(
        ["de2@example.com", "de4@example.com", "de1@example.com", "de4@example.com"]
    )
    pages = {p["pipeline"]: p for p in report["pipelines"]}
    assert pages["aggregate-growth"]["page"]["status"] == "sent"
    assert pages["aggregate-profit"]["page"]["status"] == "sent"

    again = oncall("check", "--all", "--page", "--now", NOW, "--json")
    assert again.exit_code == 1
    assert len(demo.providers.pd_events("trigger")) == 1  # the same failure: suppressed
    growth = {p["pipeline"]: p for p in json.loads(again.stdout)["pipelines"]}
    assert "already paged" in growth["aggregate-growth"]["page"]["detail"]

    listed = run_json(oncall, "page", "list")
    kinds = Counter((p["pipeline"], p["kind"], p["status"]) for p in listed)
    assert kinds[("aggregate-growth", "page", "open")] == 1
    assert kinds[("aggregate-profit", "notice", "resolved")] == 2


def test_check_page_without_any_channel_delivering_exits_3(oncall: Run, demo: Setup) -> None:
    from werkzeug import Response

    demo.providers.fault = lambda kind, body: Response("", 503)
    demo.write(smtp_port=harness.free_port(), email_budget="0.2s")
    result = oncall("check", "aggregate-growth", "--page", "--now", NOW)
    assert result.exit_code == 3
    assert "kept in the outbox" in result.stderr
    (page,) = run_json(oncall, "page", "list")
    assert page["outbox"] and page["pipeline"] == "aggregate-growth"


# --------------------------------------------------------------------------- notify_pipeline


def test_notify_pipeline_severity_details_and_errors(setup: Setup) -> None:
    from oncall.config import load_config
    from oncall.errors import NotFoundError, PagingNotConfiguredError
    from oncall.services.paging.notify import notify_pipeline

    cfg = load_config(setup.config_dir)
    now = datetime(2026, 11, 20, 11, 0, tzinfo=ZoneInfo("Asia/Kolkata"))
    failing: list[dict[str, object]] = [
        {"id": "profit-fresh", "status": "error", "detail": "source unavailable: timeout"}
    ]
    out = notify_pipeline(
        cfg, pipeline="aggregate-profit", runbook="profit", status="error", failing=failing, now=now
    ).model_dump(mode="json")
    assert out["outcome"] == "delivered"
    assert out["summary"].startswith("aggregate-profit: runbook profit could not run")
    assert isinstance(out["note"], str) and "paged" in out["note"]
    (event,) = setup.providers.pd_events()
    assert event["payload"]["severity"] == "critical"
    assert event["payload"]["custom_details"]["details"]["check profit-fresh"] == (
        "error: source unavailable: timeout"
    )
    failed = notify_pipeline(
        cfg,
        pipeline="aggregate-profit",
        runbook="profit",
        status="failed",
        failing=[{"id": "profit-rows", "status": "fail", "detail": "rows dropped 40%"}],
        now=now,
    ).model_dump(mode="json")
    assert setup.providers.pd_events()[-1]["payload"]["severity"] == "error"
    assert failed["dedup_key"] != out["dedup_key"]
    dry = notify_pipeline(
        cfg, pipeline="aggregate-profit", runbook="profit", status="passed", failing=[], now=now,
        dry_run=True,
    )  # fmt: skip
    assert dry.outcome == "dry-run" and len(setup.providers.pd_events()) == 2
    with pytest.raises(NotFoundError):
        notify_pipeline(cfg, pipeline="nope", runbook="x", status="passed", failing=[], now=now)
    Path(setup.config_dir / "paging.yaml").unlink()
    with pytest.raises(PagingNotConfiguredError) as info:
        notify_pipeline(
            cfg, pipeline="aggregate-profit", runbook="profit", status="passed", failing=[], now=now
        )
    assert info.value.exit_code == 2 and "paging.yaml" in str(info.value)
