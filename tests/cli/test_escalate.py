"""``oncall escalate``: the chain, rounds, skipping unreachable people, ack, and racing runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from tests.cli import test_page as harness
from tests.cli.test_page import (
    Setup,
    T,
    instant,
    pagerduty_validator,
    run_json,
    who,
)
from tests.conftest import Run

# The shared fixtures: local providers, a mailbox and a paging.yaml pointing at them.
providers = harness.providers
mailbox = harness.mailbox
setup = harness.setup

REPO = Path(__file__).resolve().parents[2]
START = datetime.fromisoformat(T)


def at(minutes: int) -> str:
    return (START + timedelta(minutes=minutes)).isoformat()


def escalate(oncall: Run, minutes: int) -> list[dict[str, Any]]:
    report = run_json(oncall, "escalate", "--now", at(minutes))
    escalations: list[dict[str, Any]] = report["escalations"]
    return escalations


def slack_mentions(setup: Setup) -> list[str]:
    return [m["text"].split(">")[0].removeprefix("<@") for m in setup.providers.accepted("slack")]


SLACK_IDS = {"de1": "U01DE0001", "de2": "U01DE0002", "de3": "U01DE0003", "de4": "U01DE0004"}
SLACK_IDS["m1"] = "U01MGR001"


def test_escalation_walks_the_chain_then_repeats_once_round(oncall: Run, setup: Setup) -> None:
    _, chain = who(oncall, "aggregate-profit")
    assert len(chain) == 4
    page = run_json(oncall, "page", "aggregate-profit", "--summary", "stale", "--now", T)
    assert escalate(oncall, 14) == []  # not yet: ack_timeout is 15m
    expected = [*chain[1:], *chain]  # rest of round 0, then round 1 (repeat: 1)
    paged: list[str] = []
    minutes = 0
    for _ in range(len(expected)):
        minutes += 16
        (step,) = escalate(oncall, minutes)
        assert step["outcome"] == "escalated"
        assert step["page_id"] == page["page_id"]
        paged.append(step["person"])
        assert escalate(oncall, minutes) == []  # the same run again does nothing
    assert paged == expected
    assert escalate(oncall, minutes + 60) == []  # the chain is exhausted: nothing more
    shown = run_json(oncall, "page", "show", page["page_id"])
    assert shown["next_escalation_at"] is None
    assert (shown["level"], shown["round"]) == (len(chain) - 1, 1)
    mentions = slack_mentions(setup)
    assert mentions == [SLACK_IDS[p] for p in [chain[0], *expected]]
    triggers = setup.providers.pd_events("trigger")
    assert len(triggers) == 1 + len(expected)
    assert {e["dedup_key"] for e in triggers} == {page["dedup_key"]}
    validator = pagerduty_validator()
    for event in triggers:
        validator.validate(event)


def test_ack_stops_escalation(oncall: Run, setup: Setup) -> None:
    page = run_json(oncall, "page", "aggregate-profit", "--summary", "stale", "--now", T)
    run_json(oncall, "ack", page["page_id"], "--now", at(5))
    assert escalate(oncall, 20) == []
    assert escalate(oncall, 120) == []
    assert len(setup.providers.pd_events("trigger")) == 1


def test_a_level_without_any_contact_is_skipped_at_once(
    oncall: Run, setup: Setup, edit_config: Any
) -> None:
    _, chain = who(oncall, "aggregate-profit")
    unreachable = chain[1]
    edit_config("owners.yaml", f"contacts: {{slack: {SLACK_IDS[unreachable]}}}", "contacts: {}")
    page = run_json(oncall, "page", "aggregate-profit", "--summary", "stale", "--now", T)
    (step,) = escalate(oncall, 16)
    assert step["outcome"] == "escalated"
    assert step["skipped"] == [unreachable]
    assert (step["person"], step["level"]) == (chain[2], 2)
    shown = run_json(oncall, "page", "show", page["page_id"])
    skipped = [d for d in shown["deliveries"] if d["to"] == unreachable]
    assert [(d["status"], d["level"]) for d in skipped] == [("failed", 1)]
    assert "no contact" in skipped[0]["detail"]
    assert slack_mentions(setup)[-1] == SLACK_IDS[chain[2]]


def test_escalation_nobody_can_take_is_exhausted_without_paging(
    oncall: Run, setup: Setup, edit_config: Any
) -> None:
    page = run_json(oncall, "page", "de3", "--summary", "help", "--now", T)  # chain [de3, m1]
    edit_config("owners.yaml", "contacts: {slack: U01MGR001}", "contacts: {}")
    edit_config("owners.yaml", "contacts: {slack: U01DE0003}", "contacts: {}")
    (step,) = escalate(oncall, 16)
    assert step["outcome"] == "exhausted"
    assert step["skipped"] == ["m1", "de3", "m1"]
    assert len(setup.providers.pd_events()) == 1  # only the first page
    assert run_json(oncall, "page", "show", page["page_id"])["next_escalation_at"] is None


def test_low_urgency_pages_do_not_escalate(oncall: Run, setup: Setup) -> None:
    run_json(oncall, "page", "unit-level-profit", "--summary", "late", "--now", T)
    assert escalate(oncall, 600) == []


def test_an_undelivered_escalation_exits_3_and_waits_in_the_outbox(
    oncall: Run, setup: Setup
) -> None:
    from werkzeug import Response

    from tests.cli.test_page import free_port

    page = run_json(oncall, "page", "aggregate-profit", "--summary", "stale", "--now", T)
    setup.providers.fault = lambda kind, body: Response("", 503)
    setup.write(smtp_port=free_port(), email_budget="0.2s")
    result = oncall("escalate", "--now", at(16), "--json")
    assert result.exit_code == 3
    (step,) = json.loads(result.stdout)["escalations"]
    assert step["outcome"] == "undelivered"
    assert "oncall page flush" in result.stderr
    (item,) = run_json(oncall, "page", "show", page["page_id"])["outbox"]
    assert item["level"] == 1
    setup.providers.fault = None
    setup.write()
    report = run_json(oncall, "page", "flush", "--now", at(17))
    assert [(i["level"], i["outcome"]) for i in report["items"]] == [(1, "sent")]
    _, chain = who(oncall, "aggregate-profit")
    assert slack_mentions(setup)[-1] == SLACK_IDS[chain[1]]


def test_human_output(oncall: Run, setup: Setup) -> None:
    run_json(oncall, "page", "aggregate-profit", "--summary", "stale", "--now", T)
    quiet = oncall("escalate", "--now", at(1))
    assert quiet.exit_code == 0 and "nothing to escalate" in quiet.stdout
    result = oncall("escalate", "--now", at(16))
    assert result.exit_code == 0
    assert "escalated to de2 (level 1, round 0)" in result.stdout
    assert "next escalation" in result.stdout


def test_watch_rejects_a_bad_interval(oncall: Run, setup: Setup) -> None:
    result = oncall("escalate", "--watch", "soon")
    assert result.exit_code == 2 and "--watch" in result.stderr


def test_watch_stops_on_ctrl_c_with_exit_130(oncall: Run, setup: Setup) -> None:
    run_json(oncall, "page", "aggregate-profit", "--summary", "stale", "--now", T)
    sleeps: list[float] = []

    def interrupted(seconds: float) -> None:
        sleeps.append(seconds)
        raise KeyboardInterrupt

    result = oncall("escalate", "--watch", "30s", "--now", at(16), obj={"sleep": interrupted})
    assert result.exit_code == 130
    assert sleeps == [30.0]
    assert "escalated to" in result.stdout  # the first pass ran before the sleep
    assert "interrupted" in result.stderr


def test_two_escalate_processes_at_once_page_each_step_once(oncall: Run, setup: Setup) -> None:
    pages = [
        run_json(oncall, "page", "aggregate-profit", "--summary", f"stale {i}", "--now", T)
        for i in range(5)
    ]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "oncall", "escalate", "--now", at(16), "--json"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            text=True,
        )
        for _ in range(2)
    ]
    outcomes: Counter[str] = Counter()
    for proc in procs:
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        for step in json.loads(out)["escalations"]:
            outcomes[step["outcome"]] += 1
    assert outcomes["escalated"] == len(pages)
    assert set(outcomes) <= {"escalated", "taken"}
    per_key = Counter(e["dedup_key"] for e in setup.providers.pd_events("trigger"))
    assert per_key == {p["dedup_key"]: 2 for p in pages}  # the first page + one escalation
    for p in pages:
        shown = run_json(oncall, "page", "show", p["page_id"])
        assert (shown["level"], shown["round"]) == (1, 0)
        assert instant(shown["next_escalation_at"]) > instant(at(16) + "+05:30")
