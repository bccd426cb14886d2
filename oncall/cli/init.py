"""``oncall init``: scaffold the config, an example runbook and schemas for a new team."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import typer

from oncall.cli.common import JSON_HELP
from oncall.cli.output import terminal
from oncall.errors import UsageError

if TYPE_CHECKING:
    from oncall.services.scaffold import Member

T = TypeVar("T")

DEFAULT_MEMBERS = ("alice=Alice", "bob=Bob")


def init(
    directory: Path = typer.Argument(
        Path("."), metavar="[DIR]", help="Project directory (created if missing). Default: here."
    ),
    team: str | None = typer.Option(None, "--team", help="Team name (default: DIR's name)."),
    timezone: str | None = typer.Option(
        None, "--timezone", metavar="TZ", help="IANA timezone, like Asia/Kolkata (default UTC)."
    ),
    country: str | None = typer.Option(
        None,
        "--country",
        metavar="CC",
        help="Holiday calendar country (ISO 3166 code, like IN). Default: none.",
    ),
    subdiv: str | None = typer.Option(
        None, "--subdiv", metavar="S", help="Holiday subdivision (state), like MH."
    ),
    member: list[str] | None = typer.Option(
        None,
        "--member",
        metavar="ID[=NAME]",
        help="A rotation member, in shift order; repeat it (at least two; default alice, bob).",
    ),
    yes: bool = typer.Option(
        False, "--yes", "-y", help="Do not prompt: take flags and defaults as they are."
    ),
    json_: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Start a new team: config/, an example runbook and JSON Schemas in DIR.

    Writes DIR/config/{owners,rotation,state,paging}.yaml, DIR/runbooks/example.yaml and
    DIR/schemas/*.schema.json (the YAML files name their schema on their first line, so
    editors check them). On a terminal, asks for what the flags leave out (team name,
    timezone, holiday country, members) unless --yes is given. Every value is checked
    before anything is written, and existing files are never overwritten (exit 2).

    Examples:

      oncall init

      oncall init acme --team "Data Engineering" --timezone Asia/Kolkata --yes

      oncall init acme --country IN --subdiv MH --member de1 --member de2=Ravi

      oncall --config-dir acme/config validate
    """
    from oncall.services.scaffold import ProjectSpec, create_project, rotation_start

    interactive = not yes and sys.stdin.isatty()
    default_team = directory.resolve().name or "My team"

    team_name = _ask(team, interactive, "Team name", default_team, _check_team)
    tz_name = _ask(timezone, interactive, "Timezone (IANA name)", "UTC", _check_timezone)
    cc = _ask(
        country, interactive, "Holiday country (ISO code, empty for none)", "", _check_country
    )
    if subdiv and not cc:
        raise UsageError("--subdiv needs --country (the subdivision's country)")
    sd = ""
    if cc:
        question = f"Holiday subdivision of {cc} (empty for none)"
        sd = _ask(subdiv, interactive, question, "", lambda v: _check_subdiv(cc, v))
    if member:
        members = _check_members(member)
    else:
        members = _ask(
            None,
            interactive,
            "Members, in shift order (ID or ID=Name, separated by commas)",
            ", ".join(DEFAULT_MEMBERS),
            lambda v: _check_members(v.split(",")),
        )

    spec = ProjectSpec(
        team=team_name,
        timezone=tz_name,
        country=cc or None,
        subdiv=sd or None,
        members=tuple(members),
        start=rotation_start(date.today()),
    )
    report = create_project(directory, spec)
    if json_:
        terminal.json(report)
        return
    terminal.line(f"Created a project for {report.team} in {directory}:")
    for path in report.files:
        terminal.line(f"  {path}")
    terminal.line("Next:")
    for step in report.next_steps:
        terminal.line(f"  {step}")


def _ask(
    given: str | None,
    interactive: bool,
    question: str,
    default: str,
    check: Callable[[str], T],
) -> T:
    """A flag's value, else (on a terminal) the answer to ``question``, else ``default``.

    ``check`` turns the text into the value or raises UsageError; on a terminal the question
    is asked again until the answer passes.
    """
    if given is not None:
        return check(given)
    if not interactive:
        return check(default)
    while True:
        answer = typer.prompt(question, default=default, show_default=bool(default))
        try:
            return check(str(answer))
        except UsageError as exc:
            terminal.error(str(exc))


def _check_team(value: str) -> str:
    value = value.strip()
    if not value:
        raise UsageError("--team: the team name must not be empty")
    return value


def _check_timezone(value: str) -> str:
    from oncall.config.models.common import check_timezone

    try:
        return check_timezone(value.strip())
    except ValueError as exc:
        raise UsageError(f"--timezone: {exc}") from None


def _calendar_problem(country: str, subdiv: str | None) -> str | None:
    from oncall.services.scaffold import calendar_problem

    return calendar_problem(country, subdiv)


def _check_country(value: str) -> str:
    value = value.strip().upper()
    if not value:
        return ""
    problem = _calendar_problem(value, None)
    if problem:
        raise UsageError(f"--country: {problem}")
    return value


def _check_subdiv(country: str, value: str) -> str:
    value = value.strip()
    if not value:
        return ""
    problem = _calendar_problem(country, value)
    if problem:
        raise UsageError(f"--subdiv: {problem}")
    return value


def _check_members(values: Sequence[str]) -> list[Member]:
    """``de1``, ``de2=Data Engineer 2``: the members in order, each once, at least two."""
    from oncall.services.scaffold import parse_member

    members: list[Member] = []
    for raw in (v for v in values if v.strip()):
        try:
            m = parse_member(raw)
        except ValueError as exc:
            raise UsageError(f"--member: {exc}") from None
        if any(m.id == other.id for other in members):
            raise UsageError(f"--member: '{m.id}' is given twice: list each person once")
        members.append(m)
    if len(members) < 2:
        raise UsageError(
            "--member: a rotation needs at least two members (each pipeline has a primary "
            "owner and a secondary backup): repeat --member"
        )
    return members


def register(app: typer.Typer) -> None:
    app.command("init")(init)
