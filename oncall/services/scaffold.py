"""``oncall init``: the files a new team starts from, and writing them.

``render_project`` turns a ``ProjectSpec`` into ``{relative path: text}`` (pure templates,
no I/O, no clock): the four config files, an example runbook and the JSON Schemas the YAML
files point at (first line ``# yaml-language-server: $schema=../schemas/<name>.schema.json``),
so that an editor checks the new files from the first keystroke, offline.
``create_project`` writes them, never over an existing file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from oncall.config.locate import (
    CONFIG_DIR,
    OWNERS_FILE,
    PAGING_FILE,
    ROTATION_FILE,
    RUNBOOKS_DIR,
    STATE_FILE,
)
from oncall.domain.ids import ID_PATTERN
from oncall.errors import ProjectExistsError
from oncall.reports.scaffold import InitReport

__all__ = [
    "EXAMPLE_PIPELINE",
    "EXAMPLE_RUNBOOK",
    "Member",
    "ProjectSpec",
    "calendar_problem",
    "create_project",
    "parse_member",
    "render_project",
    "rotation_start",
]

EXAMPLE_PIPELINE = "example-pipeline"
EXAMPLE_RUNBOOK = "example"


@dataclass(frozen=True)
class Member:
    id: str
    name: str


@dataclass(frozen=True)
class ProjectSpec:
    """What a new team's config needs; validated by the caller before rendering."""

    team: str
    timezone: str
    members: tuple[Member, ...]
    start: date
    country: str | None = None
    subdiv: str | None = None


def parse_member(text: str) -> Member:
    """``de1`` or ``de1=Data Engineer 1``; ValueError with a fix when the id is bad."""
    ident, _, name = text.partition("=")
    ident, name = ident.strip(), name.strip()
    if not ID_PATTERN.match(ident):
        raise ValueError(
            f"bad member id {ident!r}: use lowercase letters, digits, '-' and '_' "
            "(like de1), optionally followed by =Name (like de1='Data Engineer 1')"
        )
    return Member(ident, name or ident)


def rotation_start(today: date) -> date:
    """The Monday of ``today``'s week: someone is on call from the first day."""
    return today - timedelta(days=today.weekday())


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def _id(ident: str) -> str:
    """An id as a YAML scalar: quoted when YAML would read it as something else (no, 1e3)."""
    import yaml

    return ident if yaml.safe_load(ident) == ident else _q(ident)


def _header(schema: str, what: str) -> str:
    from oncall.config.schema import schema_comment

    return f"{schema_comment(schema)}\n# {what}\n"


def _owners(spec: ProjectSpec) -> str:
    lines = [_header("owners", "Who we are and what we own. Reference: docs/config.md").rstrip()]
    lines.append("team:")
    lines.append(f"  name: {_q(spec.team)}")
    lines.append(f"  timezone: {spec.timezone}")
    if spec.country:
        subdiv = f", subdiv: {_q(spec.subdiv)}" if spec.subdiv else ""
        lines.append(f"  holidays: {{country: {_q(spec.country)}{subdiv}}}")
    else:
        lines.append("  # holidays: {country: IN, subdiv: MH}   # default public-holiday calendar")
    lines.append("  company_holidays: []   # e.g. - {date: 2026-12-31, name: Year-end shutdown}")
    lines.append("")
    lines.append("people:")
    for i, m in enumerate(spec.members):
        lines.append(f"  {_id(m.id)}:")
        lines.append(f"    name: {_q(m.name)}")
        if i == 0:
            lines.append(f"    # email: {m.id}@example.com")
            lines.append("    # holidays: {country: IN, subdiv: KA}   # their own calendar")
            lines.append("    # leave:")
            lines.append("    #   - {from: 2026-12-21, to: 2026-12-25, reason: vacation}")
            lines.append("    # contacts: {slack: U0123ABCD}")
    primary, secondary = _id(spec.members[0].id), _id(spec.members[1].id)
    lines.append("")
    lines.append("pipelines:")
    lines.append(f"  {EXAMPLE_PIPELINE}:")
    lines.append('    name: "Example pipeline"')
    lines.append("    purpose: investor-reporting   # or experiments (low-urgency pages)")
    lines.append(f"    primary: {primary}")
    lines.append(f"    secondary: {secondary}")
    lines.append(f"    runbook: {EXAMPLE_RUNBOOK}")
    return "\n".join(lines) + "\n"


def _rotation(spec: ProjectSpec) -> str:
    members = ", ".join(_id(m.id) for m in spec.members)
    return (
        _header("rotation", "The weekly on-call rotation. Rules: docs/rotations.md")
        + "rotations:\n"
        "  primary:\n"
        f"    members: [{members}]   # members[0] holds the first shift\n"
        f"    start: {spec.start.isoformat()}   # date of the first handoff\n"
        '    handoff: "09:00"        # quote times\n'
        f"    timezone: {spec.timezone}\n"
        "    shift_days: 7\n"
        "    holiday_swap: {enabled: true, weekends: true, horizon: 8}\n"
        "\n"
        "overrides: []\n"
        '# - {rotation: primary, start: "2026-11-30T09:00", end: "2026-12-02T09:00",\n'
        "#    person: <id>, reason: conference cover}\n"
    )


def _state() -> str:
    return (
        _header("state", "Where runbooks read pipeline state. Reference: docs/runbooks.md")
        + "sources:\n"
        "  default: {kind: local, path: ../state}   # JSON Lines files, relative to this file\n"
        "  # gcp:\n"
        "  #   kind: cloud-monitoring\n"
        "  #   project: my-gcp-project\n"
        "  #   metric_prefix: custom.googleapis.com/\n"
        "  #   timeout: 10s\n"
    )


def _paging() -> str:
    return (
        _header("paging", "Paging channels and urgencies. Reference: docs/paging.md")
        + "# Secrets come from the environment variables named here, never from this file.\n"
        "channels:\n"
        "  slack: {kind: slack, webhook_url_env: ONCALL_SLACK_WEBHOOK}\n"
        "  # pagerduty: {kind: pagerduty, routing_key_env: ONCALL_PAGERDUTY_ROUTING_KEY}\n"
        "urgency:\n"
        "  high: {channels: [slack]}\n"
        '  low: {channels: [slack], quiet_hours: "21:00-08:00"}\n'
        "  by_purpose: {investor-reporting: high, experiments: low}\n"
    )


def _runbook() -> str:
    return (
        _header("runbook", "An example runbook. Format reference: docs/runbooks.md")
        + f"title: {_q('Example pipeline: daily load')}\n"
        f"pipeline: {EXAMPLE_PIPELINE}\n"
        "source: default\n"
        "steps:\n"
        "  - id: ingestion\n"
        "    title: Ensure the nightly ingestion finished\n"
        "    help: |\n"
        "      Where to look when this fails, and what to do. Markdown.\n"
        "    checks:\n"
        "      - id: ingest-fresh\n"
        "        kind: freshness\n"
        "        metric: pipeline/ingest_completed\n"
        f"        labels: {{pipeline: {EXAMPLE_PIPELINE}}}\n"
        "        warn_after: 25h\n"
        "        fail_after: 27h\n"
        "  - id: spot-check\n"
        "    title: Spot-check the report against yesterday's\n"
        "    confirm: true\n"
        "  - id: notify\n"
        "    title: Tell the owners how the run went\n"
        "    notify: owners\n"
    )


def render_project(spec: ProjectSpec) -> dict[str, str]:
    """``{relative path: text}`` of every file of a new project."""
    from oncall.config.schema import SCHEMA_FILES, compute_schema, render_schema, schema_file_name

    if len(spec.members) < 2:
        raise ValueError("a rotation needs at least two members")
    files = {
        f"{CONFIG_DIR}/{OWNERS_FILE}": _owners(spec),
        f"{CONFIG_DIR}/{ROTATION_FILE}": _rotation(spec),
        f"{CONFIG_DIR}/{STATE_FILE}": _state(),
        f"{CONFIG_DIR}/{PAGING_FILE}": _paging(),
        f"{RUNBOOKS_DIR}/{EXAMPLE_RUNBOOK}.yaml": _runbook(),
        "state/README.md": (
            "# Pipeline state\n\n"
            "The `default` source in config/state.yaml reads every `*.jsonl` file here: one\n"
            "point a line, e.g.\n"
            '`{"metric": "pipeline/ingest_completed", "labels": {"pipeline": "example"}, '
            '"time": "2026-11-20T02:10:00+05:30", "value": 1}`.\n'
            "`oncall state demo` writes demo data; see docs/runbooks.md.\n"
        ),
    }
    for name in SCHEMA_FILES:
        files[f"schemas/{schema_file_name(name)}"] = render_schema(compute_schema(name))
    return files


def create_project(directory: Path, spec: ProjectSpec) -> InitReport:
    """Write every file of a new project under ``directory`` (created if missing).

    Raises ``ProjectExistsError`` before writing anything when ``directory`` is a file or
    any of the files exists already.
    """
    from oncall.adapters.files import atomic_write

    files = render_project(spec)
    if directory.exists() and not directory.is_dir():
        raise ProjectExistsError(f"{directory} exists and is not a directory")
    targets = [directory / rel for rel in files]
    links = sorted(
        {
            str(directory / d)
            for d in {Path(rel).parent for rel in files}
            if (directory / d).is_symlink()
        }
    )
    if links:
        raise ProjectExistsError(
            f"refusing to write through symbolic links (nothing was written): {', '.join(links)}: "
            f"init writes only inside {directory}; remove the link or choose another directory"
        )
    existing = [str(p) for p in targets if p.exists() or p.is_symlink()]
    if existing:
        raise ProjectExistsError(
            "refusing to overwrite existing files (nothing was written): " + ", ".join(existing)
        )
    for rel, text in files.items():
        atomic_write(directory / rel, text.encode())
    config = directory / CONFIG_DIR
    return InitReport(
        directory=str(directory),
        team=spec.team,
        timezone=spec.timezone,
        country=spec.country,
        subdiv=spec.subdiv,
        members=[m.id for m in spec.members],
        files=[str(p) for p in targets],
        next_steps=[
            f"oncall --config-dir {config} validate",
            f"oncall --config-dir {config} schedule --weeks 8",
            f"oncall --config-dir {config} runbook show {EXAMPLE_RUNBOOK}",
        ],
    )


def calendar_problem(country: str, subdiv: str | None) -> str | None:
    """Why the public-holiday calendar of ``country`` (and ``subdiv``) is unusable, or None."""
    from oncall.adapters.calendars import CalendarKey, check_calendar

    return check_calendar(CalendarKey(country, subdiv, ("public",)))
