"""``run_doctor`` called directly: which probes run, in what order, and what they conclude.

No network is reached: every channel here stops before its endpoint (a variable unset, or
credentials that would travel in the clear), and no state source is remote.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from oncall.reports.doctor import DoctorReport
from oncall.services.doctor import run_doctor
from oncall.services.doctor.sources import calendar_name

T = "2026-11-18T11:00"
SMTP_ENV = {"ONCALL_SMTP_USER": "bot", "ONCALL_SMTP_PASSWORD": "smtpSECRETpassword0123456789"}


def resolve(text: str | None, tz: ZoneInfo) -> datetime:
    assert text is not None, "the tests pass --now: the clock is never read"
    return datetime.fromisoformat(text).replace(tzinfo=tz)


def doctor(config_dir: Path, environ: dict[str, str] | None = None) -> DoctorReport:
    return run_doctor(config_dir, now_text=T, resolve_now=resolve, environ=environ or {})


def test_checks_come_in_a_fixed_order_of_groups(config_dir: Path) -> None:
    report = doctor(config_dir)
    groups = ["config", "calendar", "source", "channel", "store"]
    seen = [next(g for g in groups if c.name.startswith(g)) for c in report.checks]
    assert seen == sorted(seen, key=groups.index)
    assert set(seen) == set(groups)
    assert report.checks[-1].name == "store" and report.checks[-1].status == "ok"
    calendars = [c for c in report.checks if c.name.startswith("calendar ")]
    assert "calendar IN-MH" in [c.name for c in calendars]
    assert all(c.status == "ok" and "holidays in 2026-2027" in c.detail for c in calendars)


def test_unset_variables_fail_each_channel_without_probing_it(config_dir: Path) -> None:
    report = doctor(config_dir)
    channels = {c.name: c for c in report.checks if c.name.startswith("channel ")}
    assert set(channels) == {"channel pagerduty", "channel slack", "channel email", "channel hook"}
    assert all(c.status == "fail" for c in channels.values())
    slack = channels["channel slack"]
    assert (
        slack.detail
        == "environment variable ONCALL_SLACK_WEBHOOK not set: pages through 'slack' fail"
    )
    assert slack.fix is not None and slack.fix.startswith("export ONCALL_SLACK_WEBHOOK where")
    email = channels["channel email"]
    assert "variables ONCALL_SMTP_USER, ONCALL_SMTP_PASSWORD not set" in email.detail
    assert report.ok is False


def test_credentials_are_never_sent_in_the_clear(config_dir: Path) -> None:
    paging = config_dir / "paging.yaml"
    paging.write_text(paging.read_text().replace("starttls: true", "starttls: false"))
    report = doctor(config_dir, SMTP_ENV)
    (email,) = [c for c in report.checks if c.name == "channel email"]
    assert email.status == "fail"
    assert email.detail == (
        "smtp.example.com:587: credentials are set but starttls is off: oncall never sends "
        "them in the clear (set starttls: true)"
    )
    assert all(SMTP_ENV["ONCALL_SMTP_PASSWORD"] not in c.detail for c in report.checks)


def test_a_broken_config_skips_what_needs_it_and_still_checks_the_store(
    config_dir: Path,
) -> None:
    owners = config_dir / "owners.yaml"
    owners.write_text(owners.read_text().replace("primary: de2", "primary: de9", 1))
    report = doctor(config_dir)
    by_name = {c.name: c for c in report.checks}
    assert by_name["config"].status == "fail" and "owners.yaml:" in by_name["config"].detail
    assert {by_name[n].status for n in ("calendars", "sources", "paging")} == {"skip"}
    assert by_name["store"].status == "ok"
    assert [c.name for c in report.checks] == ["config", "calendars", "sources", "paging", "store"]


def test_a_broken_config_skips_publishing_only_when_it_is_configured(config_dir: Path) -> None:
    owners = config_dir / "owners.yaml"
    owners.write_text(owners.read_text().replace("primary: de2", "primary: de9", 1))
    (config_dir / "publish.yaml").write_text("slack: {usergroups: {primary: S0123ABCD}}\n")
    report = doctor(config_dir)
    by_name = {c.name: c for c in report.checks}
    assert by_name["publish"].status == "skip"
    assert [c.name for c in report.checks][-2:] == ["publish", "store"]


def test_without_paging_yaml_paging_is_one_skipped_check(config_dir: Path) -> None:
    (config_dir / "paging.yaml").unlink()
    report = doctor(config_dir)
    (paging,) = [c for c in report.checks if c.name.startswith(("paging", "channel"))]
    assert (paging.name, paging.status) == ("paging", "skip")
    assert "paging.yaml does not exist" in paging.detail


def test_a_missing_local_state_directory_fails_its_source(config_dir: Path) -> None:
    report = doctor(config_dir)
    (local,) = [c for c in report.checks if c.name == "source default"]
    assert local.status == "fail" and "does not exist" in local.detail
    assert local.fix is not None and "oncall state demo" in local.fix


def test_calendar_names_show_place_and_unusual_categories() -> None:
    from oncall.adapters.calendars import CalendarKey

    assert calendar_name(CalendarKey("IN", "MH", ("public",))) == "calendar IN-MH"
    assert calendar_name(CalendarKey("DE", None, ("public", "optional"))) == (
        "calendar DE (public, optional)"
    )
