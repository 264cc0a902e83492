"""Caches of text -> result bounded by the memory they hold, not by their number of entries.

`functools.lru_cache(maxsize=65536)` keyed by message text holds 65,536 messages whatever their
length: with unique 2,000-character messages that is gigabytes per process. These caches count
the bytes of each key and value (`sys.getsizeof`) and evict the least recently used entries
beyond their budget; texts longer than `max_key_chars` are computed without being cached at all
(a long message is almost never repeated verbatim). The budget of every cache is set at start-up
from `Settings.cache_bytes` (`configure`).
"""

from __future__ import annotations

import functools
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

R = TypeVar("R")
ENTRY_OVERHEAD = 120  # the OrderedDict node and bookkeeping, per entry
DEFAULT_BYTES = 8 * 1024 * 1024
_caches: list[ByteBoundedCache] = []


class ByteBoundedCache(Generic[R]):
    def __init__(self, func: Callable[[str], R], max_bytes: int = DEFAULT_BYTES, max_key_chars: int = 512) -> None:
        self.func = func
        self.max_bytes = max_bytes
        self.max_key_chars = max_key_chars
        self.bytes = 0
        self._entries: OrderedDict[str, tuple[R, int]] = OrderedDict()
        self._lock = threading.Lock()
        functools.update_wrapper(self, func)

    def __call__(self, text: str) -> R:
        if len(text) > self.max_key_chars:
            return self.func(text)
        with self._lock:
            entry = self._entries.get(text)
            if entry is not None:
                self._entries.move_to_end(text)
                return entry[0]
        value = self.func(text)
        cost = sys.getsizeof(text) + sys.getsizeof(value) + ENTRY_OVERHEAD
        with self._lock:
            if text not in self._entries and cost <= self.max_bytes:
                self._entries[text] = (value, cost)
                self.bytes += cost
                while self.bytes > self.max_bytes:
                    _, (_, freed) = self._entries.popitem(last=False)
                    self.bytes -= freed
        return value

    def cache_clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.bytes = 0

    def __len__(self) -> int:
        return len(self._entries)


def byte_bounded(max_key_chars: int = 512) -> Callable[[Callable[[str], R]], ByteBoundedCache[R]]:
    """Decorator: a module-level cache registered for `configure`."""

    def wrap(func: Callable[[str], R]) -> ByteBoundedCache[R]:
        cache = ByteBoundedCache(func, max_key_chars=max_key_chars)
        _caches.append(cache)
        return cache

    return wrap


def configure(total_bytes: int) -> None:
    """Share `total_bytes` among the registered caches (0 turns caching off)."""
    share = total_bytes // max(1, len(_caches))
    for cache in _caches:
        with cache._lock:
            cache.max_bytes = share
        if cache.bytes > share:
            cache.cache_clear()


def cached_bytes() -> int:
    """What the registered caches hold now (for tests and metrics)."""
    return sum(cache.bytes for cache in _caches)


__all__ = ["ByteBoundedCache", "byte_bounded", "cached_bytes", "configure"]
