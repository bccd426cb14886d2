"""Python's cycle collector paused while a command builds many long-lived objects.

Loading a config (YAML nodes, then pydantic models), reading state points or building a
long schedule makes tens of thousands of small objects that form no cycles; meanwhile the
collector would walk the whole heap again and again (each full collection is due when the
survivors grow by a quarter). Paused, the objects then join the oldest generation without
being walked (``gc.freeze`` then ``gc.unfreeze``: nothing stays frozen), where the next full
collection, as ever, finds any cycle among them.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collector_paused"]


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cycle collector off inside; nested or already disabled: no change."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        if gc.get_freeze_count() == 0:  # nobody else froze objects that this would thaw
            gc.freeze()
            gc.unfreeze()
        gc.enable()
