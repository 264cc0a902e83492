"""OutboxDispatcher on the real Outbox (SQLite, and PostgreSQL when available).

The `send` callable is the channel contract (chat_id, text); here it stands in for a platform
that accepts, fails or asks us to wait, so the dispatcher's bookkeeping is checked on real rows.
"""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from sqlalchemy import select

from assistant.channels.delivery import (
    DeliveryError,
    OutboxDispatcher,
    exponential_backoff,
    release_claims,
    utcnow,
)
from assistant.store import Outbox
from assistant.store.models import OutboxRow

T0 = dt.datetime(2026, 11, 20, 9, 0, 0)


def add(engine, chat_id: str, text: str, channel: str = "telegram", at: dt.datetime = T0) -> int:
    return Outbox(engine).add(channel, chat_id, text, dossier_code="000.00.10.H32-261120-0001", now=at)


def rows(engine) -> dict[int, object]:
    with engine.connect() as conn:
        return {r.id: r for r in conn.execute(select(OutboxRow.__table__))}


class Platform:
    """Records deliveries; fails according to a script of outcomes per call."""

    def __init__(self, *script: Exception | None) -> None:
        self.script = list(script)
        self.sent: list[tuple[str, str]] = []
        self.attempts = 0

    async def __call__(self, chat_id: str, text: str) -> None:
        self.attempts += 1
        outcome = self.script.pop(0) if self.script else None
        if outcome is not None:
            raise outcome
        self.sent.append((chat_id, text))


@pytest.fixture
def outbox(engine):
    return Outbox(engine)


async def test_delivers_only_its_channel_and_marks_after_success(engine, outbox):
    a = add(engine, "1", "🔔 một")
    b = add(engine, "2", "🔔 hai")
    zalo = add(engine, "3", "zalo", channel="zalo")
    platform = Platform()
    dispatcher = OutboxDispatcher(outbox, "telegram", platform, "w1")
    assert await dispatcher.drain_once(now=T0) == 2
    assert platform.sent == [("1", "🔔 một"), ("2", "🔔 hai")]
    state = rows(engine)
    assert state[a].delivered_at == T0 and state[b].delivered_at == T0
    assert state[zalo].delivered_at is None
    assert await dispatcher.drain_once(now=T0 + dt.timedelta(hours=1)) == 0  # nothing twice
    assert len(platform.sent) == 2


async def test_transient_failure_backs_off_exponentially_and_is_never_lost(engine, outbox):
    item = add(engine, "1", "🔔")
    platform = Platform(DeliveryError("502"), DeliveryError("timeout"), None)
    dispatcher = OutboxDispatcher(outbox, "telegram", platform, "w1")

    assert await dispatcher.drain_once(now=T0) == 0
    row = rows(engine)[item]
    assert row.attempts == 1 and row.delivered_at is None and row.last_error == "transient: 502"
    assert row.next_attempt_at == T0 + dt.timedelta(seconds=exponential_backoff(0))

    assert await dispatcher.drain_once(now=T0 + dt.timedelta(seconds=1)) == 0  # not due yet
    assert platform.attempts == 1

    t1 = row.next_attempt_at
    assert await dispatcher.drain_once(now=t1) == 0
    row = rows(engine)[item]
    assert row.attempts == 2 and row.next_attempt_at == t1 + dt.timedelta(seconds=exponential_backoff(1))
    assert exponential_backoff(1) == 2 * exponential_backoff(0)

    assert await dispatcher.drain_once(now=row.next_attempt_at) == 1
    assert rows(engine)[item].delivered_at is not None and platform.sent == [("1", "🔔")]


async def test_retry_after_is_honoured_and_defers_the_rest_of_the_batch(engine, outbox):
    first, second, third = (add(engine, str(i), f"🔔 {i}") for i in range(3))
    platform = Platform(None, DeliveryError("flood", retry_after=7))
    dispatcher = OutboxDispatcher(outbox, "telegram", platform, "w1")
    assert await dispatcher.drain_once(now=T0) == 1
    assert platform.attempts == 2  # the third was not attempted after the platform said wait
    state = rows(engine)
    assert state[first].delivered_at is not None
    for item in (second, third):
        assert state[item].delivered_at is None
        assert state[item].next_attempt_at == T0 + dt.timedelta(seconds=7)
    assert await dispatcher.drain_once(now=T0 + dt.timedelta(seconds=7)) == 2
    assert [chat for chat, _ in platform.sent] == ["0", "1", "2"]


async def test_permanent_failure_is_kept_for_much_later(engine, outbox):
    item = add(engine, "1", "🔔")
    dispatcher = OutboxDispatcher(outbox, "telegram", Platform(DeliveryError("blocked", permanent=True)), "w1")
    await dispatcher.drain_once(now=T0)
    row = rows(engine)[item]
    assert row.delivered_at is None and row.last_error == "permanent: blocked"
    assert row.next_attempt_at >= T0 + dt.timedelta(days=7)


async def test_an_adapter_bug_does_not_lose_the_row(engine, outbox):
    item = add(engine, "1", "🔔")
    dispatcher = OutboxDispatcher(outbox, "telegram", Platform(KeyError("bug")), "w1")
    assert await dispatcher.drain_once(now=T0) == 0
    row = rows(engine)[item]
    assert row.delivered_at is None and row.attempts == 1 and "KeyError" in row.last_error


async def test_two_workers_never_send_the_same_row(engine):
    for i in range(30):
        add(engine, str(i), f"🔔 {i}")
    platform = Platform()
    one = OutboxDispatcher(Outbox(engine), "telegram", platform, "w1", batch=7)
    two = OutboxDispatcher(Outbox(engine), "telegram", platform, "w2", batch=7)
    for _ in range(6):
        await asyncio.gather(one.drain_once(now=T0), two.drain_once(now=T0))
    assert sorted(int(chat) for chat, _ in platform.sent) == list(range(30))


async def test_a_crash_after_claiming_redelivers_when_the_claim_expires(engine):
    item = add(engine, "1", "🔔")
    outbox = Outbox(engine, claim_seconds=60)
    assert [i.id for i in outbox.claim("dead-worker", 20, T0, channel="telegram")] == [item]  # then it died
    platform = Platform()
    dispatcher = OutboxDispatcher(outbox, "telegram", platform, "w2")
    assert await dispatcher.drain_once(now=T0 + dt.timedelta(seconds=30)) == 0  # still claimed
    assert await dispatcher.drain_once(now=T0 + dt.timedelta(seconds=61)) == 1
    assert platform.sent == [("1", "🔔")]


async def test_shutdown_mid_batch_stops_sending_and_hands_the_rest_back(engine):
    for i in range(5):
        add(engine, str(i), f"🔔 {i}")
    stop = asyncio.Event()
    sent: list[str] = []

    async def send(chat_id: str, text: str) -> None:
        sent.append(chat_id)
        if len(sent) == 2:
            stop.set()  # SIGTERM arrives while the second item is being sent

    outbox = Outbox(engine, claim_seconds=600)
    dispatcher = OutboxDispatcher(outbox, "telegram", send, "w1")
    assert await dispatcher.drain_once(now=T0, stop=stop) == 2
    assert sent == ["0", "1"]
    held = [r for r in rows(engine).values() if r.claimed_by == "w1"]
    assert len(held) == 3  # claimed for the batch, never started
    await release_claims(outbox, "w1", "telegram")
    assert all(r.claimed_by is None and r.claimed_until is None for r in rows(engine).values())
    # Another worker sends the rest at once, not after the 10-minute lease.
    other = Platform()
    assert await OutboxDispatcher(outbox, "telegram", other, "w2").drain_once(now=T0) == 3
    assert sorted(chat for chat, _ in other.sent) == ["2", "3", "4"]


async def test_release_leaves_delivered_rows_and_other_workers_alone(engine):
    mine, theirs = add(engine, "1", "a"), add(engine, "2", "b")
    outbox = Outbox(engine)
    outbox.claim("w1", 1, T0, channel="telegram")
    outbox.claim("w2", 1, T0, channel="telegram")
    done = add(engine, "3", "c")
    outbox.claim("w1", 1, T0, channel="telegram")
    outbox.mark_delivered(done, T0)
    assert outbox.release("w1") == 1
    state = rows(engine)
    assert state[mine].claimed_by is None and state[theirs].claimed_by == "w2"
    assert state[done].delivered_at is not None


async def test_run_loop_drains_until_stopped_and_survives_database_errors(engine, outbox):
    add(engine, "1", "🔔", at=utcnow() - dt.timedelta(seconds=1))
    platform = Platform()

    class Flaky:
        """The real outbox whose first claim hits a database outage."""

        def __init__(self) -> None:
            self.calls = 0

        def claim(self, *args, **kwargs):
            self.calls += 1
            if self.calls == 1:
                raise ConnectionError("database restarting")
            return outbox.claim(*args, **kwargs)

        def mark_delivered(self, *args, **kwargs):
            return outbox.mark_delivered(*args, **kwargs)

        def mark_failed(self, *args, **kwargs):
            return outbox.mark_failed(*args, **kwargs)

    dispatcher = OutboxDispatcher(Flaky(), "telegram", platform, "w1")
    stop = asyncio.Event()
    task = asyncio.create_task(dispatcher.run(stop, interval=0.02))
    for _ in range(200):
        if platform.sent:
            break
        await asyncio.sleep(0.01)
    assert platform.sent == [("1", "🔔")]

    add(engine, "2", "🔔 2", at=utcnow() - dt.timedelta(seconds=1))
    dispatcher.wake()
    for _ in range(200):
        if len(platform.sent) == 2:
            break
        await asyncio.sleep(0.01)
    assert len(platform.sent) == 2
    stop.set()
    await asyncio.wait_for(task, 2)


def test_backoff_is_capped():
    assert [exponential_backoff(n) for n in range(4)] == [5.0, 10.0, 20.0, 40.0]
    assert exponential_backoff(50) == 3600.0
    with pytest.raises(ValueError):
        OutboxDispatcher(None, "telegram", Platform(), "w", batch=0)
