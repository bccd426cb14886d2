"""A send makes its first attempt before it builds the retry loop (tenacity is loaded only
once an attempt has failed). The same sends with every attempt inside the loop give the
same results, attempts, waits and log lines: a table of what the server does, attempt by
attempt, under a fake clock (sleeping advances it) and the same random jitter."""

from __future__ import annotations

import logging
import random
from typing import Any

import httpx
import pytest

from oncall.adapters.pagers.http import HttpDelivery
from oncall.domain.paging.secret import Secret
from tests.adapters.pagers.helpers import FakeTime

URL = "https://hooks.example.com/T0KEN-abcdefgh-SECRET"

OK = (202, {}, "ok")
DOWN = (503, {}, "down")
SLOW_DOWN = (429, {"Retry-After": "2"}, "")
LONG_WAIT = (429, {"Retry-After": "600"}, "")
BAD = (400, {"content-type": "application/json"}, '{"message": "bad key"}')
MOVED = (302, {"Location": "https://elsewhere.example.com/"}, "")
REFUSED = "refused"
TIMEOUT = "timeout"
BUG = "bug"

SCRIPTS = {
    "at-once": [OK],
    "after-a-503": [DOWN, OK],
    "after-503s": [DOWN, DOWN, DOWN, OK],
    "down-for-the-budget": [DOWN] * 50,
    "retry-after": [SLOW_DOWN, OK],
    "retry-after-past-the-budget": [LONG_WAIT, OK],
    "refused-then-ok": [REFUSED, OK],
    "timeouts": [TIMEOUT] * 50,
    "bad-request": [BAD, OK],
    "redirect": [MOVED, OK],
    "down-then-bad": [DOWN, BAD],
    "a-bug-in-the-transport": [BUG, OK],
    "down-then-a-bug": [DOWN, BUG],
}


def _send(script: list[Any], first_attempt_alone: bool) -> tuple[Any, ...]:
    steps = iter(script)

    def answer(request: httpx.Request) -> httpx.Response:
        step = next(steps)
        if step == REFUSED:
            raise httpx.ConnectError("connection refused", request=request)
        if step == TIMEOUT:
            raise httpx.ReadTimeout("timed out", request=request)
        if step == BUG:
            raise KeyError("bug")
        status, headers, text = step
        return httpx.Response(status, headers=headers, text=text)

    fake = FakeTime()
    http = HttpDelivery(
        timeout=5,
        retry_budget=20,
        backoff_base=0.5,
        transport=httpx.MockTransport(answer),
        sleep=fake.sleep,
        monotonic=fake.monotonic,
    )
    http.first_attempt_alone = first_attempt_alone
    random.seed(14)
    result = http.post_json(Secret(URL), {"summary": "s"}, channel="hook", to="de1")
    left = sum(1 for _ in steps)
    return result, fake.waits, len(script) - left


@pytest.mark.parametrize("script", list(SCRIPTS.values()), ids=list(SCRIPTS))
def test_first_attempt_alone_is_the_same_as_every_attempt_in_the_loop(
    script: list[Any], caplog: pytest.LogCaptureFixture
) -> None:
    outcomes, logged = [], []
    for alone in (True, False):
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="oncall.pagers"):
            outcomes.append(_send(script, alone))
        logged.append([r.getMessage() for r in caplog.records if r.name == "oncall.pagers"])
    assert outcomes[0] == outcomes[1]
    assert logged[0] == logged[1]
    result, waits, asked = outcomes[0]
    assert result.attempts == asked  # every attempt reached the server once
    assert len(waits) == max(0, asked - 1) or result.status == "failed"
