"""``oncall runbook show``: a runbook's steps, help and checks, as text or a wiki checklist."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Mapping, Sequence
from datetime import timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

import typer

from oncall.cli.common import JSON_HELP, get_config
from oncall.cli.output import WIDTH, terminal
from oncall.domain.timeutil import format_duration

if TYPE_CHECKING:
    from oncall.config import Config
    from oncall.domain.checks import Check
    from oncall.domain.runbook import Runbook, Step
    from oncall.reports.runbook import CheckOut, RunOut
    from oncall.services.runbook.catalog import LoadedRunbook


class ShowFormat(StrEnum):
    text = "text"
    markdown = "markdown"


def show(
    ctx: typer.Context,
    name: str = typer.Argument(
        ...,
        metavar="NAME|RUN_ID",
        help="Runbook name (file name without .yaml) or pipeline; or a run id (r-...): that "
        "run in full.",
    ),
    format_: ShowFormat = typer.Option(
        ShowFormat.text,
        "--format",
        help="text for the terminal; markdown for a wiki checklist (- [ ] steps).",
    ),
    json_: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """A runbook's steps, help and checks, without touching pipeline state; or, given a run
    id, one run in full: operator, times, every step's status, checks, skip reason and
    notes, and whether it was a dry run.

    Examples:

      oncall runbook show profit

      oncall runbook show r-1f2e3d4c

      oncall runbook show profit --format markdown > profit-checklist.md
    """
    from oncall.services.runbook.catalog import load_runbook

    cfg = get_config(ctx)
    if looks_like_run_id(name):
        show_run(cfg, name, json_=json_)
        return
    loaded = load_runbook(cfg, name)
    if json_:
        terminal.json(
            {
                "name": loaded.name,
                "path": str(loaded.path),
                **loaded.runbook.model_dump(mode="json"),
            }
        )
        return
    if format_ is ShowFormat.markdown:
        terminal.line(render_markdown(cfg, loaded))
        return
    terminal.line(render_text(cfg, loaded))


def pipeline_line(cfg: Config, runbook: Runbook) -> str:
    return f"{runbook.pipeline} ({cfg.owners.pipelines[runbook.pipeline].name})"


def owners_line(cfg: Config, runbook: Runbook) -> str:
    spec = cfg.owners.pipelines[runbook.pipeline]
    return f"{spec.primary} (primary), {spec.secondary} (secondary)"


def _step_kind(step: Step) -> str:
    tags = []
    if step.confirm:
        tags.append("manual: confirm when done")
    if step.notify == "owners":
        tags.append("notifies the owners")
    return f" ({'; '.join(tags)})" if tags else ""


def render_text(cfg: Config, loaded: LoadedRunbook) -> str:
    rb = loaded.runbook
    out = [
        f"{loaded.name}: {rb.title}",
        f"pipeline  {pipeline_line(cfg, rb)}",
        f"owners    {owners_line(cfg, rb)}",
        f"source    {rb.source}",
        f"file      {loaded.path}",
    ]
    for number, step in enumerate(rb.steps, start=1):
        out.append("")
        out.extend(fit(f"{number}. {step.title} [{step.id}]{_step_kind(step)}", "   "))
        out.extend(reflow(step.help, "   "))
        if step.help.strip() and step.checks:
            out.append("")
        for check in step.checks:
            out.extend(
                fit(f"   - check {check.id} ({check.kind}): {describe_check(check)}", "       ")
            )
    return "\n".join(out)


_ITEM = re.compile(r"^(\s*)([-*]|\d+\.)\s+")


def reflow(text: str, indent: str) -> list[str]:
    """Markdown help re-wrapped to 80 columns: paragraphs and list items are reflowed,
    fenced code blocks are kept as written."""
    out: list[str] = []
    block: list[str] = []
    hang = indent

    def flush() -> None:
        if block:
            out.extend(fit(indent + " ".join(block), hang))
            block.clear()

    fenced = False
    for raw in text.rstrip().splitlines():
        line = raw.rstrip()
        if line.lstrip().startswith("```") or fenced:
            flush()
            out.append(f"{indent}{line}".rstrip())
            if line.lstrip().startswith("```"):
                fenced = not fenced
            continue
        if not line.strip():
            flush()
            out.append("")
            continue
        item = _ITEM.match(line)
        if item:
            flush()
            hang = indent + " " * len(item.group(0))
            block.append(line.strip())
            continue
        if not block:
            hang = indent
        block.append(line.strip())
    flush()
    return out


def fit(text: str, indent: str) -> list[str]:
    """``text`` wrapped to 80 columns; continuation lines start with ``indent``."""
    if len(text) <= WIDTH:
        return [text]
    lead = text[: len(text) - len(text.lstrip())]
    return textwrap.wrap(
        text.lstrip(),
        WIDTH,
        initial_indent=lead,
        subsequent_indent=max(indent, lead, key=len),
        break_long_words=False,
        break_on_hyphens=False,
    )


def render_markdown(cfg: Config, loaded: LoadedRunbook) -> str:
    """A checklist for the wiki: one ``- [ ]`` item per step, with its help and checks."""
    rb = loaded.runbook
    out = [
        f"# {rb.title}",
        "",
        f"Pipeline: `{rb.pipeline}` ({cfg.owners.pipelines[rb.pipeline].name}). "
        f"Runbook `{loaded.name}`, state source `{rb.source}`. "
        f"Run it live with `oncall runbook {loaded.name}`.",
        "",
    ]
    for step in rb.steps:
        out.append(f"- [ ] **{step.title}** (`{step.id}`){_step_kind(step)}")
        if step.help.strip():
            out.append("")
            out.extend(f"  {line}".rstrip() for line in step.help.rstrip().splitlines())
        if step.checks:
            out.append("")
            out.append("  Checks:")
            out.append("")
            for check in step.checks:
                out.append(f"  - `{check.id}` ({check.kind}): {describe_check(check)}")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def describe_check(check: Check) -> str:
    """One line: the series read and the check's settings, e.g. for ``runbook show``."""
    data = {
        name: getattr(check, name)
        for name in type(check).model_fields
        if name not in ("id", "kind") and getattr(check, name) is not None
    }
    parts: list[str] = []
    if "metric" in data:
        parts.append(_series(data.pop("metric"), data.pop("labels", {})))
    for side in ("left", "right"):
        spec = data.pop(side, None)
        if spec is not None:
            parts.append(
                f"{side}: {spec.reduce} of {_series(spec.metric, spec.labels)} over "
                f"{_text(spec.window)}"
            )
    parts.extend(f"{key} {_text(value)}" for key, value in data.items())
    return ", ".join(parts)


def _series(metric: str, labels: Mapping[str, str]) -> str:
    inner = ", ".join(f"{k}={v}" for k, v in sorted(labels.items()))
    return f"{metric}{{{inner}}}" if inner else metric


def _text(value: object) -> str:
    if isinstance(value, timedelta):
        return format_duration(value, style="unit")
    if isinstance(value, list | tuple):
        return ", ".join(_text(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "strftime"):
        return str(value.strftime("%H:%M"))
    return str(value)


_RUN_ID = re.compile(r"^r-[0-9a-f]{4,}$")


def looks_like_run_id(text: str) -> bool:
    """Run ids are ``r-`` and hex digits (``r-1f2e3d4c``); runbook names never start so."""
    return bool(_RUN_ID.match(text))


def show_run(cfg: Config, run_id: str, *, json_: bool) -> None:
    """One run in full, from the store."""
    from oncall.errors import NotFoundError
    from oncall.reports.runbook import RunOut
    from oncall.services.store import open_team_store

    with open_team_store(cfg, say=terminal.warn) as store:
        run = store.get_run(run_id)
    if run is None:
        raise NotFoundError(f"no run '{run_id}': see `oncall runbook history` for run ids")
    runbook = None
    try:
        from oncall.services.runbook.catalog import load_runbook

        runbook = load_runbook(cfg, run.runbook).runbook
    except Exception:
        runbook = None
    report = RunOut.of(run, runbook, cfg.team_tz)
    if json_:
        terminal.json(report)
        return
    render_run(report)


def render_run(report: RunOut) -> None:
    tz_time = "%a %Y-%m-%d %H:%M:%S %Z"
    dry = " (dry run: notify steps sent nothing)" if report.dry_run else ""
    terminal.heading(f"Run {report.run_id} of runbook {report.runbook}: {report.status}{dry}")
    terminal.line(f"  pipeline  {report.pipeline}")
    terminal.line(f"  operator  {report.operator}")
    terminal.line(f"  started   {report.started.strftime(tz_time)}")
    finished = report.finished.strftime(tz_time) if report.finished else "not finished"
    terminal.line(f"  finished  {finished}")
    for i, step in enumerate(report.steps, 1):
        terminal.line("")
        terminal.line(f"Step {i}: {step.title} [{step.id}]: {step.status}")
        if step.skip_reason:
            terminal.field("  skipped because ", step.skip_reason)
        elif step.note and not step.notes:
            terminal.field("  note  ", step.note)
        for note in step.notes:
            terminal.field("  note  ", note)
        if step.checks:
            terminal.table(CHECK_COLUMNS, check_rows(step.checks))
    run_notes = [n for n in report.notes if n.step_id is None]
    for n in run_notes:
        terminal.field("note  ", n.text)


CHECK_COLUMNS = ("check", "kind", "status", "value", "bound", "detail")


DURATION_KINDS = frozenset({"freshness", "sla"})
"""Check kinds whose value is seconds (an age, or how late): shown as a duration."""


def render_value(value: float | str | None, kind: str | None = None) -> str:
    if value is None:
        return "-"
    if isinstance(value, str):  # runs recorded before values were always numbers
        return value
    if kind in DURATION_KINDS:
        text = format_duration(timedelta(seconds=abs(value)))
        return f"-{text}" if value < 0 else text
    if value == int(value) and abs(value) < 1e15:
        return f"{int(value):,}"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.4g}"


def check_rows(results: Sequence[CheckOut]) -> list[list[str]]:
    return [
        [r.id, r.kind, r.status, render_value(r.value, r.kind), r.bound or "-", r.detail]
        for r in results
    ]
