"""The doctor's runner: probes run at once, each bounded; a hang or a bug is a failed check."""

from __future__ import annotations

import threading

from oncall.errors import StoreError
from oncall.reports.doctor import DoctorCheck
from oncall.services.doctor.runner import Probe, ok, run_all


def test_a_probe_that_hangs_is_failed_on_time() -> None:
    """The runner gives up on it: waiting for it would have given its late "ok" instead."""
    release = threading.Event()

    def hangs() -> DoctorCheck:
        release.wait(10)
        return ok("slow", "late")

    probes = [Probe("slow", hangs, 0.1), Probe("quick", lambda: ok("quick", "fine"), 0.1)]
    try:
        slow, fast = run_all(probes, margin=0.2)
    finally:
        release.set()
    assert (slow.name, slow.status) == ("slow", "fail")
    assert slow.detail == "no verdict within 0.3s" and slow.fix and "DNS" in slow.fix
    assert (fast.name, fast.status, fast.detail) == ("quick", "ok", "fine")


def test_errors_in_a_probe_become_failed_checks() -> None:
    def refuses() -> DoctorCheck:
        raise StoreError("the store is read-only")

    def crashes() -> DoctorCheck:
        raise KeyError("oops")

    known, bug = run_all([Probe("store", refuses, 1.0), Probe("x", crashes, 1.0)])
    assert (known.status, known.detail) == ("fail", "the store is read-only")
    assert known.fix == "fix the problem above, then run `oncall doctor` again"
    assert (bug.status, bug.detail) == ("fail", "unexpected error: KeyError: 'oops'")
    assert bug.fix and "bug in oncall doctor" in bug.fix


def test_chained_probes_run_after_their_head_in_order() -> None:
    order: list[str] = []

    def step(name: str) -> Probe:
        def run() -> DoctorCheck:
            order.append(name)
            return ok(name, name)

        return Probe(name, run, 1.0)

    head = Probe("config", step("config").run, 1.0, then=(step("calendar A"), step("calendar B")))
    checks = run_all([head])
    assert [c.name for c in checks] == ["config", "calendar A", "calendar B"]
    assert order == ["config", "calendar A", "calendar B"]
