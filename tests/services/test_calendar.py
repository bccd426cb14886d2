"""The calendar service writes one ICS per person and per rotation, and finds stale ones."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from oncall.config import Config, load_config
from oncall.errors import UsageError
from oncall.services.calendar import default_export_start, export_calendars


@pytest.fixture
def cfg(config_dir: Path) -> Config:
    return load_config(config_dir)


def test_export_writes_calendars_and_reports_stale_ones(cfg: Config, tmp_path: Path) -> None:
    out = tmp_path / "public"
    out.mkdir()
    (out / "person-gone.ics").write_text("old")
    (out / "notes.txt").write_text("kept")
    now = datetime(2026, 11, 20, 10, tzinfo=cfg.team_tz)
    start = default_export_start(cfg, now)
    assert start == datetime(2026, 10, 23, 0, 0, tzinfo=cfg.team_tz)
    report, warnings = export_calendars(
        cfg, out, start, datetime(2026, 12, 31, tzinfo=cfg.team_tz), now=now
    )
    names = sorted(Path(f.path).name for f in report.files)
    assert names == [
        "person-de1.ics",
        "person-de2.ics",
        "person-de3.ics",
        "person-de4.ics",
        "rotation-primary.ics",
    ]
    rotation = next(f for f in report.files if f.kind == "rotation")
    assert rotation.events == sum(f.events for f in report.files if f.kind == "person")
    assert (out / "rotation-primary.ics").read_bytes().startswith(b"BEGIN:VCALENDAR")
    assert report.stale == [str(out / "person-gone.ics")]
    assert warnings[-1].endswith("was not written by this export (delete it if it is stale)")
    assert (out / "notes.txt").read_text() == "kept"


def test_export_into_a_file_is_a_usage_error(cfg: Config, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    now = datetime(2026, 11, 20, 10, tzinfo=cfg.team_tz)
    with pytest.raises(UsageError, match="exists and is not a directory"):
        export_calendars(cfg, blocker, now, now, now=now)
