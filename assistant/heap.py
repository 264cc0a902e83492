"""Keep the garbage collector's full passes short in a serving process.

A worker builds the catalogue, the matcher's indexes and compiled patterns once: millions of
objects that live as long as the process. CPython's full (generation 2) collection walks every
tracked object, so each one took 70–200 ms in a web worker under load, holding the GIL: the
event loop and the turn thread stood still and the web benchmark's p99 went to hundreds of
milliseconds. `settle()` moves what exists after start-up into the permanent generation
(`gc.freeze`), which the collector never walks; full passes then see only what requests create.

Frozen objects are never collected as cycles, so a catalogue reload settles again: unfreeze,
one full collection (the old catalogue's cycles go), freeze what is left. That costs one pause
per catalogue edit instead of one every few seconds.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")
_lock = threading.Lock()


def settle() -> int:
    """Collect once, then freeze every object that survived; returns how many are frozen."""
    with _lock:
        gc.unfreeze()
        gc.collect()
        gc.freeze()
        return gc.get_freeze_count()


def settling(reload: Callable[[], T]) -> Callable[[], T]:
    """`reload` (e.g. `Assistant.reload`), then `settle()`: what the catalogue watcher calls."""

    def run() -> T:
        result = reload()
        settle()
        return result

    return run


__all__ = ["settle", "settling"]
