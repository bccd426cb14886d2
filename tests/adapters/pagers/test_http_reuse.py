"""One HTTP client per channel (issue 14): deliveries of one pager reuse one connection,
and a pager can be closed and used again. A real keep-alive server on 127.0.0.1."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from bench.flush import Receiver, receiver
from oncall.adapters.pagers import WebhookPager
from oncall.config.models.paging import WebhookChannel
from tests.adapters.pagers.helpers import DE1, FAST, page


@pytest.fixture
def keepalive() -> Iterator[Receiver]:
    with receiver() as server:
        yield server


def _pager(server: Receiver) -> WebhookPager:
    config = WebhookChannel(kind="webhook", url=server.url)
    return WebhookPager("hook", config, backoff_base=FAST)


def test_deliveries_of_one_channel_reuse_one_connection(keepalive: Receiver) -> None:
    pager = _pager(keepalive)
    results = [pager.send(page(page_id=f"pg-{i}"), DE1) for i in range(5)]
    assert [r.status for r in results] == ["sent"] * 5
    assert [b["page_id"] for b in keepalive.bodies] == [f"pg-{i}" for i in range(5)]
    assert len(keepalive.connections) == 5
    assert len(set(keepalive.connections)) == 1  # one client, one connection


def test_a_closed_pager_sends_again_on_a_new_connection(keepalive: Receiver) -> None:
    pager = _pager(keepalive)
    assert pager.send(page(), DE1).status == "sent"
    pager.close()
    assert pager.send(page(), DE1).status == "sent"
    assert len(set(keepalive.connections)) == 2


def test_one_pager_sends_from_several_threads_at_once(keepalive: Receiver) -> None:
    pager = _pager(keepalive)
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda i: pager.send(page(page_id=f"pg-{i}"), DE1), range(12)))
    assert [r.status for r in results] == ["sent"] * 12
    assert sorted(str(b["page_id"]) for b in keepalive.bodies) == sorted(
        f"pg-{i}" for i in range(12)
    )
    assert len(set(keepalive.connections)) <= 4  # the pool's connections, not one per send


def test_pagers_without_an_email_channel_do_not_import_smtplib() -> None:
    code = (
        "import sys\n"
        "from oncall.adapters.pagers import build_pagers\n"
        "from oncall.config.models.paging import PagingConfig\n"
        "config = PagingConfig.model_validate({'channels': {'hook': {'kind': 'webhook', "
        "'url': 'https://hooks.example.com/x'}}, 'urgency': {'high': {'channels': ['hook']}, "
        "'low': {'channels': ['hook']}}})\n"
        "assert list(build_pagers(config)) == ['hook']\n"
        "print('smtplib' in sys.modules, 'oncall.adapters.pagers.email' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.split() == ["False", "False"]
