"""Where each key and value of a YAML document sits in its file (for located errors)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from oncall.errors import Problem

PathKey = tuple[str | int, ...]


@dataclass
class Marks:
    """Where each value (and each mapping key) of a YAML document sits in its file."""

    path: Path
    values: dict[PathKey, tuple[int, int]] = field(default_factory=dict)
    keys: dict[PathKey, tuple[int, int]] = field(default_factory=dict)

    def to_plain(self) -> dict[str, Any]:
        """The positions as JSON data (the caches keep them so): ``values`` and ``keys``,
        each a list of ``[path, line, col]``."""
        return {
            "values": [[list(k), *v] for k, v in self.values.items()],
            "keys": [[list(k), *v] for k, v in self.keys.items()],
        }

    def load_plain(self, raw: Any) -> None:
        """Take the positions from ``to_plain``'s data; KeyError, TypeError or ValueError
        when it is not that shape (nothing is taken then)."""
        values = {tuple(k): (line, col) for k, line, col in raw["values"]}
        keys = {tuple(k): (line, col) for k, line, col in raw["keys"]}
        self.values, self.keys = values, keys

    def locate(self, loc: Sequence[str | int], *, key: bool = False) -> tuple[int, int]:
        """Line and column (1-based) of ``loc``, or of its nearest known parent."""
        parts = tuple(loc)
        while True:
            table = self.keys if key else self.values
            if parts in table:
                return table[parts]
            if key and parts in self.values:
                return self.values[parts]
            if not parts:
                return (1, 1)
            parts = parts[:-1]
            key = False

    def problem(
        self, loc: Sequence[str | int], message: str, *, key: bool = False, severity: str = "error"
    ) -> Problem:
        line, col = self.locate(loc, key=key)
        return Problem(self.path, line, col, message, severity)
