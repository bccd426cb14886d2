"""Runbook file models: the shipped runbooks load, and bad files say what to fix."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from oncall.domain.checks import CHECK_KINDS, FreshnessCheck
from oncall.domain.runbook import Runbook, all_checks, find_step

RUNBOOKS = Path(__file__).resolve().parents[2] / "runbooks"
SHIPPED = {
    "profit": "aggregate-profit",
    "growth": "aggregate-growth",
    "engagement": "aggregate-engagement",
}


def load(name: str) -> Runbook:
    return Runbook.model_validate(yaml.safe_load((RUNBOOKS / f"{name}.yaml").read_text()))


def minimal(**top: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "title": "Profit pipeline",
        "pipeline": "aggregate-profit",
        "steps": [
            {
                "id": "ingestion",
                "title": "Ingestion complete",
                "checks": [
                    {
                        "id": "ingest-fresh",
                        "kind": "freshness",
                        "metric": "pipeline/ingest_completed",
                        "fail_after": "27h",
                    }
                ],
            },
            {"id": "notify", "title": "Notify", "notify": "owners"},
        ],
    }
    doc.update(top)
    return doc


def errors(doc: dict[str, Any]) -> list[tuple[tuple[int | str, ...], str]]:
    with pytest.raises(ValidationError) as info:
        Runbook.model_validate(doc)
    return [(tuple(e["loc"]), e["msg"]) for e in info.value.errors()]


@pytest.mark.parametrize(("name", "pipeline"), sorted(SHIPPED.items()))
def test_shipped_runbook_loads(name: str, pipeline: str) -> None:
    book = load(name)
    assert book.pipeline == pipeline
    assert book.source == "default"
    assert any(step.confirm for step in book.steps), "each runbook has a manual step"
    assert book.steps[-1].notify == "owners"
    assert all(step.help.strip() for step in book.steps if step.checks or step.confirm)


def test_shipped_runbooks_cover_every_check_kind() -> None:
    kinds = {check.kind for name in SHIPPED for _, check in all_checks(load(name))}
    assert kinds == set(CHECK_KINDS)


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_shipped_runbook_round_trips_through_json(name: str) -> None:
    book = load(name)
    assert Runbook.model_validate(book.model_dump(mode="json")) == book


def test_defaults() -> None:
    book = Runbook.model_validate(minimal())
    step = book.steps[1]
    assert (book.source, step.help, step.confirm, step.checks) == ("default", "", False, [])
    assert book.steps[0].notify is None
    check = book.steps[0].checks[0]
    assert isinstance(check, FreshnessCheck) and check.warn_after is None


def test_all_checks_and_find_step_follow_file_order() -> None:
    book = load("profit")
    pairs = all_checks(book)
    assert [check.id for _, check in pairs] == [c.id for s in book.steps for c in s.checks]
    assert all(check in step.checks for step, check in pairs)
    assert find_step(book, "aggregate") is book.steps[2]
    assert find_step(book, "nope") is None


def test_duplicate_step_id() -> None:
    doc = minimal()
    doc["steps"][1]["id"] = "ingestion"
    ((loc, msg),) = errors(doc)
    assert loc == ("steps",)
    assert "step id 'ingestion' is used by steps 1 and 2" in msg


def test_duplicate_check_id_across_steps() -> None:
    doc = minimal()
    doc["steps"][1]["checks"] = [
        {
            "id": "ingest-fresh",
            "kind": "sla",
            "metric": "pipeline/run_completed",
            "deadline": "06:00",
        }
    ]
    ((_, msg),) = errors(doc)
    assert "check id 'ingest-fresh' is used twice" in msg and "unique in a runbook" in msg


def test_error_locations_point_into_the_check() -> None:
    doc = minimal()
    doc["steps"][0]["checks"][0]["fail_after"] = "27 hours"
    ((loc, msg),) = errors(doc)
    assert loc == ("steps", 0, "checks", 0, "freshness", "fail_after")
    assert "like 90m, 26h or 7d" in msg


@pytest.mark.parametrize(
    ("change", "where", "message"),
    [
        ({"colour": "red"}, ("colour",), "Extra inputs are not permitted"),
        ({"steps": []}, ("steps",), "at least 1 item"),
        ({"title": " "}, ("title",), "must not be empty"),
        ({"pipeline": "Aggregate Profit"}, ("pipeline",), "lowercase letters"),
    ],
)
def test_bad_top_level(change: dict[str, Any], where: tuple[str, ...], message: str) -> None:
    found = errors(minimal(**change))
    assert any(loc == where and message in msg for loc, msg in found), found


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"notify": "everyone"}, "'owners'"),
        ({"confirm": "maybe"}, "valid boolean"),
        ({"checks": [{"id": "x", "metric": "m"}]}, "set kind to one of"),
        ({"runbook": "x"}, "Extra inputs are not permitted"),
    ],
)
def test_bad_step(change: dict[str, Any], message: str) -> None:
    doc = minimal()
    doc["steps"][1].update(change)
    found = errors(doc)
    assert all(loc[:2] == ("steps", 1) for loc, _ in found)
    assert any(message in msg for _, msg in found), found
