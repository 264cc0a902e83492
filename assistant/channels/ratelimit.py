"""Per-chat flood protection shared by every channel.

A citizen who pastes a question twenty times, or a script hammering a webhook, must not slow
the bot down for everyone else nor push us over the platform's own send limits. We keep a
sliding-window log of accepted messages per key (e.g. "telegram:12345") and refuse the
excess. Refused attempts are not recorded, so a flood does not extend its own lockout.

Memory is bounded: at most `max_keys` keys (least recently seen evicted first) and at most
`limit` timestamps per key; idle keys are dropped as we go.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RateDecision:
    allowed: bool
    first_refusal: bool = False  # the first refusal since the key was last allowed: tell the user once
    retry_after: float = 0.0  # seconds until the next message would be accepted


class _Bucket:
    __slots__ = ("hits", "warned")

    def __init__(self, limit: int) -> None:
        self.hits: deque[float] = deque(maxlen=limit)
        self.warned = False


class SlidingWindowLimiter:
    """`limit` messages per `window` seconds per key. Thread-safe (web workers use threads)."""

    def __init__(self, limit: int = 20, window: float = 60.0, max_keys: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if limit < 1 or window <= 0 or max_keys < 1:
            raise ValueError("limit, window and max_keys must be positive")
        self.limit = limit
        self.window = float(window)
        self.max_keys = max_keys
        self.clock = clock
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()
        self._lock = threading.Lock()

    def allow(self, key: str, now: float | None = None) -> bool:
        """True when a message from `key` may be processed now (and count it)."""
        return self.hit(key, now).allowed

    def hit(self, key: str, now: float | None = None) -> RateDecision:
        """Count one message from `key`; say whether it is allowed and, if not, whether this is
        the first refusal (so the channel answers politely once instead of once per message)."""
        now = self.clock() if now is None else now
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = self._buckets[key] = _Bucket(self.limit)
                self._evict(now)
            else:
                self._buckets.move_to_end(key)
            hits = bucket.hits
            horizon = now - self.window
            while hits and hits[0] <= horizon:
                hits.popleft()
            if len(hits) < self.limit:
                hits.append(now)
                bucket.warned = False
                return RateDecision(True)
            first = not bucket.warned
            bucket.warned = True
            return RateDecision(False, first_refusal=first, retry_after=max(0.0, hits[0] + self.window - now))

    def _evict(self, now: float) -> None:
        """Drop the least recently seen keys beyond `max_keys`, and a couple of idle ones."""
        while len(self._buckets) > self.max_keys:
            self._buckets.popitem(last=False)
        for _ in range(2):  # amortised cleanup: each new key retires up to two idle keys
            oldest_key = next(iter(self._buckets))
            oldest = self._buckets[oldest_key]
            if len(self._buckets) > 1 and (not oldest.hits or oldest.hits[-1] <= now - self.window):
                del self._buckets[oldest_key]
            else:
                break

    def __len__(self) -> int:
        return len(self._buckets)


__all__ = ["RateDecision", "SlidingWindowLimiter"]
