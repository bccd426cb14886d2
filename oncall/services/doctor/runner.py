"""How the doctor runs its probes: each in a daemon thread, all at once, each bounded in time."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from oncall.errors import OncallError
from oncall.reports.doctor import DoctorCheck

__all__ = ["OVERALL_MARGIN", "Probe", "fail", "ok", "run_all", "skip", "warn"]

OVERALL_MARGIN = 10.0
"""How much longer than its slowest bound the whole doctor waits for a probe."""


def ok(name: str, detail: str) -> DoctorCheck:
    return DoctorCheck(name=name, status="ok", detail=detail)


def warn(name: str, detail: str, fix: str) -> DoctorCheck:
    return DoctorCheck(name=name, status="warn", detail=detail, fix=fix)


def fail(name: str, detail: str, fix: str) -> DoctorCheck:
    return DoctorCheck(name=name, status="fail", detail=detail, fix=fix)


def skip(name: str, detail: str, fix: str | None = None) -> DoctorCheck:
    return DoctorCheck(name=name, status="skip", detail=detail, fix=fix)


@dataclass(frozen=True)
class Probe:
    name: str
    run: Callable[[], DoctorCheck]
    bound: float
    """Seconds the probe may take; the runner gives up on it a margin after that."""
    then: tuple[Probe, ...] = ()
    """Probes run after this one in the same thread (the ``holidays`` package's warning
    filters are process-global, so calendar work is never run concurrently)."""


def run_all(probes: Sequence[Probe], *, margin: float = OVERALL_MARGIN) -> list[DoctorCheck]:
    """Each probe (and what it chains) in a daemon thread of its own, all at once; a probe
    with no verdict ``margin`` seconds after the slowest bound is reported as failed.

    Daemon threads, not an executor: an executor's threads are joined when the process
    exits, so one stuck probe (DNS resolution is not bounded by socket timeouts) would
    hold the command open. Here the command ends on time and reports the probe as failed.
    """
    results: list[list[DoctorCheck] | None] = [None] * len(probes)

    def work(index: int, probe: Probe) -> None:
        results[index] = _chain(probe)

    threads = [
        threading.Thread(target=work, args=(i, p), name=f"doctor-{i}", daemon=True)
        for i, p in enumerate(probes)
    ]
    for thread in threads:
        thread.start()
    limit = max((p.bound for p in probes), default=0.0) + margin
    deadline = time.monotonic() + limit
    for thread in threads:
        thread.join(max(deadline - time.monotonic(), 0.0))
    out: list[DoctorCheck] = []
    for probe, found in zip(probes, results, strict=True):
        if found is not None:
            out.extend(found)
        else:
            out.append(
                fail(
                    probe.name,
                    f"no verdict within {limit:g}s",
                    "something on the way hangs past every timeout (often DNS): check name "
                    "resolution and the network from this machine",
                )
            )
    return out


def _chain(probe: Probe) -> list[DoctorCheck]:
    return [_guarded(p) for p in (probe, *probe.then)]


def _guarded(probe: Probe) -> DoctorCheck:
    """A probe's verdict; a bug in a probe becomes a failed check, not a crash."""
    try:
        return probe.run()
    except OncallError as exc:
        return fail(probe.name, str(exc), "fix the problem above, then run `oncall doctor` again")
    except Exception as exc:
        return fail(
            probe.name,
            f"unexpected error: {type(exc).__name__}: {exc}",
            "this is a bug in oncall doctor: please report it with this message",
        )
