from __future__ import annotations

import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.channels.ratelimit import SlidingWindowLimiter


def test_twenty_a_minute_then_refused_until_the_window_slides():
    limiter = SlidingWindowLimiter(limit=20, window=60)
    assert all(limiter.allow("telegram:1", now=float(i)) for i in range(20))
    refused = limiter.hit("telegram:1", now=20.0)
    assert not refused.allowed and refused.first_refusal and refused.retry_after == pytest.approx(40.0)
    again = limiter.hit("telegram:1", now=30.0)
    assert not again.allowed and not again.first_refusal  # tell the citizen once, not on every message
    assert limiter.allow("telegram:1", now=60.5)  # the first message (t=0) left the window
    assert not limiter.allow("telegram:1", now=60.6)
    assert limiter.hit("telegram:1", now=61.5).allowed  # t=1 left the window too


def test_refusals_do_not_extend_the_lockout():
    limiter = SlidingWindowLimiter(limit=2, window=10)
    assert limiter.allow("k", 0) and limiter.allow("k", 1)
    for t in range(2, 10):
        assert not limiter.allow("k", t)
    assert limiter.allow("k", 10.01)


def test_keys_are_independent():
    limiter = SlidingWindowLimiter(limit=1, window=60)
    assert limiter.allow("telegram:1", 0)
    assert not limiter.allow("telegram:1", 1)
    assert limiter.allow("telegram:2", 1) and limiter.allow("zalo:1", 1)


def test_first_refusal_resets_after_an_allowed_message():
    limiter = SlidingWindowLimiter(limit=1, window=10)
    limiter.allow("k", 0)
    assert limiter.hit("k", 1).first_refusal
    assert limiter.allow("k", 11)
    assert limiter.hit("k", 12).first_refusal


def test_memory_is_bounded_by_max_keys_and_idle_keys_are_dropped():
    limiter = SlidingWindowLimiter(limit=5, window=60, max_keys=100)
    for i in range(10_000):
        limiter.allow(f"chat:{i}", now=float(i % 30))
    assert len(limiter) <= 100
    quiet = SlidingWindowLimiter(limit=5, window=1)
    for i in range(1000):
        quiet.allow(f"chat:{i}", now=float(i))  # each key idle long before the next arrives
    assert len(quiet) <= 3


def test_thread_safe_counting():
    limiter = SlidingWindowLimiter(limit=1000, window=60, clock=lambda: 0.0)
    allowed = []

    def worker() -> None:
        allowed.append(sum(limiter.allow("k") for _ in range(500)))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert sum(allowed) == 1000


def test_rejects_nonsense_configuration():
    for kwargs in ({"limit": 0}, {"window": 0}, {"max_keys": 0}):
        with pytest.raises(ValueError):
            SlidingWindowLimiter(**kwargs)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.floats(0, 1000, allow_nan=False)), max_size=200))
def test_never_more_than_limit_in_any_window(events):
    limiter = SlidingWindowLimiter(limit=3, window=10)
    accepted: dict[int, list[float]] = {}
    now = 0.0
    for key, step in events:
        now += step / 100  # time only moves forward
        if limiter.allow(str(key), now):
            accepted.setdefault(key, []).append(now)
    for times in accepted.values():
        for i, t in enumerate(times):
            assert sum(1 for u in times[i:] if u - t < 10) <= 3
