"""``oncall shifts``, ``oncall who PERSON``, who's "next", skipped escalation, relative dates."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Run

Edit = Callable[[str, str, str], None]
NOW = "2026-12-02T10:00"  # a Wednesday; de4 holds primary Nov 30 (after de3's override) to Dec 7


def _json(oncall: Run, *args: str, env: dict[str, str] | None = None) -> dict[str, object]:
    result = oncall(*args, "--json", env=env)
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert isinstance(data, dict)
    return data


def test_shifts_lists_upcoming_shifts_with_days_off(oncall: Run) -> None:
    data = _json(oncall, "shifts", "de3", "--now", NOW, "--weeks", "6")
    assert data["person"] == "de3"
    [shift] = data["shifts"]  # type: ignore[misc]
    assert set(shift) >= {"rotation", "start", "end", "reason", "days_off"}
    assert shift["rotation"] == "primary"
    assert shift["start"] == "2026-12-21T09:00:00+05:30"
    assert shift["end"] == "2026-12-28T09:00:00+05:30"
    assert shift["reason"] == "rotation"
    assert {"date": "2026-12-25", "name": "Christmas"} in shift["days_off"]
    assert data["next"] == {"start": "2026-12-21T09:00:00+05:30", "rotation": "primary"}


def test_shifts_default_is_twelve_weeks(oncall: Run) -> None:
    data = _json(oncall, "shifts", "de1", "--now", NOW)
    assert data["end"] == "2027-02-24T10:00:00+05:30"
    assert len(data["shifts"]) == 3  # type: ignore[arg-type]


def test_shifts_show_an_override_in_the_window(oncall: Run) -> None:
    data = _json(oncall, "shifts", "de3", "--now", "2026-11-30T10:00", "--weeks", "1")
    [shift] = data["shifts"]  # type: ignore[misc]
    assert shift["reason"] == "override"
    assert shift["start"] == "2026-11-30T09:00:00+05:30"
    assert "conference cover" in shift["detail"]
    assert data["next"] is None  # the override already started


def test_shifts_me_from_env_email(oncall: Run) -> None:
    data = _json(oncall, "shifts", "--me", "--now", NOW, env={"ONCALL_ME": "DE2@example.com"})
    assert data["person"] == "de2"


def test_shifts_me_unknown_is_explained(oncall: Run) -> None:
    result = oncall("shifts", "--me", "--now", NOW, env={"ONCALL_ME": "nobody@example.com"})
    assert result.exit_code != 0
    assert "no person's id or email" in result.stderr


def test_shifts_needs_person_or_me(oncall: Run) -> None:
    result = oncall("shifts")
    assert result.exit_code == 2
    assert "give a PERSON or --me" in result.stderr


def test_shifts_of_someone_in_no_rotation(oncall: Run) -> None:
    result = oncall("shifts", "m1", "--now", NOW)
    assert result.exit_code == 0
    assert "m1 is in no rotation" in result.stdout


def test_who_shows_who_is_next(oncall: Run) -> None:
    data = _json(oncall, "who", "--at", NOW)
    [entry] = data["oncall"]  # type: ignore[misc]
    assert entry["person"] == "de4"
    assert entry["shift_end"] == "2026-12-07T09:00:00+05:30"
    assert entry["next_person"] == "de1"
    text = oncall("who", "--at", NOW).stdout
    assert "next   de1 from Mon 2026-12-07 09:00 IST" in text


def test_who_person(oncall: Run) -> None:
    data = _json(oncall, "who", "de1", "--at", "2026-12-22T10:00")
    assert data["person"] == "de1"
    assert data["oncall_now"] == []  # on leave: the rotation swapped
    assert data["week_start"] == "2026-12-21"
    off = {d["date"] for d in data["days_off_this_week"]}  # type: ignore[union-attr]
    assert {"2026-12-21", "2026-12-25"} <= off
    assert data["next"] is not None
    now = _json(oncall, "who", "de4", "--at", NOW)
    [piece] = now["oncall_now"]  # type: ignore[misc]
    assert piece["rotation"] == "primary" and piece["end"] == "2026-12-07T09:00:00+05:30"


def test_who_person_table(oncall: Run) -> None:
    result = oncall("who", "de3", "--at", NOW)
    assert result.exit_code == 0
    assert "on call now  no" in result.stdout
    assert "next shift   primary Mon 2026-12-21 09:00 IST" in result.stdout


def test_escalation_names_who_was_skipped(oncall: Run) -> None:
    data = _json(oncall, "who", "aggregate-growth", "--at", "2026-01-14T10:00")
    pipeline = data["pipeline"]
    assert isinstance(pipeline, dict)
    assert pipeline["escalation"] == ["de1", "m1"]
    assert pipeline["skipped"] == [{"person": "de3", "reason": "off: Pongal"}]
    text = oncall("who", "aggregate-growth", "--at", "2026-01-14T10:00").stdout
    assert "skipped de3: off: Pongal" in text


def test_pipeline_and_person_ids_must_not_collide(oncall: Run, edit_config: Edit) -> None:
    edit_config("owners.yaml", "  unit-level-profit:\n", "  de4:\n")
    result = oncall("validate")
    assert result.exit_code != 0
    assert "'de4' is also a person id" in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("when", "start"),
    [
        ("today", "2026-12-02T00:00:00+05:30"),
        ("monday", "2026-12-07T00:00:00+05:30"),
        ("last monday", "2026-11-30T00:00:00+05:30"),
        ("+1w", "2026-12-09T10:00:00+05:30"),
    ],
)
def test_relative_from_is_pinned_by_now(oncall: Run, when: str, start: str) -> None:
    data = _json(oncall, "schedule", "--now", NOW, "--from", when, "--weeks", "1")
    assert data["start"] == start


def test_relative_at(oncall: Run) -> None:
    data = _json(oncall, "who", "--at", "2026-12-02T10:00")
    assert data["at"] == "2026-12-02T10:00:00+05:30"
    bad = oncall("who", "--at", "+3x")
    assert bad.exit_code == 2
    assert "bad offset" in bad.stderr


def test_help_names_relative_dates(oncall: Run) -> None:
    for command in ("who", "schedule", "shifts", "check"):
        text = " ".join(oncall(command, "--help").stdout.split())
        assert "last monday" in text and "+3d" in text, command


def test_shifts_me_from_git_email(
    oncall: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gitconfig = tmp_path / "gitconfig"
    gitconfig.write_text("[user]\n\temail = de3@example.com\n")
    monkeypatch.chdir(tmp_path)  # outside any repository: only the global config counts
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(gitconfig))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    data = _json(oncall, "shifts", "--me", "--now", NOW)
    assert data["person"] == "de3"


def test_neither_person_nor_me_is_not_called_both(oncall: Run) -> None:
    neither = oncall("shifts")
    assert neither.exit_code == 2 and "not both" not in neither.stderr
    assert "give a PERSON" in neither.stderr and "--me" in neither.stderr
    both = oncall("shifts", "de1", "--me")
    assert both.exit_code == 2 and "not both" in both.stderr


def test_a_swap_cause_names_each_leave_once(oncall: Run) -> None:
    # de2's three days of leave used to read "leave: family event; leave: family event; ...".
    result = oncall("shifts", "de2", "--now", "2026-12-01T10:00", "--weeks", "6", "--json")
    details = [s["detail"] for s in json.loads(result.stdout)["shifts"]]
    assert "holiday swap with de1 (de2 is off 2026-12-14..16 leave: family event)" in details


def test_who_unknown_name_suggests_people_too(oncall: Run) -> None:
    result = oncall("who", "dee2")
    assert result.exit_code == 2
    assert "unknown pipeline or person 'dee2' (did you mean 'de2'?)" in result.stderr
    assert "people: de1, de2" in result.stderr


def test_who_person_in_no_rotation_says_so(oncall: Run) -> None:
    result = oncall("who", "m1", "--at", "2026-12-01T10:00")
    assert result.exit_code == 0, result.stderr
    assert "m1 is in no rotation" in result.stdout


def test_unknown_rotation_gets_a_suggestion(oncall: Run) -> None:
    result = oncall("override", "list", "--rotation", "primry")
    assert result.exit_code == 2
    assert "unknown rotation 'primry' (did you mean 'primary'?)" in result.stderr


def test_a_bad_date_names_the_relative_forms(oncall: Run) -> None:
    result = oncall("who", "--at", "last funday")
    assert result.exit_code == 2
    assert "bad date or time 'last funday'" in result.stderr
    assert "last monday" in result.stderr and "+3d" in result.stderr
