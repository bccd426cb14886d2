"""httpx, imported without its command-line client.

``httpx/__init__`` imports ``httpx._main``, the ``httpx`` console command, which imports
click, rich and pygments: about a third of what importing httpx costs (some 35 ms at the
start of every ``oncall page`` command), for a command the pagers never run. While httpx is
first imported here, ``httpx._main`` is blocked (``None`` in ``sys.modules``, so httpx's own
fallback catches the ImportError); then it is unblocked and ``httpx.main`` made to import
the real one when called, so ``httpx.main`` and ``import httpx._main`` work as before.

``from oncall.adapters.pagers.httpxlib import httpx`` instead of ``import httpx``.
"""

from __future__ import annotations

import sys
from typing import Any

__all__ = ["httpx"]

_CLI = "httpx._main"


def _main(*args: Any, **kwargs: Any) -> Any:
    """``httpx.main``: the command-line client, imported when it is run."""
    from httpx._main import main

    return main(*args, **kwargs)


def _import_without_cli() -> None:
    if "httpx" in sys.modules or _CLI in sys.modules:
        return  # imported already (with its CLI or without): nothing to save
    sys.modules[_CLI] = None  # type: ignore[assignment]
    try:
        import httpx
    finally:
        if _CLI in sys.modules and sys.modules[_CLI] is None:
            del sys.modules[_CLI]
    httpx.main = _main  # type: ignore[assignment]  # the click command, when called


_import_without_cli()

import httpx  # noqa: E402  (after the import above, which it only looks up)
