"""The claim lease under a slow platform, step by step on a controlled clock (no sleeping).

A worker claims a batch at once but sends it one row at a time. When sending is slow, the claim
on the last rows of the batch runs out while the worker is still busy with the first ones, and
another worker may legitimately claim them. The dispatcher renews each row's claim just before
sending it and skips rows another worker has taken, so nothing is sent twice.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from assistant.channels.delivery import OutboxDispatcher
from assistant.config import CLAIM_SECONDS_ENV, DEFAULT_CLAIM_SECONDS
from assistant.store import Outbox

T0 = dt.datetime(2026, 11, 23, 9, 0, 0)
LEASE = 60.0


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


class ClockedOutbox:
    """The real Outbox, reading "now" from the test's clock instead of the wall clock."""

    def __init__(self, outbox: Outbox, clock: Clock) -> None:
        self.outbox = outbox
        self.clock = clock

    def claim(self, worker_id, limit=20, now=None, channel=None):
        return self.outbox.claim(worker_id, limit, self.clock.now, channel=channel)

    def renew(self, item_id, worker_id, now=None):
        return self.outbox.renew(item_id, worker_id, self.clock.now)

    def mark_delivered(self, item_id, now=None):
        self.outbox.mark_delivered(item_id, self.clock.now)

    def mark_failed(self, item_id, error, retry_at):
        self.outbox.mark_failed(item_id, error, retry_at)


async def test_a_slow_batch_never_sends_a_row_another_worker_took_over(engine):
    outbox = Outbox(engine, claim_seconds=LEASE)
    ids = [outbox.add("zalo", f"user-{n}", f"🔔 {n}", now=T0) for n in range(5)]
    clock = Clock()
    sent: list[tuple[str, str]] = []

    async def fast(chat_id: str, text: str) -> None:
        sent.append(("B", chat_id))

    other = OutboxDispatcher(ClockedOutbox(outbox, clock), "zalo", fast, "worker-b")

    async def slow(chat_id: str, text: str) -> None:
        """Each send takes 25 s. During the third, the other worker drains: by then the claim on
        rows 4 and 5 (taken at T0 for 60 s) has run out, so it claims and delivers them."""
        sent.append(("A", chat_id))
        clock.advance(25)
        if len(sent) == 3:
            assert await other.drain_once() == 2

    busy = OutboxDispatcher(ClockedOutbox(outbox, clock), "zalo", slow, "worker-a")
    assert await busy.drain_once() == 3  # rows 4 and 5 skipped: no longer ours

    assert Counter(chat for _, chat in sent) == Counter(f"user-{n}" for n in range(5))  # each exactly once
    assert [who for who, _ in sent] == ["A", "A", "A", "B", "B"]
    assert outbox.pending() == 0
    assert outbox.claim("worker-c", now=T0 + dt.timedelta(days=1)) == []
    assert len(ids) == 5


def test_renew_extends_only_the_claimants_own_undelivered_rows(engine):
    outbox = Outbox(engine, claim_seconds=LEASE)
    item = outbox.add("zalo", "u", "🔔", now=T0)
    (claimed,) = outbox.claim("worker-a", now=T0)
    assert not outbox.renew(claimed.id, "worker-b", T0)  # someone else's claim
    assert outbox.renew(claimed.id, "worker-a", T0 + dt.timedelta(seconds=50))
    # Renewed at T0+50 for 60 s: still claimed at T0+100, free again after T0+110.
    assert outbox.claim("worker-b", now=T0 + dt.timedelta(seconds=100)) == []
    (retaken,) = outbox.claim("worker-b", now=T0 + dt.timedelta(seconds=111))
    assert retaken.id == item and not outbox.renew(item, "worker-a", T0 + dt.timedelta(seconds=112))
    outbox.mark_delivered(item, T0 + dt.timedelta(seconds=113))
    assert not outbox.renew(item, "worker-b", T0 + dt.timedelta(seconds=114))  # delivered: nothing to renew


@pytest.mark.parametrize(("raw", "expected"), [
    (None, DEFAULT_CLAIM_SECONDS), ("5", 5.0), ("2.5", 2.5), ("0", DEFAULT_CLAIM_SECONDS),
    ("-3", DEFAULT_CLAIM_SECONDS), ("soon", DEFAULT_CLAIM_SECONDS), ("", DEFAULT_CLAIM_SECONDS),
])
def test_lease_comes_from_the_environment(monkeypatch, sqlite_engine, raw, expected):
    if raw is None:
        monkeypatch.delenv(CLAIM_SECONDS_ENV, raising=False)
    else:
        monkeypatch.setenv(CLAIM_SECONDS_ENV, raw)
    assert Outbox(sqlite_engine).claim_seconds == expected
    assert Outbox(sqlite_engine, claim_seconds=7).claim_seconds == 7  # an explicit value wins
