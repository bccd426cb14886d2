"""Two "machines" on one shared PostgreSQL store (separate HOME, state and caches, the same
ONCALL_STATE_URL), running ``oncall`` as real subprocesses at once, with a (Slack webhook)
provider that fails every third request: every page is delivered exactly once per person, an ack on
one machine stops escalation on the other, and a flush killed with ``kill -9`` mid-delivery is
finished by the other machine once the lease has passed, exactly once.

Time moves with ``--now`` (never a sleep): every process of one phase shares one instant, as
machines share a clock. The numbers are printed (run with ``-s``) for the closing note.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SHIPPED_CONFIG, SHIPPED_RUNBOOKS

T = datetime.fromisoformat("2026-11-18T11:00:00+05:30")  # a Wednesday morning, team time
PAGES = 12
TIMEOUT = 180  # seconds any one subprocess may take


def at(minutes: float) -> str:
    return (T + timedelta(minutes=minutes)).isoformat()


@dataclass
class Provider:
    """A Slack incoming-webhook receiver on 127.0.0.1: every third request answered 503;
    ``hang`` holds the next request until released (then answers 503: never accepted)."""

    requests: int = 0
    failed: int = 0
    accepted: list[dict[str, Any]] = field(default_factory=list)
    fail_all: bool = False
    hang: bool = False
    hung: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, body: dict[str, Any]) -> int:
        with self.lock:
            self.requests += 1
            hang = self.hang
            if hang:
                self.hang = False
            fail = self.fail_all or self.requests % 3 == 0
        if hang:
            self.hung.set()
            self.release.wait(TIMEOUT)
            fail = True
        with self.lock:
            if fail:
                self.failed += 1
                return 503
            self.accepted.append(body)
            return 200

    def triggers(self) -> Counter[tuple[str, str]]:
        """(page id, person) of every accepted Slack trigger (not acks), counted."""
        found: Counter[tuple[str, str]] = Counter()
        with self.lock:
            for body in self.accepted:
                text = body["text"]
                mention = re.match(r"<@(\w+)> (.*)", text, re.S)
                if mention is None or not mention.group(2).startswith("["):
                    continue  # an ack or resolve message
                context = body["blocks"][-1]["elements"][0]["text"]
                page = re.search(r"page (p-[0-9a-f]+)", context)
                assert page is not None, context
                found[(page.group(1), MEMBERS[mention.group(1)])] += 1
        return found


@pytest.fixture
def provider() -> Iterator[tuple[Provider, str]]:
    state = Provider()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            code = state.answer(json.loads(self.rfile.read(length) or b"{}"))
            try:
                self.send_response(code)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")
            except OSError:
                pass  # the caller was killed

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state, f"http://127.0.0.1:{server.server_address[1]}/services/T0/B0/x"
    finally:
        state.release.set()
        server.shutdown()
        server.server_close()


MEMBERS = {"U01DE0001": "de1", "U01DE0002": "de2", "U01DE0003": "de3", "U01DE0004": "de4",
           "U01MGR001": "m1"}  # fmt: skip
"""The Slack member ids of config/owners.yaml: each message names the person it pages."""

PAGING_YAML = """\
channels:
  slack: {kind: slack, webhook_url_env: ONCALL_SLACK_WEBHOOK, retry_budget: 1s, timeout: 2s}
urgency:
  high: {channels: [slack], ack_timeout: 15m, repeat: 1}
  low: {channels: [slack], ack_timeout: 15m, repeat: 1}
  by_purpose: {investor-reporting: high, experiments: low}
"""


@dataclass
class Machine:
    name: str
    env: dict[str, str]

    def popen(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-m", "oncall", *args],
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def run(self, *args: str, codes: tuple[int, ...] = (0,)) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "oncall", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
        )
        assert done.returncode in codes, (self.name, args, done.stdout, done.stderr)
        return done.stdout

    def script(self, *commands: tuple[str, ...]) -> subprocess.Popen[str]:
        """Several commands one after another in the background (one shell)."""
        lines = " ; ".join(
            " ".join([sys.executable, "-m", "oncall", *(_quote(a) for a in c)]) for c in commands
        )
        return subprocess.Popen(
            ["sh", "-c", lines], env=self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip


def _quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


def wait_all(*procs: subprocess.Popen[str]) -> None:
    for proc in procs:
        _, err = proc.communicate(timeout=TIMEOUT)
        assert "Traceback" not in err, err


@pytest.fixture
def machines(
    tmp_path: Path, postgres_url: str, provider: tuple[Provider, str]
) -> tuple[Machine, Machine]:
    project = tmp_path / "project"
    shutil.copytree(SHIPPED_CONFIG, project / "config")
    if SHIPPED_RUNBOOKS.is_dir():
        shutil.copytree(SHIPPED_RUNBOOKS, project / "runbooks")
    owners = project / "config" / "owners.yaml"
    team = f"m-{uuid.uuid4().hex[:10]}"  # the session's server is shared with other tests
    owners.write_text(owners.read_text().replace("team:\n", f"team:\n  id: {team}\n", 1))
    (project / "config" / "paging.yaml").write_text(PAGING_YAML)
    out = []
    for name in ("a", "b"):
        home = tmp_path / f"machine-{name}"
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(home),
            "XDG_STATE_HOME": str(home / "state"),
            "XDG_CACHE_HOME": str(home / "cache"),
            "XDG_CONFIG_HOME": str(home / "config"),
            "ONCALL_CACHE_DIR": str(home / "cache" / "oncall"),
            "ONCALL_CONFIG_DIR": str(project / "config"),
            "ONCALL_STATE_URL": postgres_url,
            "ONCALL_SLACK_WEBHOOK": provider[1],
            "ONCALL_BACKOFF_BASE": "5",  # over the 1s budget: one attempt, no sleep
            "ONCALL_OPERATOR": f"engineer-{name}",
            "NO_COLOR": "1",
        }
        out.append(Machine(name, env))
    return out[0], out[1]


def test_two_machines_share_one_store_exactly_once(
    machines: tuple[Machine, Machine], provider: tuple[Provider, str]
) -> None:
    a, b = machines
    hook, _ = provider
    started = time.monotonic()
    a.run("store", "migrate")

    # 1. Paging and flushing at once, on both machines, at T.
    def pages(numbers: range) -> tuple[tuple[str, ...], ...]:
        return tuple(
            ("page", "aggregate-profit", "--summary", f"stale {n}", "--now", at(0)) for n in numbers
        )

    flush_now = ("page", "flush", "--now", at(0))
    wait_all(
        a.script(*pages(range(0, PAGES, 2))),
        b.script(*pages(range(1, PAGES, 2))),
        a.script(flush_now, flush_now, flush_now),
        b.script(flush_now, flush_now, flush_now),
    )
    listed = json.loads(a.run("page", "list", "--json", "--limit", "100"))
    assert len(listed) == PAGES
    chains = {p["page_id"]: p["escalation"] for p in listed}

    # 2. An ack on machine A (of a page already delivered), then both escalate and flush at once.
    delivered = {page for page, _ in hook.triggers()}
    acked = sorted(delivered)[0]
    a.run("ack", acked, "--now", at(5), codes=(0, 3))  # 3: Slack not told (a failed answer)
    later = at(20)
    wait_all(
        a.script(("escalate", "--now", later), ("page", "flush", "--now", later)),
        b.script(("escalate", "--now", later), ("page", "flush", "--now", later)),
        b.script(("escalate", "--now", later)),
        a.script(("page", "flush", "--now", later), ("escalate", "--now", later)),
    )

    # 3. Drain what failed: flushes later and later, alternating machines (bounded).
    for round_ in range(16):
        if json.loads(a.run("store", "info", "--json"))["counts"]["queued"] == 0:
            break
        (a if round_ % 2 else b).run("page", "flush", "--now", at(120 * (round_ + 1)), codes=(0, 3))
    assert json.loads(b.run("store", "info", "--json"))["counts"]["queued"] == 0

    triggers = hook.triggers()
    duplicates = {k: n for k, n in triggers.items() if n > 1}
    assert duplicates == {}
    for page_id, chain in chains.items():
        sent_to = [to for (page, to) in triggers if page == page_id]
        if page_id == acked:  # acked on A: B's (and A's) escalation left it alone
            assert sent_to == [chain[0]], (page_id, chain, sent_to)
        elif page_id in delivered:  # delivered at T: escalated once at T+20m, by one machine
            assert sorted(sent_to) == sorted(chain[:2]), a.run("page", "show", page_id, "--json")
        else:  # first delivered later, by a flush: its escalation clock starts then
            assert sorted(sent_to) == sorted(chain[: len(sent_to)]) and sent_to, (page_id, chain)

    # 4. kill -9 of a flush mid-delivery on A; B finishes it after the lease, exactly once.
    late = 60 * 24
    hook.fail_all = True
    queued = json.loads(
        a.run(
            "page",
            "aggregate-profit",
            "--summary",
            "killed",
            "--now",
            at(late),
            "--json",
            codes=(3,),
        )
    )
    hook.fail_all = False
    hook.hang = True
    victim = a.popen("page", "flush", "--now", at(late + 1))
    assert hook.hung.wait(TIMEOUT), "the flush never reached the provider"
    victim.send_signal(signal.SIGKILL)
    victim.communicate(timeout=TIMEOUT)
    assert victim.returncode == -signal.SIGKILL
    hook.release.set()
    early = json.loads(b.run("page", "flush", "--now", at(late + 1.5), "--json"))
    assert early["items"] == [] and early["remaining"] == 1  # still leased by the dead flush
    finished = json.loads(b.run("page", "flush", "--now", at(late + 5), "--json"))
    assert [(i["page_id"], i["outcome"]) for i in finished["items"]] == [
        (queued["page_id"], "sent")
    ]
    again = json.loads(a.run("page", "flush", "--now", at(late + 60), "--json"))
    assert again["items"] == [] and again["remaining"] == 0
    killed = {k: n for k, n in hook.triggers().items() if k[0] == queued["page_id"]}
    assert list(killed.values()) == [1]

    numbers = {
        "pages": PAGES + 1,
        "requests": hook.requests,
        "failed_answers": hook.failed,
        "accepted_triggers": sum(hook.triggers().values()),
        "duplicates": sum(n - 1 for n in hook.triggers().values() if n > 1),
        "escalations": sum(1 for (p, to) in hook.triggers() if to != chains.get(p, [to])[0]),
        "seconds": round(time.monotonic() - started, 1),
    }
    print("two machines:", json.dumps(numbers, sort_keys=True))
