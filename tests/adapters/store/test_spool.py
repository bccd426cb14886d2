"""The spool's appends are atomic: processes appending at once never interleave a line."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

from oncall.adapters.store import new_page_id
from oncall.adapters.store.spool import Spool
from tests.adapters.store.sample import make_page

WRITERS = 6
PAGES_EACH = 25


def _append_many(path: str, writer: int) -> None:
    spool = Spool(Path(path))
    for n in range(PAGES_EACH):
        # ~20 kB a line: well past any stdio buffer, so a torn write would show.
        page = make_page(f"w{writer}:{n}", page_id=new_page_id(), details={"x": "y" * 20_000})
        spool.append(page, [])


def test_concurrent_appends_keep_every_line_whole(tmp_path: Path) -> None:
    path = tmp_path / "spool.jsonl"
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_append_many, args=(str(path), w)) for w in range(WRITERS)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
        assert worker.exitcode == 0
    lines = path.read_text().splitlines()
    keys = sorted(json.loads(line)["page"]["dedup_key"] for line in lines)
    assert keys == sorted(f"w{w}:{n}" for w in range(WRITERS) for n in range(PAGES_EACH))
    assert path.stat().st_mode & 0o777 == 0o600
