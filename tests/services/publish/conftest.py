"""A project with publish.yaml pointing at local PagerDuty and Slack servers."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from oncall.adapters.store import Store, open_store
from oncall.config import Config, load_config
from oncall.services.publish.common import Retry
from tests.support.pagerduty_rest import FakePagerDuty, FakeSlack

PD_TOKEN = "pd-secret-token-0123456789"
SLACK_TOKEN = "xoxb-secret-slack-token-0123"
NOW = datetime(2026, 1, 5, 10, 0, tzinfo=ZoneInfo("Asia/Kolkata"))
ENV = {"ONCALL_PAGERDUTY_API_TOKEN": PD_TOKEN, "ONCALL_SLACK_BOT_TOKEN": SLACK_TOKEN}


@dataclass
class Setup:
    dir: Path
    pd: FakePagerDuty
    slack: FakeSlack
    url: str
    store: Store
    sleeps: list[float]

    @property
    def cfg(self) -> Config:
        return load_config(self.dir / "config", use_cache=False)

    @property
    def retry(self) -> Retry:
        return Retry(backoff_base=0.01, sleep=self.sleeps.append, monotonic=lambda: 0.0)


def publish_yaml(url: str, *, channel: bool = True) -> str:
    return (
        "pagerduty:\n"
        f"  url: {url}\n"
        "  schedules: {primary: PABC123}\n"
        "slack:\n"
        f"  url: {url}/api\n"
        "  usergroups: {primary: S0123ABCD}\n" + ("  channel: C0123ABCD\n" if channel else "")
    )


@pytest.fixture
def setup(project: Path, httpserver: HTTPServer, tmp_path: Path) -> Iterator[Setup]:
    # Two users whose emails contain de3's come first: finding de3 takes a second page.
    decoys = [
        {"id": "PDECOY1", "name": "Ex DE3", "email": "ex.de3@example.com"},
        {"id": "PDECOY2", "name": "Ode3", "email": "ode3@example.com"},
    ]
    pd = FakePagerDuty(
        PD_TOKEN,
        users=decoys
        + [
            {"id": f"PUSER{i}", "name": f"Data Engineer {i}", "email": f"de{i}@example.com"}
            for i in range(1, 5)
        ],
    )
    slack = FakeSlack(SLACK_TOKEN, groups={"S0123ABCD": ["U01DE0001"]})

    def handle(request: Request) -> Response:
        return slack.handle(request) if request.path.startswith("/api/") else pd.handle(request)

    import re

    httpserver.expect_request(re.compile(".*")).respond_with_handler(handle)
    url = httpserver.url_for("").rstrip("/")
    (project / "config" / "publish.yaml").write_text(publish_yaml(url))
    with open_store(tmp_path / "publish.db") as store:
        yield Setup(project, pd, slack, url, store, [])
    assert not pd.invalid, f"bodies that do not match PagerDuty's OpenAPI: {pd.invalid}"


def overrides_by_user(pd: FakePagerDuty) -> list[tuple[str, str, str]]:
    return sorted((o["start"], o["end"], o["user"]["id"]) for o in pd.overrides.values())


def anything(value: Any) -> Any:
    return value


class RacingStore:
    """The store as one machine sees it: ``between`` runs once, just before its first
    compare-and-set (another machine acting at that moment)."""

    def __init__(self, store: object, between: object) -> None:
        self._store = store
        self.between = between

    def __getattr__(self, name: str) -> object:
        return getattr(self._store, name)

    def put_published_if(self, *args: object, **kwargs: object) -> object:
        if self.between is not None:
            run, self.between = self.between, None
            run()  # type: ignore[operator]
        return self._store.put_published_if(*args, **kwargs)  # type: ignore[attr-defined]
