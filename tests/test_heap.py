"""The collector's full passes skip what start-up built (assistant.heap)."""

from __future__ import annotations

import gc

from assistant.heap import settle, settling


def test_settle_freezes_what_exists_and_a_reload_settles_again():
    try:
        frozen = settle()
        assert frozen > 1000 and abs(gc.get_freeze_count() - frozen) < 100
        built_by_reload = [[i] for i in range(5000)]  # tracked containers a catalogue reload would build
        calls = []
        reload = settling(lambda: calls.append(1) or ["problem"])
        assert reload() == ["problem"] and calls == [1]  # the reload's own result is passed through
        assert gc.get_freeze_count() >= frozen + len(built_by_reload) - 100
    finally:
        gc.unfreeze()


def test_settling_collects_cycles_frozen_before_a_reload():
    class Node:
        def __init__(self) -> None:
            self.me = self

    import weakref

    try:
        # Many cycles, so objects other threads create meanwhile cannot hide the drop.
        cycles = [Node() for _ in range(10_000)]
        probe = weakref.ref(cycles[0])
        settle()
        before = gc.get_freeze_count()
        del cycles  # garbage only a collection can free: it must not stay frozen forever
        settle()
        assert gc.get_freeze_count() < before
        assert probe() is None
    finally:
        gc.unfreeze()
