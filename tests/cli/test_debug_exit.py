"""ONCALL_DEBUG=1 adds the traceback but keeps each error's exit code."""

from __future__ import annotations

import pytest

from oncall.cli import exit_code_for
from oncall.errors import DeliveryError, UsageError


@pytest.mark.parametrize(
    ("error", "code"), [(DeliveryError("not delivered"), 3), (UsageError("bad"), 2)]
)
def test_debug_keeps_the_exit_code(
    error: Exception, code: int, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ONCALL_DEBUG", "1")
    try:
        raise error
    except Exception as exc:
        assert exit_code_for(exc) == code
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err
    assert err.strip().splitlines()[-1] == f"oncall: {error}"
