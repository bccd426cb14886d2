"""A local PagerDuty REST API (schedules, overrides, users) and Slack Web API, on 127.0.0.1.

Every PagerDuty request body is validated against PagerDuty's official REST OpenAPI document
(shared/reference/pagerduty-rest.openapi.json); a body that does not match is answered 400
and kept in ``invalid`` (the fixture fails the test on any). The document marks a user
reference's ``id`` and ``type`` read-only although its own request example sends them, so
bodies are validated as plain OpenAPI 3.0, not as writes.
"""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from tests.support.pagerduty import SCHEMA_PATH

REST_SCHEMA_PATH = SCHEMA_PATH.parent / "pagerduty-rest.openapi.json"
OVERRIDES_POST = (
    "/paths/~1schedules~1{id}~1overrides/post/requestBody/content/application~1json/schema"
)
ACCEPT = "application/vnd.pagerduty+json;version=2"


def rest_validator(pointer: str = OVERRIDES_POST) -> Any:
    if not REST_SCHEMA_PATH.is_file():
        pytest.skip(f"PagerDuty REST OpenAPI schema not found at {REST_SCHEMA_PATH}")
    from openapi_schema_validator import OAS30Validator, oas30_format_checker
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT4

    doc = json.loads(REST_SCHEMA_PATH.read_text())
    resource = Resource.from_contents(doc, default_specification=DRAFT4)
    registry: Registry[Any] = Registry().with_resource("urn:pagerduty-rest", resource)
    return OAS30Validator(
        {"$ref": f"urn:pagerduty-rest#{pointer}"},
        registry=registry,
        format_checker=oas30_format_checker,
    )


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@dataclass
class FakePagerDuty:
    """State of one PagerDuty account; ``requests`` logs (method, path, body)."""

    token: str
    users: list[dict[str, str]] = field(default_factory=list)
    overrides: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[tuple[str, str, Any, str]] = field(default_factory=list)
    invalid: list[tuple[Any, list[str]]] = field(default_factory=list)
    page_size: int = 2
    reject_users: set[str] = field(default_factory=set)
    """Overrides for these user ids are refused item by item (status 400)."""
    fail_next: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    """Answers (status, headers) given to the next requests before the real one."""
    schedules: set[str] = field(default_factory=lambda: {"PABC123"})
    _ids: Any = field(default_factory=lambda: itertools.count(1))

    def __post_init__(self) -> None:
        self.validator = rest_validator()

    @property
    def writes(self) -> list[tuple[str, str, Any, str]]:
        return [r for r in self.requests if r[0] in ("POST", "DELETE", "PUT")]

    def add_override(self, start: str, end: str, user: str) -> str:
        oid = f"QHAND{next(self._ids):03d}"
        self.overrides[oid] = {"id": oid, "start": start, "end": end, "user": {"id": user}}
        return oid

    def handle(self, request: Request) -> Response:
        body = json.loads(request.data) if request.data else None
        self.requests.append((request.method, request.path, body, request.query_string.decode()))
        if request.headers.get("Authorization") != f"Token token={self.token}":
            return _json({"error": {"message": "Unauthorized", "code": 2006}}, 401)
        if request.headers.get("Accept") != ACCEPT:
            return _json({"error": {"message": "bad Accept"}}, 400)
        if self.fail_next:
            status, headers = self.fail_next.pop(0)
            return _json({"error": {"message": "try later"}}, status, headers)
        m = re.fullmatch(r"/schedules/(\w+)(/overrides(?:/(\w+))?)?", request.path)
        if request.path == "/users" and request.method == "GET":
            return self._users(request)
        if m is None or m.group(1) not in self.schedules:
            return _json({"error": {"message": "Not Found"}}, 404)
        if m.group(2) is None:
            return _json({"schedule": {"id": m.group(1), "name": "Data on-call"}}, 200)
        if m.group(3) is not None and request.method == "DELETE":
            return Response(status=204) if self.overrides.pop(m.group(3), None) else _json({}, 404)
        if request.method == "GET":
            since, until = _when(request.args["since"]), _when(request.args["until"])
            found = [
                o
                for o in self.overrides.values()
                if _when(o["start"]) < until and _when(o["end"]) > since
            ]
            return _json({"overrides": found}, 200)
        errors = sorted(e.message for e in self.validator.iter_errors(body))
        if errors or not body.get("overrides"):
            self.invalid.append((body, errors or ["no overrides"]))
            return _json({"error": {"message": "Invalid Input Provided", "errors": errors}}, 400)
        out = []
        for item in body["overrides"]:
            assert item["user"]["type"] == "user_reference"
            if item["user"]["id"] in self.reject_users:
                out.append({"status": 400, "errors": ["User cannot be added"], "override": item})
                continue
            oid = f"QPUB{next(self._ids):04d}"
            stored = {
                "id": oid,
                "start": item["start"],
                "end": item["end"],
                "user": {"id": item["user"]["id"], "type": "user_reference"},
            }
            self.overrides[oid] = stored
            out.append({"status": 201, "override": stored})
        return _json(out, 201)

    def _users(self, request: Request) -> Response:
        query = request.args.get("query", "").lower()
        offset = int(request.args.get("offset", 0))
        limit = min(int(request.args.get("limit", 25)), self.page_size)
        found = [u for u in self.users if query in u["email"].lower() or query in u["name"].lower()]
        page = found[offset : offset + limit]
        return _json(
            {
                "users": page,
                "offset": offset,
                "limit": limit,
                "more": offset + limit < len(found),
                "total": None,
            },
            200,
        )


def _json(data: Any, status: int, headers: dict[str, str] | None = None) -> Response:
    return Response(
        json.dumps(data), status=status, headers=headers or {}, content_type="application/json"
    )


def serve_pagerduty(httpserver: HTTPServer, fake: FakePagerDuty) -> str:
    httpserver.expect_request(re.compile(".*")).respond_with_handler(fake.handle)
    return httpserver.url_for("").rstrip("/")


@dataclass
class FakeSlack:
    """A Slack workspace: user groups and posted messages; ``calls`` logs (method, args)."""

    token: str
    groups: dict[str, list[str]] = field(default_factory=dict)
    messages: list[tuple[str, str]] = field(default_factory=list)
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    fail_next: list[tuple[int, dict[str, str]]] = field(default_factory=list)

    def handle(self, request: Request) -> Response:
        method = request.path.strip("/").split("/")[-1]
        args: dict[str, Any] = dict(request.form)
        if request.data and request.mimetype == "application/json":
            args.update(json.loads(request.data))
        self.calls.append((method, args))
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return _json({"ok": False, "error": "invalid_auth"}, 200)
        if self.fail_next:
            status, headers = self.fail_next.pop(0)
            return _json({"ok": False, "error": "ratelimited"}, status, headers)
        if method == "auth.test":
            return _json({"ok": True, "user_id": "UBOT"}, 200)
        if method == "usergroups.users.list":
            if args["usergroup"] not in self.groups:
                return _json({"ok": False, "error": "no_such_subteam"}, 200)
            return _json({"ok": True, "users": self.groups[args["usergroup"]]}, 200)
        if method == "usergroups.users.update":
            self.groups[args["usergroup"]] = str(args["users"]).split(",")
            return _json({"ok": True, "usergroup": {"id": args["usergroup"]}}, 200)
        if method == "chat.postMessage":
            self.messages.append((args["channel"], args["text"]))
            return _json({"ok": True, "ts": f"{len(self.messages)}.0001"}, 200)
        return _json({"ok": False, "error": "unknown_method"}, 200)

    def methods(self) -> list[str]:
        return [m for m, _ in self.calls]


def serve_slack(httpserver: HTTPServer, fake: FakeSlack) -> str:
    httpserver.expect_request(re.compile(".*")).respond_with_handler(fake.handle)
    return httpserver.url_for("/api").rstrip("/")
