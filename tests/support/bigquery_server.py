"""A local BigQuery REST server on 127.0.0.1 for the real ``google-cloud-bigquery`` client.

It implements the calls a ``bigquery`` state source makes: ``jobs.insert`` with ``dryRun``
(``POST /bigquery/v2/projects/P/jobs``), ``jobs.query`` (``POST .../queries``) and
``jobs.getQueryResults`` (``GET .../queries/JOB?pageToken=``), paging ``page_size`` rows at a
time. Every request is recorded; ``fail_with`` makes the next calls answer an error, and
``block`` makes them wait (until ``release``) so that client timeouts can be tested.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

__all__ = ["BigQueryServer", "Recorded"]


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    body: dict[str, Any]


@dataclass
class BigQueryServer:
    """Answers queries with ``rows``: (time, value, labels...) tuples under ``columns``."""

    columns: list[tuple[str, str]] = field(
        default_factory=lambda: [("time", "TIMESTAMP"), ("value", "FLOAT")]
    )
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    bytes_processed: int = 1000
    page_size: int = 2
    requests: list[Recorded] = field(default_factory=list)
    error: tuple[int, str, str] | None = None
    _gate: threading.Event = field(default_factory=threading.Event)
    _blocked: bool = False

    def fail_with(self, status: int, reason: str, message: str) -> None:
        self.error = (status, reason, message)

    def block(self) -> None:
        self._blocked = True
        self._gate.clear()

    def release(self) -> None:
        self._blocked = False
        self._gate.set()

    def calls(self, kind: str) -> list[Recorded]:
        """Recorded ``dry-run``, ``query`` or ``results`` calls."""
        out = []
        for r in self.requests:
            if r.method == "POST" and r.path.endswith("/jobs"):
                name = "dry-run" if r.body.get("configuration", {}).get("dryRun") else "insert"
            elif r.method == "POST" and r.path.endswith("/queries"):
                name = "query"
            elif r.method == "GET" and "/queries/" in r.path:
                name = "results"
            elif r.method == "GET" and "/jobs/" in r.path:
                name = "job"
            else:
                name = "other"
            if name == kind:
                out.append(r)
        return out

    # -- answers ---------------------------------------------------------------------------

    def _cell(self, kind: str, value: Any, micros: bool) -> str | None:
        if value is None:
            return None
        if kind == "TIMESTAMP" and isinstance(value, datetime):
            seconds = value.timestamp()
            return str(round(seconds * 1_000_000))  # the client asks for int64 micros
        return str(value)

    def _page(self, start: int, micros: bool) -> dict[str, Any]:
        chunk = self.rows[start : start + self.page_size]
        page: dict[str, Any] = {
            "kind": "bigquery#getQueryResultsResponse",
            "jobComplete": True,
            "jobReference": {"projectId": "p", "jobId": "job-1", "location": "asia-south1"},
            "schema": {
                "fields": [{"name": n, "type": t, "mode": "NULLABLE"} for n, t in self.columns]
            },
            "totalRows": str(len(self.rows)),
            "rows": [
                {
                    "f": [
                        {"v": self._cell(t, v, micros)}
                        for (_, t), v in zip(self.columns, row, strict=False)
                    ]
                }
                for row in chunk
            ],
        }
        if start + self.page_size < len(self.rows):
            page["pageToken"] = str(start + self.page_size)
        return page

    def answer(self, recorded: Recorded) -> tuple[int, dict[str, Any]]:
        if self._blocked:
            self._gate.wait(timeout=10)
        if self.error is not None:
            status, reason, message = self.error
            body = {"code": status, "message": message, "errors": [
                {"reason": reason, "message": message, "domain": "global"}
            ], "status": reason}  # fmt: skip
            return status, {"error": body}
        if recorded.method == "POST" and recorded.path.endswith("/jobs"):
            config = recorded.body.get("configuration", {})
            stats = {"totalBytesProcessed": str(self.bytes_processed)}
            return 200, {
                "kind": "bigquery#job",
                "jobReference": {"projectId": "p", "jobId": "dry", "location": "asia-south1"},
                "configuration": config,
                "status": {"state": "DONE"},
                "statistics": {**stats, "query": stats},
            }
        micros = recorded.body.get("formatOptions", {}).get("useInt64Timestamp", False) or any(
            v == ["true"] for k, v in recorded.query.items() if "useInt64Timestamp" in k
        )
        if recorded.method == "POST" and recorded.path.endswith("/queries"):
            return 200, self._page(0, bool(micros))
        if recorded.method == "GET" and re.search(r"/jobs/[^/]+$", recorded.path):
            return 200, {
                "kind": "bigquery#job",
                "jobReference": {"projectId": "p", "jobId": "job-1", "location": "asia-south1"},
                "configuration": {"query": {"query": "..."}},
                "status": {"state": "DONE"},
                "statistics": {"query": {"totalBytesProcessed": str(self.bytes_processed)}},
            }
        match = re.search(r"/queries/([^/]+)$", recorded.path)
        if recorded.method == "GET" and match:
            token = recorded.query.get("pageToken", ["0"])[0]
            return 200, self._page(int(token), bool(micros))
        return 404, {"error": {"code": 404, "message": f"no route {recorded.path}"}}


def serve(server: BigQueryServer) -> Iterator[str]:
    """Run ``server`` on 127.0.0.1; yield its ``http://127.0.0.1:PORT`` endpoint."""

    class Handler(BaseHTTPRequestHandler):
        def _handle(self, method: str) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            body = json.loads(raw) if raw else {}
            recorded = Recorded(method, parts.path, parse_qs(parts.query), body)
            server.requests.append(recorded)
            status, payload = server.answer(recorded)
            data = json.dumps(payload).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test)

        def do_GET(self) -> None:
            self._handle("GET")

        def do_POST(self) -> None:
            self._handle("POST")

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        server.release()
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)
