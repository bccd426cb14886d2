"""One error tree. Every error the user can see is an ``OncallError`` with an exit code.

Exit codes:
    0   ok
    1   a check or validation found problems
    2   usage or config error
    3   an external system is unavailable
    130 interrupted
"""

from __future__ import annotations

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


class Problem:
    """One finding of config validation: an error or a warning at a file location."""

    __slots__ = ("col", "line", "message", "path", "severity")

    def __init__(
        self,
        path: Path | str,
        line: int,
        col: int,
        message: str,
        severity: str = "error",
    ) -> None:
        self.path = str(path)
        self.line = line
        self.col = col
        self.message = message
        self.severity = severity

    def render(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.severity}: {self.message}"

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


class NotFoundError(OncallError):
    """A named thing (pipeline, person, runbook, run, page) does not exist."""

    exit_code = 2


class ChecksFailedError(OncallError):
    """Checks or validation found problems; the output already says which."""

    exit_code = 1
