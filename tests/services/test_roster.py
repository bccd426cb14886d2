"""The roster service on the shipped team: availability, responder, who, owners."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from oncall.config import Config, load_config
from oncall.domain.people import DaysOffTable
from oncall.errors import NotFoundError
from oncall.services.roster import (
    build_availability,
    compute_owners,
    compute_responder,
    compute_who,
    resolve_person,
    resolve_pipeline,
)


@pytest.fixture
def cfg(config_dir: Path) -> Config:
    return load_config(config_dir)


@pytest.fixture
def availability(cfg: Config) -> DaysOffTable:
    return build_availability(cfg)


def test_availability_knows_public_holidays_and_leave(
    cfg: Config, availability: DaysOffTable
) -> None:
    [christmas] = availability.days_off("de3", date(2026, 12, 25))
    assert (christmas.name, christmas.kind) == ("Christmas", "holiday")
    assert [d.kind for d in availability.days_off("de2", date(2026, 12, 15))] == ["leave"]
    assert availability.days_off("de2", date(2026, 12, 18)) == ()


def test_everyone_off_keeps_the_oncall_responsible(cfg: Config, availability: DaysOffTable) -> None:
    at = datetime(2026, 12, 25, 10, tzinfo=cfg.team_tz)
    shift, responder, chain = compute_responder(cfg, availability, "aggregate-profit", at)
    assert shift is not None and shift.person == "de3"
    assert responder is not None
    assert (responder.person, responder.reason) == ("de3", "nobody-available")
    assert chain == ["de3", "m1"]  # the owners are off too; the manager is always last


def test_before_the_rotation_starts_the_owners_then_the_manager_are_paged(
    cfg: Config, availability: DaysOffTable
) -> None:
    at = datetime(2020, 1, 1, tzinfo=cfg.team_tz)
    shift, responder, chain = compute_responder(cfg, availability, "aggregate-profit", at)
    assert shift is None and responder is None
    assert chain == ["de2", "de4", "m1"]


def test_who_reports_the_pipeline_with_local_times(cfg: Config, availability: DaysOffTable) -> None:
    at = datetime(2026, 12, 25, 10, tzinfo=cfg.team_tz)
    report = compute_who(cfg, availability, at, pipeline="aggregate-profit")
    [entry] = report.oncall
    assert entry.person == "de3" and not entry.available
    assert [d.name for d in entry.unavailable] == ["Christmas"]
    assert entry.shift_start.utcoffset() == entry.shift_start_local.utcoffset()
    assert report.pipeline is not None
    assert report.pipeline.escalation == ["de3", "m1"]
    assert report.model_dump(mode="json")["at"] == "2026-12-25T10:00:00+05:30"


def test_unknown_names_suggest_the_closest(cfg: Config) -> None:
    with pytest.raises(
        NotFoundError,
        match=r"unknown pipeline 'aggregate-profi' \(did you mean 'aggregate-profit'\?\)",
    ):
        resolve_pipeline(cfg, "aggregate-profi")
    with pytest.raises(NotFoundError, match=r"unknown person 'de9'.*known: de1, de2, de3, de4, m1"):
        resolve_person(cfg, "de9")


def test_owners_of_one_pipeline(cfg: Config) -> None:
    report = compute_owners(cfg, "aggregate-profit")
    [row] = report.pipelines
    assert (row.id, row.primary, row.secondary, row.rotation) == (
        "aggregate-profit",
        "de2",
        "de4",
        "primary",
    )
    assert len(compute_owners(cfg).pipelines) == len(cfg.owners.pipelines)
