"""Paging reliability against real local servers and a real SQLite store.

* fault injection: 100 pages while a third of provider answers fail (500, 503, 429 with a
  Retry-After longer than the budget, answers slower than the timeout); every page ends up
  accepted by a provider exactly once after ``oncall page flush``;
* two processes paging, escalating and flushing at once against one store;
* secrets never in any output, log line or store row;
* PagerDuty events as sent by the CLI match the Events API v2 schema.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import logging
import multiprocessing
import re
import sqlite3
import threading
import time
import traceback
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

import pytest
from werkzeug import Response

from tests.cli import test_page as harness
from tests.cli.test_page import (
    PD_KEY,
    SECRETS,
    Setup,
    T,
    free_port,
    pagerduty_validator,
    run_json,
)
from tests.conftest import Run

# The shared fixtures: local providers, a mailbox and a paging.yaml pointing at them.
providers = harness.providers
mailbox = harness.mailbox
setup = harness.setup

START = datetime.fromisoformat(T)
PAGES = 100
OUTAGE_EVERY = 7  # these pages see every provider down while they are first sent
MAX_FLUSH_ROUNDS = 30
KEY = re.compile(r"(?:fault|race)-\d+")


def later(minutes: float) -> str:
    return (START + timedelta(minutes=minutes)).isoformat()


def key_of(body: dict[str, Any]) -> str:
    found = KEY.search(json.dumps(body))
    assert found, f"no dedup key in {body!r}"
    return found.group(0)


class Faults:
    """Fails about a third of answers, deterministically per (provider, key, n-th request)."""

    def __init__(self, outage: set[str]) -> None:
        self.lock = threading.Lock()
        self.seen: Counter[tuple[str, str]] = Counter()
        self.outage = outage
        self.injected: Counter[str] = Counter()

    def __call__(self, kind: str, body: dict[str, Any]) -> Response | None:
        key = key_of(body)
        with self.lock:
            n = self.seen[(kind, key)]
            self.seen[(kind, key)] += 1
            outage = key in self.outage
        if outage:
            return self._count("outage", Response("down for maintenance", 503))
        pick = int(hashlib.sha256(f"{kind}|{key}|{n}".encode()).hexdigest(), 16) % 12
        if pick == 0:
            return self._count("500", Response("boom", 500))
        if pick == 1:
            return self._count("503", Response("busy", 503))
        if pick == 2:
            return self._count("429", Response("slow down", 429, headers={"Retry-After": "5"}))
        if pick == 3:
            time.sleep(0.8)  # past the 0.5s timeout; bounded
            return self._count("slow", Response("too late", 503))
        return None

    def _count(self, what: str, response: Response) -> Response:
        with self.lock:
            self.injected[what] += 1
        return response


# --------------------------------------------------------------------------- fault injection


def test_100_pages_with_a_third_of_answers_failing_are_each_delivered_exactly_once(
    oncall: Run, setup: Setup
) -> None:
    setup.write(
        channels=("pagerduty", "hook"), high="[pagerduty]", low="[hook]",
        budget="1.2s", timeout="0.5s",
    )  # fmt: skip
    keys = [f"fault-{i}" for i in range(PAGES)]
    faults = Faults({k for i, k in enumerate(keys) if i % OUTAGE_EVERY == 0})
    setup.providers.fault = faults
    codes: Counter[int] = Counter()
    for i, key in enumerate(keys):
        result = oncall(
            "page", "aggregate-profit", "--summary", f"check {i} failed", "--dedup-key", key,
            "--now", later(i / 10), "--json",
        )  # fmt: skip
        codes[result.exit_code] += 1
        assert result.exit_code in (0, 3), result.stderr
        outcome = json.loads(result.stdout)["outcome"]
        assert outcome == ("delivered" if result.exit_code == 0 else "undelivered")
    undelivered = codes[3]
    assert undelivered >= len(faults.outage)  # the outage pages at least
    faults.outage.clear()

    rounds = 0
    remaining = -1
    for rounds in range(1, MAX_FLUSH_ROUNDS + 1):  # bounded
        result = oncall("page", "flush", "--now", later(120 * rounds), "--json")
        assert result.exit_code in (0, 3), result.stderr
        remaining = json.loads(result.stdout)["remaining"]
        if remaining == 0:
            break
    assert remaining == 0, f"outbox not empty after {MAX_FLUSH_ROUNDS} flushes"

    accepted = Counter(key_of(b) for b in setup.providers.accepted())
    assert accepted == dict.fromkeys(keys, 1), "a page was lost or delivered twice"
    rows = setup.rows()
    assert len(rows["pages"]) == PAGES and rows["outbox"] == []
    sent_pages = {r[1] for r in rows["deliveries"] if r[5] == "sent"}
    assert len(sent_pages) == PAGES
    requests = setup.providers.requests()
    failed = sum(faults.injected.values())
    outage = faults.injected["outage"]
    ratio = (failed - outage) / (requests - outage)
    print(
        f"\nfault injection: {PAGES} pages, {requests} provider requests, {failed} failed "
        f"({dict(faults.injected)}; {ratio:.0%} of answers outside the outage), "
        f"{undelivered} pages kept in the outbox at first, {rounds} flush run(s), "
        f"accepted per page: {sorted(Counter(accepted.values()).items())}"
    )
    assert 0.2 < ratio < 0.5  # the injection really failed about a third of answers


# --------------------------------------------------------------------------- two processes

RACE_KEYS = [f"race-{i}" for i in range(12)]
RACE_OUTAGE = {k for i, k in enumerate(RACE_KEYS) if i % 4 == 0}


def _race_worker(worker: int, barrier: Any, results: Any) -> None:
    """A separate process: page every key, then escalate and flush, as cron would."""
    try:
        from oncall.cli import main

        log: list[tuple[str, int, str]] = []

        def run(*args: str) -> None:
            out, err = io.StringIO(), io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = main(list(args))
            command = args[0] if args[0] != "page" else args[1]
            log.append((command, code, out.getvalue(), err.getvalue()))

        barrier.wait(timeout=60)
        order = RACE_KEYS if worker == 0 else list(reversed(RACE_KEYS))
        for key in order:
            run("page", "aggregate-profit", "--summary", f"{key} stale", "--dedup-key", key,
                "--now", T, "--json")  # fmt: skip
        barrier.wait(timeout=60)  # the parent ends the outage
        barrier.wait(timeout=60)
        run("escalate", "--now", later(16), "--json")
        run("page", "flush", "--now", later(16), "--json")
        results.put((worker, log, None))
    except BaseException:
        results.put((worker, [], traceback.format_exc()))


def test_two_processes_paging_escalating_and_flushing_at_once(setup: Setup) -> None:
    setup.write(channels=("pagerduty", "slack", "hook"), low="[slack]")
    faults = Faults(set(RACE_OUTAGE))
    setup.providers.fault = lambda kind, body: (
        faults(kind, body) if key_of(body) in faults.outage else None
    )
    from oncall.adapters.store import open_store

    open_store(setup.db).close()  # the schema exists before the race starts
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(3)
    results = ctx.Queue()
    procs = [ctx.Process(target=_race_worker, args=(w, barrier, results)) for w in range(2)]
    for p in procs:
        p.start()
    try:
        barrier.wait(timeout=60)  # start
        barrier.wait(timeout=120)  # both paged every key
        faults.outage.clear()
        barrier.wait(timeout=60)  # escalate and flush
        logs = {}
        for _ in procs:
            worker, log, error = results.get(timeout=120)
            assert error is None, error
            logs[worker] = log
    finally:
        for p in procs:
            p.join(timeout=60)
            if p.is_alive():  # pragma: no cover - only on a hang
                p.kill()
    assert all(p.exitcode == 0 for p in procs)

    outcomes = Counter()
    for log in logs.values():
        for command, code, out, err in log:
            assert out, (command, code, err)
            data = json.loads(out)
            if command == "aggregate-profit":
                outcomes[data["outcome"]] += 1
                assert code == (3 if data["outcome"] == "undelivered" else 0)
            else:
                assert code == 0, (command, out)
    assert outcomes["suppressed"] == len(RACE_KEYS)  # each key: one creates, one is suppressed
    assert outcomes["delivered"] + outcomes["undelivered"] == len(RACE_KEYS)
    assert outcomes["undelivered"] == len(RACE_OUTAGE)

    with sqlite3.connect(setup.db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        per_key = dict(conn.execute("SELECT dedup_key, count(*) FROM pages GROUP BY dedup_key"))
        levels = set(conn.execute("SELECT level, round FROM pages"))
        assert conn.execute("SELECT count(*) FROM outbox").fetchone() == (0,)
    assert per_key == dict.fromkeys(RACE_KEYS, 1)
    assert levels == {(1, 0)}  # every page escalated exactly one level
    # Per key: the first page (sent at once or by flush) and one escalation; never more.
    triggers = Counter(key_of(e) for e in setup.providers.pd_events("trigger"))
    slack = Counter(key_of(b) for b in setup.providers.accepted("slack"))
    assert triggers == dict.fromkeys(RACE_KEYS, 2)
    assert slack == dict.fromkeys(RACE_KEYS, 2)
    assert setup.providers.accepted("hook") == []


# --------------------------------------------------------------------------- secrets


def test_secrets_never_appear_in_output_logs_or_store(
    oncall: Run, setup: Setup, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    texts: list[str] = []

    def run(*args: str) -> Any:
        result = oncall(*args)
        texts.extend([result.stdout, result.stderr])
        return result

    for json_flag in ((), ("--json",)):
        assert (
            run("page", "aggregate-profit", "--summary", "dry", "--dry-run", *json_flag).exit_code
            == 0
        )
    first = run("page", "aggregate-profit", "--summary", "one", "--now", T, "--json")
    page_id = json.loads(first.stdout)["page_id"]
    # A page that reaches only email (SMTP login with the secret credentials) ...
    setup.providers.fault = lambda kind, body: Response(
        f"denied {PD_KEY} {body}", 401 if kind == "pagerduty" else 500
    )
    run("page", "de3", "--summary", "two", "--now", T)
    # ... and one nothing delivers, then flushed.
    setup.write(smtp_port=free_port(), email_budget="0.2s")
    stuck = run("page", "de4", "--summary", "three", "--now", T, "--json")
    assert stuck.exit_code == 3
    run("page", "flush", "--now", T)
    setup.providers.fault = None
    setup.write()
    run("page", "flush", "--now", later(120))
    run("escalate", "--now", later(16))
    run("ack", page_id, "--now", later(17))
    run("resolve", page_id, "--now", later(18))
    for args in (("page", "list"), ("page", "list", "--json"), ("page", "show", page_id)):
        run(*args)
    run("page", "show", page_id, "--json")
    assert setup.mailbox.logins, "the SMTP login was never exercised"
    assert setup.mailbox.messages, "no email went out"

    ours = [r.getMessage() for r in caplog.records if not r.name.startswith(("werkzeug", "mail"))]
    assert any("failed" in m for m in ours), "expected our own log records to scan"
    rows = setup.rows()
    assert rows["pages"] and rows["deliveries"]
    dumped = [repr(row) for table in rows.values() for row in table]
    assert "****" in "".join(texts)  # the dry run shows masks
    for secret in SECRETS:
        for where, items in (("output", texts), ("logs", ours), ("store", dumped)):
            leaked = [t for t in items if secret in t]
            assert not leaked, f"secret found in {where}: {leaked[0][:200]!r}"
        assert secret.lower() not in "".join(texts + ours + dumped).lower()


# --------------------------------------------------------------------------- PagerDuty schema


def test_pagerduty_events_sent_by_the_cli_match_the_events_v2_schema(
    oncall: Run, setup: Setup
) -> None:
    validator = pagerduty_validator()
    page = run_json(
        oncall, "page", "aggregate-profit", "--summary", "x" * 2000, "--severity", "warning",
        "--detail", "k=" + "v" * 5000, "--now", T,
    )  # fmt: skip
    run_json(oncall, "escalate", "--now", later(16))
    run_json(oncall, "ack", page["dedup_key"], "--now", later(17))
    run_json(oncall, "resolve", page["dedup_key"], "--now", later(18))
    events = setup.providers.pd_events()
    assert [e["event_action"] for e in events] == ["trigger", "trigger", "acknowledge", "resolve"]
    for event in events:
        validator.validate(event)
        assert event["dedup_key"] == page["dedup_key"]
        assert event["routing_key"] == PD_KEY
    assert len(events[0]["payload"]["summary"]) <= 1024
