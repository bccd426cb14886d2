"""Ctrl-C during checks ends the process at once, not after the queries in flight."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.monitoring_server import MonitoringServer
from tests.support.processes import interruptible_children


@pytest.mark.timeout(90)
def test_ctrl_c_does_not_wait_for_a_slow_monitoring_query(config_dir: Path) -> None:
    with MonitoringServer(latency=60.0) as server:
        (config_dir / "state.yaml").write_text(
            "sources:\n  default:\n    kind: cloud-monitoring\n    project: demo-project\n"
            f'    endpoint: "{server.address}"\n    insecure: true\n    timeout: 50s\n'
            "  warehouse: {kind: sql, path: ../state/warehouse.db}\n"  # the SQL checks' source
        )
        env = {**os.environ, "ONCALL_CONFIG_DIR": str(config_dir)}
        with interruptible_children():
            proc = subprocess.Popen(
                [sys.executable, "-m", "oncall", "check", "aggregate-profit"],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
        try:
            for _ in range(300):  # bounded: each wait returns when the first query arrives
                if server.wait_for_requests(timeout=0.1) or proc.poll() is not None:
                    break
            if not server.requests:
                code = proc.poll()
                _, err = proc.communicate() if code is not None else (b"", b"")
                raise AssertionError(f"the check never queried the server (exit {code}): {err!r}")
            proc.send_signal(signal.SIGINT)
            # The queries would answer after 60 s; the process must not wait for them.
            _, stderr = proc.communicate(timeout=20)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        assert proc.returncode == 130, stderr.decode()
        assert b"Traceback" not in stderr
