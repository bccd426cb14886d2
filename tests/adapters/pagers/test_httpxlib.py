"""httpx for the pagers: imported without its command-line client (click, rich, pygments),
with ``httpx.main`` and ``import httpx._main`` working as they did (each import case in a
fresh interpreter, where httpx is not imported yet); a plain-HTTP loopback client that loads
no CA bundle and would fail closed; every other client httpx's default, verifying one."""

from __future__ import annotations

import json
import ssl
import subprocess
import sys
from typing import Any

import pytest

from oncall.adapters.pagers.httpxlib import Clients, httpx

pytestmark = pytest.mark.timeout(120)

PROBE = """
import json, sys
import oncall.adapters.pagers.httpxlib  # where the pagers get httpx from, at their first send
import httpx

def loaded(name):
    return any(m == name or m.startswith(name + ".") for m in sys.modules)

report = {
    "cli_loaded": loaded("httpx._main"),
    "blocked_left": "httpx._main" in sys.modules,
    "heavy": sorted(m for m in ("click", "pygments", "rich") if loaded(m)),
    "client_works": httpx.Client is not None and httpx.Timeout(1.0).read == 1.0,
}
import httpx._main as cli  # the real module, once asked for

cli.main = lambda *args, **kwargs: ["called", list(args)]
report["main_returns"] = httpx.main("--help")
print(json.dumps(report))
"""


def test_the_pagers_import_httpx_without_its_command_line_client() -> None:
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report == {
        "cli_loaded": False,
        "blocked_left": False,
        "heavy": [],
        "client_works": True,
        "main_returns": ["called", ["--help"]],
    }


def test_httpx_imported_first_is_left_alone() -> None:
    probe = (
        "import httpx, sys\nimport oncall.adapters.pagers.http\nprint('httpx._main' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True"


def _ssl_context(client: Any) -> ssl.SSLContext:
    context = client._transport._pool._ssl_context  # httpx's default transport and pool
    assert isinstance(context, ssl.SSLContext)
    return context


def test_a_plain_http_loopback_client_loads_no_ca_and_fails_closed() -> None:
    clients = Clients()
    try:
        plain = clients.get(loopback=True, tls=False)
        assert clients.get(loopback=True, tls=False) is plain  # reused
        context = _ssl_context(plain)
        assert context.cert_store_stats()["x509_ca"] == 0
        assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
        assert plain.trust_env is False
    finally:
        clients.close()


@pytest.mark.parametrize(
    ("loopback", "tls"),
    [(True, True), (False, True), (False, False)],
    ids=["loopback-https", "https", "http"],
)
def test_every_other_client_is_httpx_default_verifying_one(loopback: bool, tls: bool) -> None:
    clients = Clients()
    try:
        client = clients.get(loopback=loopback, tls=tls)
        context = _ssl_context(client)
        assert context.cert_store_stats()["x509_ca"] > 0  # certifi's bundle
        assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
        assert client.trust_env is (not loopback)
        assert clients.get(loopback=True, tls=False) is not client
    finally:
        clients.close()


def test_a_given_transport_is_used_by_every_client() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(202, text="ok"))
    clients = Clients(transport)
    try:
        for loopback, tls in [(True, False), (True, True), (False, True)]:
            response = clients.get(loopback=loopback, tls=tls).post("http://127.0.0.1/x")
            assert (response.status_code, response.text) == (202, "ok")
    finally:
        clients.close()


def test_httpx_is_imported_at_the_first_delivery_not_when_a_pager_is_built() -> None:
    probe = """
import json, sys
from oncall.adapters.pagers import build_pagers
from oncall.config.models.paging import PagingConfig

config = PagingConfig.model_validate(
    {"channels": {"hook": {"kind": "webhook", "url": "http://127.0.0.1:9/hook"}},
     "urgency": {"high": {"channels": ["hook"]}, "low": {"channels": ["hook"]}}}
)
from tests.adapters.pagers.helpers import FakeTime
fake = FakeTime()  # retries sleep on a fake clock: nothing waits
pagers = build_pagers(config, sleep=fake.sleep, monotonic=fake.monotonic)
report = {"built": "httpx" in sys.modules}
from oncall.domain.paging.routing import Target
from tests.adapters.pagers.helpers import page
result = pagers["hook"].send(page(), Target(person="de1"))
import logging
report["sent"] = "httpx" in sys.modules
report["masked"] = any(
    type(f).__name__ == "_RedactUrlFilter" for f in logging.getLogger("httpx").filters
)
report["status"] = result.status
print(json.dumps(report))
"""
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report == {"built": False, "sent": True, "masked": True, "status": "failed"}
