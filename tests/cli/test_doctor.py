"""``oncall doctor`` against real local servers: HTTP providers, SMTP, gRPC Monitoring, SQLite.

Nothing is ever sent: the HTTP servers must see only ``HEAD /`` and the mailbox no message.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest
from typer.testing import Result

from oncall.cli import COMMANDS
from tests.cli import test_page as harness
from tests.cli.test_page import SECRETS, SMTP_USER, Setup, assert_no_secrets, free_port
from tests.conftest import Run
from tests.support.monitoring_server import MonitoringServer

# The shared fixtures: local providers, a mailbox and a paging.yaml pointing at them.
providers = harness.providers
mailbox = harness.mailbox
setup = harness.setup

T = "2026-11-18T11:00"  # a Wednesday morning in Asia/Kolkata (the team timezone)
STATE_LINE = (
    '{"metric": "pipeline/run_completed", "labels": {"pipeline": "aggregate-profit"}, '
    '"time": "2026-11-18T02:10:00+05:30", "value": 1}\n'
)


def test_doctor_is_a_registered_command() -> None:
    assert COMMANDS["doctor"] == "doctor"


@pytest.fixture
def monitoring() -> Iterator[MonitoringServer]:
    with MonitoringServer(page_size=1000) as running:
        yield running


@pytest.fixture
def doctor_setup(setup: Setup, monitoring: MonitoringServer, project: Path) -> Setup:
    """Paging at the local providers, a local source with one good file and a Cloud
    Monitoring source at the local gRPC server."""
    state = project / "state"
    state.mkdir()
    (state / "runs.jsonl").write_text(STATE_LINE)
    sqlite3.connect(state / "warehouse.db").close()  # the runbooks' SQL checks read it
    write_state_yaml(setup.config_dir, monitoring.address)
    setup.extra["monitoring"] = monitoring
    setup.extra["state"] = state
    return setup


def write_state_yaml(config_dir: Path, address: str, timeout: str = "5s") -> None:
    (config_dir / "state.yaml").write_text(
        "sources:\n"
        "  default: {kind: local, path: ../state}\n"
        "  warehouse: {kind: sql, path: ../state/warehouse.db}\n"
        "  gcp:\n"
        "    kind: cloud-monitoring\n"
        "    project: demo-project\n"
        f'    endpoint: "{address}"\n'
        "    insecure: true\n"
        f"    timeout: {timeout}\n"
    )


def doctor(oncall: Run, *args: str) -> tuple[Result, dict[str, Any]]:
    result = oncall("doctor", "--now", T, "--json", *args)
    assert result.exit_code in (0, 1), (result.stdout, result.stderr)
    data: dict[str, Any] = json.loads(result.stdout)
    return result, data


def by_name(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["name"]: c for c in data["checks"]}


def methods(setup: Setup) -> list[tuple[str, str, bytes]]:
    return [(r.method, r.path, r.get_data()) for r, _ in setup.providers.server.log]


# --------------------------------------------------------------------------- all good


def test_all_good_exits_0_and_sends_nothing(oncall: Run, doctor_setup: Setup) -> None:
    result, data = doctor(oncall)
    assert result.exit_code == 0, result.stdout
    assert data["ok"] is True
    checks = by_name(data)
    assert set(checks) >= {
        "config",
        "calendar IN",
        "calendar IN-MH",
        "source default",
        "source gcp",
        "channel pagerduty",
        "channel slack",
        "channel email",
        "channel hook",
        "store",
    }
    for check in data["checks"]:
        assert set(check) == {"name", "status", "detail", "fix"}
    not_ok = {n: c["status"] for n, c in checks.items() if c["status"] != "ok"}
    # Only the rotation's holiday warnings remain: every secret is set here.
    assert not_ok == {"config": "warn"}, not_ok
    assert "rotation.yaml" in checks["config"]["detail"]
    assert "paging.yaml" not in checks["config"]["detail"]
    assert "1 file(s)" in checks["source default"]["detail"]
    assert "ListTimeSeries answered" in checks["source gcp"]["detail"]
    assert "login" in checks["channel email"]["detail"]
    # HTTP: three HEADs of the origin (one per HTTP channel), no POST, no secret path.
    assert methods(doctor_setup) == [("HEAD", "/", b"")] * 3
    # SMTP: a login, and no mail.
    assert doctor_setup.mailbox.messages == []
    assert [login for login, _ in doctor_setup.mailbox.logins] == [SMTP_USER.encode()]
    # Cloud Monitoring: one cheap query over one minute, for a metric the runbooks read.
    (request,) = doctor_setup.extra["monitoring"].requests
    assert request.name == "projects/demo-project"
    assert request.start_time is not None and request.end_time is not None
    assert (request.end_time - request.start_time).total_seconds() == 60
    assert_no_secrets(result.stdout, result.stderr)


def test_human_output_fits_80_columns_without_colour_or_secrets(
    oncall: Run, doctor_setup: Setup
) -> None:
    result = oncall("doctor", "--now", T)
    assert result.exit_code == 0, result.stdout
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["status", "check", "detail"]
    assert max(len(line) for line in lines) <= 80
    assert "\x1b[" not in result.stdout
    assert result.stdout.rstrip().endswith("all good: 1 warning(s), 13 ok")
    # The Slack and webhook URLs come from env vars: only their host and port are shown.
    host = f"127.0.0.1:{doctor_setup.providers.server.port}"
    assert host in result.stdout and "/slack/" not in result.stdout
    assert_no_secrets(result.stdout, result.stderr)


# --------------------------------------------------------------------------- failures


def test_missing_variable_fails_naming_it_with_the_fix(
    oncall: Run, doctor_setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ONCALL_SLACK_WEBHOOK")
    result, data = doctor(oncall)
    assert result.exit_code == 1
    assert data["ok"] is False
    slack = by_name(data)["channel slack"]
    assert slack["status"] == "fail"
    assert "ONCALL_SLACK_WEBHOOK" in slack["detail"]
    assert slack["fix"].startswith("export ONCALL_SLACK_WEBHOOK ")
    assert by_name(data)["channel pagerduty"]["status"] == "ok"
    human = oncall("doctor", "--now", T)
    assert human.exit_code == 1
    assert "fix: export ONCALL_SLACK_WEBHOOK" in human.stdout
    assert "problems found: 1 failed" in human.stdout


def test_closed_ports_fail_and_secret_urls_show_host_only(
    oncall: Run, doctor_setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    closed = free_port()
    token = "hookTOKENclosedport0123456789SECRET"
    monkeypatch.setenv("ONCALL_WEBHOOK_URL", f"http://127.0.0.1:{closed}/hook/{token}")
    doctor_setup.write(smtp_port=free_port())
    result, data = doctor(oncall)
    assert result.exit_code == 1
    checks = by_name(data)
    hook, email = checks["channel hook"], checks["channel email"]
    assert (hook["status"], email["status"]) == ("fail", "fail")
    assert f"127.0.0.1:{closed}: cannot connect" in hook["detail"]
    assert "cannot connect" in email["detail"]
    assert "firewall" in hook["fix"] and "host and port" in email["fix"]
    assert checks["channel slack"]["status"] == "ok"
    assert token not in result.stdout and "/hook/" not in result.stdout
    assert_no_secrets(result.stdout, result.stderr)


def test_smtp_login_rejected_fails_without_showing_the_login(
    oncall: Run, doctor_setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    wrong = "wrongPASSWORD0123456789SECRET"
    monkeypatch.setenv("ONCALL_SMTP_PASSWORD", wrong)
    result, data = doctor(oncall)
    assert result.exit_code == 1
    email = by_name(data)["channel email"]
    assert email["status"] == "fail"
    assert "login rejected (SMTP 535)" in email["detail"]
    assert doctor_setup.mailbox.messages == []
    assert wrong not in result.stdout
    assert_no_secrets(result.stdout, result.stderr)


def test_permission_denied_fails_with_the_iam_fix(oncall: Run, doctor_setup: Setup) -> None:
    server: MonitoringServer = doctor_setup.extra["monitoring"]
    server.fail_with(grpc.StatusCode.PERMISSION_DENIED, "caller lacks monitoring.timeSeries.list")
    result, data = doctor(oncall)
    assert result.exit_code == 1
    gcp = by_name(data)["source gcp"]
    assert gcp["status"] == "fail"
    assert "permission denied" in gcp["detail"]
    assert "roles/monitoring.viewer" in gcp["fix"] and "demo-project" in gcp["fix"]
    assert by_name(data)["source default"]["status"] == "ok"


def test_slow_monitoring_fails_within_the_source_timeout(oncall: Run, doctor_setup: Setup) -> None:
    server: MonitoringServer = doctor_setup.extra["monitoring"]
    server.latency = 5.0
    write_state_yaml(doctor_setup.config_dir, server.address, timeout="0.5s")
    # The server answers after 5 s: "within 0.5s" in the detail proves the probe gave up at the
    # source's timeout (a probe that waited would have found the source ok).
    result, data = doctor(oncall)
    assert result.exit_code == 1
    gcp = by_name(data)["source gcp"]
    assert gcp["status"] == "fail" and "within 0.5s" in gcp["detail"]
    assert "timeout" in gcp["fix"]


def test_unreadable_state_fails_located(oncall: Run, doctor_setup: Setup) -> None:
    state: Path = doctor_setup.extra["state"]
    (state / "broken.jsonl").write_text(STATE_LINE + "{not json\n")
    result, data = doctor(oncall)
    assert result.exit_code == 1
    local = by_name(data)["source default"]
    assert local["status"] == "fail"
    assert "broken.jsonl:2: not valid JSON" in local["detail"]
    assert "oncall state demo" in local["fix"]


def test_missing_state_directory_fails(oncall: Run, doctor_setup: Setup) -> None:
    state: Path = doctor_setup.extra["state"]
    for file in state.iterdir():
        file.unlink()
    state.rmdir()
    _, data = doctor(oncall)
    local = by_name(data)["source default"]
    assert local["status"] == "fail"
    assert "does not exist" in local["detail"]


def test_unwritable_store_fails(
    oncall: Run, doctor_setup: Setup, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory\n")
    monkeypatch.setenv("ONCALL_STATE_DB", str(blocker / "oncall.db"))
    result, data = doctor(oncall)
    assert result.exit_code == 1
    store = by_name(data)["store"]
    assert store["status"] == "fail"
    assert str(blocker) in store["detail"]
    assert "ONCALL_STATE_DB" in store["fix"]
    assert all(c["status"] != "fail" for c in data["checks"] if c["name"] != "store")


def test_outbox_waiting_is_a_warning(oncall: Run, doctor_setup: Setup) -> None:
    doctor_setup.providers.fault = lambda kind, body: harness.Response("down", 503)
    doctor_setup.write(smtp_port=free_port())  # no fall-through to email either
    paged = oncall("page", "aggregate-profit", "--summary", "stale", "--now", T)
    assert paged.exit_code == 3, paged.stdout
    doctor_setup.providers.fault = None
    doctor_setup.write()
    result, data = doctor(oncall)
    store = by_name(data)["store"]
    assert store["status"] == "warn" and "1 page(s) wait in the outbox" in store["detail"]
    assert "oncall page flush" in store["fix"]
    assert result.exit_code == 0


def test_broken_config_fails_and_still_checks_the_store(
    oncall: Run, config_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    owners = config_dir / "owners.yaml"
    owners.write_text(owners.read_text().replace("primary: de2", "primary: de9", 1))
    result, data = doctor(oncall)
    assert result.exit_code == 1
    checks = by_name(data)
    assert checks["config"]["status"] == "fail"
    assert "owners.yaml:" in checks["config"]["detail"]
    assert "oncall validate" in checks["config"]["fix"]
    assert checks["store"]["status"] == "ok"
    assert {checks[n]["status"] for n in ("calendars", "sources", "paging")} == {"skip"}


def test_without_paging_yaml_paging_is_skipped(oncall: Run, config_dir: Path) -> None:
    (config_dir / "paging.yaml").unlink()
    _, data = doctor(oncall)
    paging = by_name(data)["paging"]
    assert paging["status"] == "skip" and "not configured" in paging["detail"]
    assert not any(name.startswith("channel ") for name in by_name(data))


def test_an_env_url_that_is_not_https_fails_without_repeating_it(
    oncall: Run, doctor_setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret_url = "http://hooks.example.com/services/T0/B0/plainHTTPsecret0123456789"
    monkeypatch.setenv("ONCALL_SLACK_WEBHOOK", secret_url)
    result, data = doctor(oncall)
    slack = by_name(data)["channel slack"]
    assert slack["status"] == "fail" and "must use https" in slack["detail"]
    assert "hooks.example.com" not in result.stdout and "plainHTTPsecret" not in result.stdout


def test_no_secret_in_any_output(
    oncall: Run, doctor_setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every outcome at once (ok, fail, env-var URLs), human and JSON: no secret shows."""
    monkeypatch.setenv("ONCALL_WEBHOOK_URL", f"http://127.0.0.1:{free_port()}/x/{SECRETS[2]}")
    monkeypatch.setenv("ONCALL_SMTP_PASSWORD", SECRETS[0])
    outputs = [oncall("doctor", "--now", T, *extra) for extra in ((), ("--json",))]
    for out in outputs:
        assert out.exit_code == 1
        assert_no_secrets(out.stdout, out.stderr)
        assert os.environ["ONCALL_SLACK_WEBHOOK"] not in out.stdout


def test_loopback_listener_that_never_answers_is_bounded(
    oncall: Run, doctor_setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A port that accepts but never answers: the probe gives up at the channel timeout."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        port = listener.getsockname()[1]
        monkeypatch.setenv("ONCALL_WEBHOOK_URL", f"http://127.0.0.1:{port}/hook/x")
        result, data = doctor(oncall)  # a probe without its timeout would hang: pytest-timeout
    hook = by_name(data)["channel hook"]
    assert hook["status"] == "fail" and "no answer within 0.5s" in hook["detail"]
    assert result.exit_code == 1


def test_an_untrusted_certificate_fails_the_tls_handshake(
    oncall: Run, doctor_setup: Setup, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real TLS server on 127.0.0.1 with a self-signed certificate: the handshake fails
    (the pagers would refuse it too), and nothing reaches the server's application."""
    import shutil
    import ssl
    import subprocess

    from pytest_httpserver import HTTPServer

    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is needed to make a self-signed certificate")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server = HTTPServer(host="127.0.0.1", port=0, ssl_context=context)
    server.expect_request("/").respond_with_data("ok")
    server.start()
    try:
        monkeypatch.setenv("ONCALL_WEBHOOK_URL", server.url_for("/hook/tlsSECRET0123456789"))
        result, data = doctor(oncall)
        served = len(server.log)
    finally:
        server.clear()
        server.stop()
    hook = by_name(data)["channel hook"]
    assert result.exit_code == 1
    assert hook["status"] == "fail" and "TLS certificate rejected" in hook["detail"]
    assert "certificate" in hook["fix"]
    assert served == 0
    assert "tlsSECRET" not in result.stdout
