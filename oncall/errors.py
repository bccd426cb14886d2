"""One error tree. Every error the user can see is an ``OncallError`` with an exit code.

Exit codes:
    0   ok
    1   a check or validation found problems
    2   usage or config error
    3   an external system is unavailable
    130 interrupted
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path


class OncallError(Exception):
    """Base of every error shown to the user: the message is the whole story."""

    exit_code = 1


class UsageError(OncallError):
    """A bad command-line argument or option value."""

    exit_code = 2


class ConfigError(OncallError):
    """One or more problems in the config files, each located as ``file:line:col``."""

    exit_code = 2

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(p.render() for p in problems))


class Severity(StrEnum):
    """How bad a ``Problem`` is; renders as its value (``error``, ``warning``)."""

    error = "error"
    warning = "warning"


class Problem:
    """One finding of config validation: an error or a warning at a file location."""

    __slots__ = ("col", "line", "message", "path", "severity")

    def __init__(
        self,
        path: Path | str,
        line: int,
        col: int,
        message: str,
        severity: Severity | str = Severity.error,
    ) -> None:
        self.path = str(path)
        self.line = line
        self.col = col
        self.message = message
        self.severity = Severity(severity)

    def render(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.severity.value}: {self.message}"

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"Problem({self.render()!r})"


class ConfigNotFoundError(OncallError):
    """No config directory could be found."""

    exit_code = 2


class StateSourceError(OncallError):
    """A state source (local files, Cloud Monitoring) cannot answer."""

    exit_code = 3


class StateDataError(StateSourceError):
    """A state file on disk is malformed: the user's data, located as ``file:line``.

    A usage/config-class problem (exit 2), unlike an unreachable source (exit 3). It subclasses
    ``StateSourceError`` so that ``fetch_all`` reports it per query like any other failure.
    """

    exit_code = 2


class DeliveryError(OncallError):
    """No paging channel could deliver; the page is kept in the outbox."""

    exit_code = 3


class StoreError(OncallError):
    """The local SQLite store cannot be opened or written."""

    exit_code = 3


class GitError(OncallError):
    """git is not installed or did not answer (``oncall schedule diff`` reads revisions)."""

    exit_code = 3


class NotFoundError(OncallError):
    """A named thing (pipeline, person, runbook, run, page) does not exist."""

    exit_code = 2


# --- roster: holiday calendars -------------------------------------------------------


class CalendarError(OncallError):
    """A holiday calendar that the ``holidays`` package does not know (a config problem)."""

    exit_code = 2


# --- paging ---------------------------------------------------------------------------


class PagingNotConfiguredError(OncallError):
    """``paging.yaml`` is missing from the config directory."""

    exit_code = 2

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(
            f"paging is not configured: {path} does not exist; copy the example from the "
            "project's config/paging.yaml and set its environment variables (see docs/paging.md)"
        )


class MissingSecretError(OncallError):
    """A secret's environment variable is not set (the message names the variable only)."""

    exit_code = 2

    def __init__(self, env_name: str, *, use: str = "paging", doc: str = "docs/paging.md") -> None:
        self.env_name = env_name
        super().__init__(
            f"environment variable {env_name} is not set; export it before {use} (see {doc})"
        )


class MissingSecretsError(OncallError):
    """Secrets a command needs are not in the environment (names only, never values)."""

    exit_code = 2

    def __init__(self, names: list[str] | tuple[str, ...], *, why: str = "") -> None:
        self.names = list(names)
        which = ", ".join(self.names)
        noun = "variable" if len(self.names) == 1 else "variables"
        verb = "is" if len(self.names) == 1 else "are"
        example = f"export {self.names[0]}=..." if self.names else "export ..."
        super().__init__(
            f"{why}environment {noun} {which} {verb} not set; export before paging, "
            f"e.g. `{example}` (see docs/paging.md)"
        )


class NoChannelError(OncallError):
    """A dry run found that no channel could deliver, for a reason other than secrets."""

    exit_code = 2


class BadBackoffError(OncallError):
    """``$ONCALL_BACKOFF_BASE`` is not a usable number of seconds."""

    exit_code = 2


class PageNotDeliveredError(DeliveryError):
    """No channel delivered; the notification is kept in the outbox (exit 3).

    ``summary`` is the JSON of what was attempted (the command's result)."""

    def __init__(self, message: str, summary: dict[str, object] | None = None) -> None:
        super().__init__(message)
        self.summary = summary or {}


class TransientDeliveryError(Exception):
    """One failed delivery attempt worth retrying (429, 5xx, a network error).

    Internal to the pagers and publishers, which retry it and report a result: never shown
    as such, so it has no exit code."""

    def __init__(self, detail: str, retry_after: float | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.retry_after = retry_after


class PermanentDeliveryError(Exception):
    """One failed delivery attempt that retrying cannot fix (400-class, redirects, bad config).

    Internal like ``TransientDeliveryError``: the attempt's result reports it."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


# -- runbooks and state sources -------------------------------------------------------------


class SourceSpecError(ValueError):
    """A state source's settings cannot be used; ``key`` names the setting at fault.

    Raised while building a source; the state.yaml loader places it at that key.
    """

    def __init__(self, message: str, *, key: str | None = None) -> None:
        super().__init__(message)
        self.key = key


class InterruptedRunError(OncallError):
    """Ctrl-C or Ctrl-D during a run: the run stays ``running``, so it can be resumed."""

    exit_code = 130

    def __init__(self, runbook: str, run_id: str) -> None:
        self.runbook = runbook
        self.run_id = run_id
        super().__init__(
            f"interrupted: run {run_id} is unfinished; resume with: "
            f"oncall runbook {runbook} --resume {run_id}"
        )


# --- scaffold ------------------------------------------------------------------------


class ProjectExistsError(UsageError):
    """``oncall init`` would overwrite a file (or DIR is a file): nothing was written."""


# --- publish -------------------------------------------------------------------------


class PublishNotConfiguredError(OncallError):
    """``publish.yaml`` is missing, or has no section for the target asked for."""

    exit_code = 2


class PublishMappingError(OncallError):
    """A person on a published rotation cannot be mapped to a user of the target."""

    exit_code = 2


class PublishBusyError(OncallError):
    """Another run is publishing to the same target (it holds the target's lease)."""

    exit_code = 3

    def __init__(
        self, target: str, *, holder: str, since: datetime, until: datetime | None
    ) -> None:
        self.target = target
        self.holder = holder
        ends = f", until {until.astimezone(UTC):%Y-%m-%d %H:%M} UTC" if until else ""
        super().__init__(
            f"publish {target}: another run ({holder}) has been publishing since "
            f"{since.astimezone(UTC):%Y-%m-%d %H:%M} UTC{ends}; nothing was changed: run "
            "again once it has finished (a run that died gives way when its lease runs out)"
        )


class PublishUnavailableError(OncallError):
    """The target (PagerDuty, Slack) cannot be reached, refused a request or an item."""

    exit_code = 3
