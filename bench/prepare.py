"""What every timed suite measures: the tool as an install leaves it, bytecode compiled.

``PYTHONDONTWRITEBYTECODE`` (set in some shells and CI images) makes every timed command
compile each module it imports that has no up-to-date ``.pyc``, a cost no installed copy
pays (pip compiles at install time): ``prepare`` drops it for the commands timed and
compiles the package once.
"""

from __future__ import annotations

import compileall
import os
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "oncall"


def prepare() -> None:
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    compileall.compile_dir(PACKAGE, quiet=1)
