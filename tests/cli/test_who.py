"""``oncall who`` on the shipped team, hand-checked against real Indian holidays."""

from __future__ import annotations

import json
from collections.abc import Callable

from tests.conftest import Run

Edit = Callable[[str, str, str], None]

ONCALL_KEYS = {"rotation", "person", "name", "reason", "shift_start", "shift_end", "available"}
PIPELINE_KEYS = {
    "id",
    "primary",
    "secondary",
    "rotation",
    "oncall",
    "responder",
    "responder_reason",
    "escalation",
}


def who_json(oncall: Run, *args: str) -> dict[str, object]:
    result = oncall("who", *args, "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert isinstance(data, dict)
    return data


def test_first_shift_is_de1(oncall: Run) -> None:
    data = who_json(oncall, "--at", "2026-01-07T12:00")
    [entry] = data["oncall"]  # type: ignore[misc]
    assert ONCALL_KEYS <= set(entry)
    assert entry["person"] == "de1"
    assert entry["reason"] == "rotation"
    assert entry["shift_start"] == "2026-01-05T09:00:00+05:30"
    assert entry["shift_end"] == "2026-01-12T09:00:00+05:30"
    assert entry["available"] is True
    assert data["pipeline"] is None
    assert data["at"] == "2026-01-07T12:00:00+05:30"


def test_handoff_is_half_open(oncall: Run) -> None:
    before = who_json(oncall, "--at", "2026-01-19T08:59:59")
    at = who_json(oncall, "--at", "2026-01-19T09:00")
    assert before["oncall"][0]["person"] == "de1"  # type: ignore[index]
    assert at["oncall"][0]["person"] == "de3"  # type: ignore[index]


def test_makar_sankranti_swaps_de2_with_de1(oncall: Run) -> None:
    # Shift 1 (Jan 12-19) is de2's, but 2026-01-14 is Makar Sankranti in Karnataka.
    # de3 (Tamil Nadu: Pongal 14-16) cannot take it, de4's shift has Republic Day for
    # de2, so the first qualifying partner is de1's shift 4 (Feb 2-9).
    jan = who_json(oncall, "--at", "2026-01-14T10:00")["oncall"][0]  # type: ignore[index]
    assert (jan["person"], jan["reason"], jan["swapped_with"]) == ("de1", "swap", "de2")
    assert [d["name"] for d in jan["swap_cause"]] == ["Makar Sankranti"]
    feb = who_json(oncall, "--at", "2026-02-03T10:00")["oncall"][0]  # type: ignore[index]
    assert (feb["person"], feb["reason"], feb["swapped_with"]) == ("de2", "swap", "de1")


def test_republic_day_nobody_can_swap_and_backup_falls_through(oncall: Run) -> None:
    data = who_json(oncall, "aggregate-profit", "--at", "2026-01-26T10:00")
    entry = data["oncall"][0]  # type: ignore[index]
    assert (entry["person"], entry["reason"], entry["available"]) == ("de4", "rotation", False)
    pipeline = data["pipeline"]
    assert isinstance(pipeline, dict)
    assert PIPELINE_KEYS <= set(pipeline)
    # A national holiday: everybody, the manager included, is off.
    assert pipeline["responder"] == "de4"
    assert pipeline["responder_reason"] == "nobody-available"
    assert pipeline["escalation"] == ["de4", "m1"]


def test_state_holiday_uses_secondary_as_backup(oncall: Run) -> None:
    # 2026-01-23 is Netaji's birthday in West Bengal only; de3 holds Jan 19-26.
    # aggregate-growth: primary de3, secondary de1. Nothing for de3 that day, so de3 responds.
    data = who_json(oncall, "aggregate-growth", "--at", "2026-01-23T10:00")
    assert data["pipeline"]["responder"] == "de3"  # type: ignore[index]
    assert data["pipeline"]["responder_reason"] == "oncall"  # type: ignore[index]
    # 2026-09-14 Ganesh Chaturthi (MH, KA, TN) falls in shift 36 (Sep 14-21), de1's turn,
    # which a swap may move; whoever holds it, a pipeline whose secondary is de4 (WB, not
    # off) is covered by de4 when the on-call is off.
    data = who_json(oncall, "aggregate-profit", "--at", "2026-09-14T10:00")
    pipe = data["pipeline"]
    assert isinstance(pipe, dict)
    oncall_entry = data["oncall"][0]  # type: ignore[index]
    if not oncall_entry["available"]:
        assert (pipe["responder"], pipe["responder_reason"]) == ("de4", "holiday-backup")
    else:
        assert pipe["responder_reason"] == "oncall"


def test_leave_backup_is_the_secondary(oncall: Run, edit_config: Edit) -> None:
    # Put de3 (on call Jan 19-26, 2026) on leave on Jan 21; aggregate-growth's secondary is de1.
    edit_config(
        "owners.yaml",
        "    holidays: {country: IN, subdiv: TN}\n",
        "    holidays: {country: IN, subdiv: TN}\n    leave:\n"
        "      - {from: 2026-01-21, to: 2026-01-21, reason: dentist}\n",
    )
    edit_config("rotation.yaml", "enabled: true", "enabled: false")
    data = who_json(oncall, "aggregate-growth", "--at", "2026-01-21T15:00")
    pipe = data["pipeline"]
    assert isinstance(pipe, dict)
    assert data["oncall"][0]["person"] == "de3"  # type: ignore[index]
    assert (pipe["responder"], pipe["responder_reason"]) == ("de1", "holiday-backup")
    assert pipe["escalation"] == ["de1", "m1"]
    human = oncall("who", "aggregate-growth", "--at", "2026-01-21T15:00")
    assert "unavailable: dentist leave" in human.stdout
    assert "responder  de1 - holiday-backup" in human.stdout


def test_override_replaces_holder(oncall: Run) -> None:
    data = who_json(oncall, "--at", "2026-12-01T10:00")
    entry = data["oncall"][0]  # type: ignore[index]
    assert (entry["person"], entry["reason"]) == ("de3", "override")
    assert entry["override_reason"] == "conference cover"
    assert entry["shift_end"] == "2026-12-02T09:00:00+05:30"
    after = who_json(oncall, "--at", "2026-12-02T09:00")["oncall"][0]  # type: ignore[index]
    assert after["person"] == "de4"


def test_before_rotation_starts(oncall: Run) -> None:
    result = oncall("who", "--at", "2026-01-01")
    assert result.exit_code == 0
    assert "the rotation starts Mon 2026-01-05 09:00" in result.stdout
    data = who_json(oncall, "aggregate-profit", "--at", "2026-01-01")
    assert data["oncall"] == []
    assert data["pipeline"]["responder"] is None  # type: ignore[index]


def test_at_with_offset_means_that_instant(oncall: Run) -> None:
    # 03:29 UTC on Jan 19 is 08:59 IST: still de1's (swapped) shift.
    data = who_json(oncall, "--at", "2026-01-19T03:29:00+00:00")
    assert data["oncall"][0]["person"] == "de1"  # type: ignore[index]


def test_unknown_pipeline_and_bad_time(oncall: Run) -> None:
    result = oncall("who", "agregate-profit")
    assert result.exit_code == 2
    assert "did you mean 'aggregate-profit'" in result.stderr
    result = oncall("who", "--at", "yesterday-ish")
    assert result.exit_code == 2
    assert "--at: bad date or time" in result.stderr
