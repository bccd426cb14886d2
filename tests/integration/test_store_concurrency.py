"""Real processes (spawn) sharing one SQLite file: races are settled by the database."""

from __future__ import annotations

import multiprocessing
import traceback
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from oncall.adapters.store import SCHEMA_VERSION, PageRecord, Store, open_store

NOW = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
WORKERS = 4
KEYS = [f"pipeline-{n}:freshness" for n in range(50)]
LEVELS = 3  # responder + two escalation levels
ROUNDS = 2  # passes through the whole chain
FRESH_FILES = 40  # fresh files whose first open the workers race on
MAX_LOOPS = 10_000  # keeps every worker loop bounded even if the store misbehaves


def page_record(dedup_key: str, page_id: str, **overrides: Any) -> PageRecord:
    fields: dict[str, Any] = {
        "page_id": page_id,
        "dedup_key": dedup_key,
        "target": dedup_key.split(":")[0],
        "urgency": "high",
        "severity": "critical",
        "summary": f"{dedup_key} is stale",
        "responder": "de1",
        "escalation": ("de1", "de2", "lead1"),
        "created": NOW,
    }
    fields.update(overrides)
    return PageRecord(**fields)


# --------------------------------------------------------------------------- worker bodies
# Module-level so that spawned children can import them.


def _create_pages(store: Store, worker: int) -> list[tuple[str, str, bool]]:
    out = []
    for key in KEYS:
        page, created = store.create_page_if_absent(page_record(key, f"p-w{worker}-{key}"))
        out.append((key, page.page_id, created))
    return out


def _escalate(store: Store, worker: int) -> list[tuple[str, int, int]]:
    """The paging engine's loop: advance every due page one level; report the CAS wins."""
    wins: list[tuple[str, int, int]] = []
    for _ in range(MAX_LOOPS):
        due = store.due_escalations(NOW)
        if not due:
            return wins
        for page in due:
            level, round_ = page.level, page.round
            new_level, new_round = (level + 1, round_) if level + 1 < LEVELS else (0, round_ + 1)
            won = store.advance_escalation(
                page.page_id,
                expected_level=level,
                expected_round=round_,
                new_level=new_level,
                new_round=new_round,
                next_at=NOW if new_round < ROUNDS else None,
                now=NOW,
            )
            if won:
                wins.append((page.page_id, level, round_))
    raise AssertionError(f"worker {worker}: escalation loop did not finish")


def _claim(store: Store, worker: int) -> list[int]:
    claimed: list[int] = []
    for _ in range(MAX_LOOPS):
        items = store.claim_outbox(f"w{worker}", NOW, timedelta(hours=1), limit=3)
        if not items:
            return claimed
        claimed.extend(i.id for i in items)
    raise AssertionError(f"worker {worker}: claim loop did not finish")


def _first_opens(db: Path, worker: int, barrier: Any) -> dict[str, list[str]]:
    """Race the other workers to open each of several fresh files, then write to it."""
    run_ids: dict[str, list[str]] = {}
    for n in range(FRESH_FILES):
        path = db.parent / f"fresh-{n}" / db.name
        barrier.wait(timeout=30)
        with open_store(path) as store:
            run_ids[str(path)] = [
                store.start_run(
                    runbook="backfill", pipeline="orders", operator=f"de{worker}", started=NOW
                ).run_id
                for _ in range(3)
            ]
    return run_ids


TASKS: dict[str, Callable[[Store, int], Any]] = {
    "create_pages": _create_pages,
    "escalate": _escalate,
    "claim": _claim,
}


def _worker(task: str, db: str, worker: int, barrier: Any, results: Any) -> None:
    try:
        if task == "first_opens":
            results.put((worker, "ok", _first_opens(Path(db), worker, barrier)))
            return
        barrier.wait(timeout=30)  # start at the same moment as the others
        with open_store(Path(db)) as store:
            results.put((worker, "ok", TASKS[task](store, worker)))
    except BaseException:
        results.put((worker, "error", traceback.format_exc()))


def run_workers(task: str, db: Path, n: int = WORKERS) -> dict[int, Any]:
    """Run ``task`` in ``n`` spawned processes at once; their results by worker number."""
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(n)
    results = ctx.Queue()
    procs = [
        ctx.Process(target=_worker, args=(task, str(db), w, barrier, results)) for w in range(n)
    ]
    for proc in procs:
        proc.start()
    try:
        outcomes = [results.get(timeout=50) for _ in procs]
    finally:
        for proc in procs:
            proc.join(timeout=10)
            if proc.is_alive():  # pragma: no cover - only when a worker hangs
                proc.kill()
                proc.join()
    errors = [detail for _, status, detail in outcomes if status == "error"]
    assert errors == []
    assert [p.exitcode for p in procs] == [0] * n
    return {worker: value for worker, _, value in outcomes}


# --------------------------------------------------------------------------- tests


@pytest.mark.timeout(60)
def test_concurrent_first_opens_create_the_schema_once(tmp_path: Path) -> None:
    results = run_workers("first_opens", tmp_path / "oncall.db")
    for n in range(FRESH_FILES):
        path = tmp_path / f"fresh-{n}" / "oncall.db"
        run_ids = [run_id for by_path in results.values() for run_id in by_path[str(path)]]
        assert len(run_ids) == WORKERS * 3
        with open_store(path) as store:
            assert store.schema_version() == SCHEMA_VERSION
            stored = {r.run_id for r in store.list_runs("backfill", limit=1000)}
        assert stored == set(run_ids)


@pytest.mark.timeout(60)
def test_racing_processes_create_exactly_one_page_per_dedup_key(tmp_path: Path) -> None:
    db = tmp_path / "oncall.db"
    open_store(db).close()
    results = run_workers("create_pages", db)

    creators = Counter(
        key for outcome in results.values() for key, _, created in outcome if created
    )
    assert creators == Counter({key: 1 for key in KEYS})
    for key in KEYS:
        seen = {page_id for outcome in results.values() for k, page_id, _ in outcome if k == key}
        assert len(seen) == 1, f"workers disagree on the page for {key}: {seen}"
    with open_store(db) as store:
        pages = store.list_pages(limit=1000)
    assert sorted(p.dedup_key for p in pages) == sorted(KEYS)
    winners = {
        page_id for outcome in results.values() for _, page_id, created in outcome if created
    }
    assert {p.page_id for p in pages} == winners


@pytest.mark.timeout(60)
def test_each_escalation_step_is_won_by_exactly_one_process(tmp_path: Path) -> None:
    db = tmp_path / "oncall.db"
    with open_store(db) as store:
        page_ids = [
            store.create_page_if_absent(page_record(key, f"p-{n}", next_escalation_at=NOW))[
                0
            ].page_id
            for n, key in enumerate(KEYS[:20])
        ]
    results = run_workers("escalate", db)

    wins = Counter(win for outcome in results.values() for win in outcome)
    expected = {
        (page_id, level, round_)
        for page_id in page_ids
        for round_ in range(ROUNDS)
        for level in range(LEVELS)
    }
    assert set(wins) == expected
    assert max(wins.values()) == 1
    with open_store(db) as store:
        assert store.due_escalations(NOW + timedelta(days=1)) == []
        final = [store.get_page(page_id) for page_id in page_ids]
    assert all(p is not None and (p.level, p.round) == (0, ROUNDS) for p in final)


@pytest.mark.timeout(60)
def test_every_outbox_item_is_claimed_by_exactly_one_process(tmp_path: Path) -> None:
    db = tmp_path / "oncall.db"
    with open_store(db) as store:
        page, _ = store.create_page_if_absent(page_record("orders:freshness", "p-1"))
        item_ids = {
            store.enqueue(page.page_id, n % LEVELS, ["slack"], NOW - timedelta(seconds=n), NOW).id
            for n in range(200)
        }
        later = store.enqueue(page.page_id, 0, ["email"], NOW + timedelta(hours=1), NOW).id
    results = run_workers("claim", db)

    claims = Counter(item for outcome in results.values() for item in outcome)
    assert set(claims) == item_ids
    assert max(claims.values()) == 1
    with open_store(db) as store:
        owners = {i.id: i.claimed_by for i in store.outbox_items()}
    for worker, claimed in results.items():
        assert all(owners[item] == f"w{worker}" for item in claimed)
    assert owners[later] is None
