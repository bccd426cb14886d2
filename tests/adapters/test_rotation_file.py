"""Override edits are text splices: every byte outside the edited entry stays as it was."""

from __future__ import annotations

import pytest
import yaml

from oncall.adapters.rotation_file import add_overrides, remove_overrides, render_entry
from oncall.errors import UsageError

NEW = {
    "rotation": "primary",
    "start": "2026-12-10T09:00",
    "end": "2026-12-11T09:00",
    "person": "de2",
    "reason": "dentist: cover #1",
}
LINE = render_entry(NEW)
OLD = "{rotation: primary, start: '2026-11-30T09:00', end: '2026-12-02T09:00', person: de3}"
HEAD = "---\n# team\nrotations:\n    primary:   # x\n        members:   [ de1,  de2 ]\n"


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (HEAD, f"{HEAD}overrides:\n  - {LINE}\n"),
        (HEAD.rstrip("\n"), f"{HEAD}overrides:\n  - {LINE}\n"),
        (
            f"{HEAD}overrides: []   # none yet\n# end\n",
            f"{HEAD}overrides:   # none yet\n  - {LINE}\n# end\n",
        ),
        (f"{HEAD}overrides:\n# end\n", f"{HEAD}overrides:\n  - {LINE}\n# end\n"),
        (f"{HEAD}overrides: ~\n", f"{HEAD}overrides:\n  - {LINE}\n"),
        (f"{HEAD}overrides: [ {OLD} ]  # c\n", f"{HEAD}overrides: [ {OLD}, {LINE} ]  # c\n"),
        (
            f"overrides:\n    # first\n    - {OLD}  # mine\n\n# rotations\n{HEAD[4:]}",
            f"overrides:\n    # first\n    - {OLD}  # mine\n    - {LINE}\n\n# rotations\n{HEAD[4:]}",
        ),
        (
            HEAD.replace("\n", "\r\n") + f"overrides:\r\n  - {OLD}\r\n",
            HEAD.replace("\n", "\r\n") + f"overrides:\r\n  - {OLD}\r\n  - {LINE}\r\n",
        ),
    ],
    ids=[
        "missing",
        "no-final-newline",
        "empty-flow",
        "empty",
        "tilde",
        "flow",
        "first-key",
        "crlf",
    ],
)
def test_add_splices_one_line(before: str, after: str) -> None:
    assert add_overrides(before, [NEW]) == after


def test_add_then_remove_gives_the_file_back() -> None:
    before = f"{HEAD}overrides:\n- {OLD}   # a\n-   rotation: primary\n    start: '2026-12-20T09:00'\n    end: '2026-12-21T09:00'\n    person: de1\n    reason: |-\n      two\n      lines\n# tail\n"
    added = add_overrides(before, [NEW])
    assert added == before.replace("# tail\n", f"- {LINE}\n# tail\n")
    assert remove_overrides(added, [2]) == before
    assert remove_overrides(before, [1]) == f"{HEAD}overrides:\n- {OLD}   # a\n# tail\n"
    assert remove_overrides(remove_overrides(before, [1]), [0]) == f"{HEAD}overrides: []\n# tail\n"


def test_remove_from_a_flow_list() -> None:
    other = OLD.replace("de3", "de1")
    text = f"{HEAD}overrides: [{OLD}, {other}]\n"
    assert remove_overrides(text, [0]) == f"{HEAD}overrides: [{other}]\n"
    assert remove_overrides(text, [1]) == f"{HEAD}overrides: [{OLD}]\n"


@pytest.mark.parametrize(
    "reason",
    ["plain words", "a: colon", "# hash", "yes", "123", "quote \" and \\ back", "tab\there",
     "ünïcødé ✓", "ctrl \x07 \x85", "'single'", "trailing ", "[x]", "null", "new\nline"],
)  # fmt: skip
def test_any_reason_reads_back_as_written(reason: str) -> None:
    entry = {**NEW, "reason": reason}
    text = add_overrides(HEAD, [entry])
    assert yaml.safe_load(text)["overrides"] == [entry]


def test_not_a_list_is_refused() -> None:
    with pytest.raises(UsageError, match="overrides is not a list"):
        add_overrides(f"{HEAD}overrides: {{a: 1}}\n", [NEW])
