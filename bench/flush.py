"""The ``page flush`` scenario of issue 14: a store with queued pages, a loopback receiver.

``queue_pages`` pages ``count`` pipelines of the generated org through the paging service
with a channel that is down, so each page waits in the outbox (a template store, copied
before every timed run). ``receiver`` is a keep-alive HTTP server on 127.0.0.1 that
answers every POST at once (TCP_NODELAY, so no answer waits 40 ms for a delayed ACK),
recording each body and the connection it came on (the pager tests use it too).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from bench.org import NOW

__all__ = ["Receiver", "queue_pages", "receiver"]


class _Down:
    """A pager whose provider is down: every page stays in the outbox."""

    def __init__(self, channel: str) -> None:
        self.channel = channel

    def send(self, content: object, target: object, action: str = "trigger") -> object:
        from oncall.domain.paging.routing import DeliveryResult

        return DeliveryResult(self.channel, "", "failed", 1, "down (bench)")


def queue_pages(config_dir: Path, db: Path, count: int) -> datetime:
    """``count`` pages of the org's pipelines waiting in the outbox of the store at ``db``;
    returns an instant when every one of them is due."""
    from oncall.adapters.store import StoreLocation
    from oncall.config import load_config
    from oncall.config.paging import load_paging_config
    from oncall.services.paging.common import Paging
    from oncall.services.paging.send import send_page
    from oncall.services.store import open_team_store

    cfg = load_config(config_dir)
    config, marks = load_paging_config(cfg)
    paging = Paging(cfg, config, marks, {name: _Down(name) for name in config.channels})  # type: ignore[misc]
    pipelines = sorted(cfg.owners.pipelines)
    now = datetime.fromisoformat(NOW)
    with open_team_store(cfg, location=StoreLocation("state_db", path=db)) as store:
        for i in range(count):
            pipeline = pipelines[i % len(pipelines)]
            send_page(paging, target=pipeline, summary=f"bench {i}", now=now, store=store)
        items = store.outbox_items()
    if len(items) != count:
        raise RuntimeError(f"bench: {len(items)} items queued, not {count}")
    return max(item.not_before for item in items) + timedelta(minutes=1)


class Receiver(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.lock = threading.Lock()
        self.posts = 0
        self.connections: list[tuple[str, int]] = []
        self.bodies: list[dict[str, object]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hook"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    """The status line and headers go out in one write and the body in another: with Nagle's
    algorithm on, the body would wait for the client's delayed ACK of the headers (40 ms on
    Linux), so the server would not answer at once."""
    server: Receiver

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
        with self.server.lock:
            self.server.posts += 1
            self.server.connections.append(self.client_address)
            self.server.bodies.append(body)
        self.send_response(202)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
