"""Telegram and Zalo misbehaving: timeouts, 429 with retry-after, 5xx, in every combination a
notification may meet before it gets through.

tests/channels already covers a 429 or a 5xx on a reply and one failed notification; here: the
platform that does not answer at all (the bot's HTTP timeout), and one outbox notification that
survives a series of different failures, backs off as told, and is then delivered exactly once.
Time for the outbox is simulated (`drain_once(now=...)`), so nothing here waits for a backoff.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from assistant.app import attach_database
from assistant.channels.delivery import OutboxDispatcher, utcnow
from assistant.channels.telegram import build_application, channel_of, start_polling, stop_application
from assistant.channels.zalo import ZaloChannel
from assistant.config import Settings
from assistant.core import Assistant
from assistant.store import Outbox
from assistant.store.models import OutboxRow
from assistant.web.state import ConversationTurns
from tests.channels.telegram.conftest import say
from tests.channels.telegram.fake_bot_api import TOKEN
from tests.channels.zalo.conftest import text_event
from tests.channels.zalo.fake_zalo import APP_ID, APP_SECRET, OA_SECRET
from tests.faults.platforms import StallingBotApi, StallingZalo

QUESTION = "giay doc than mat bao lau"
NOTE = "Hồ sơ 000.00.10.H32-261120-0001 đã có kết quả. Mời bạn đến nhận."
CHAT = 6201
USER = "8800112233"
TIMEOUT = 1.0  # the bots' HTTP timeout in these tests


def row(engine, item_id: int):
    with engine.connect() as conn:
        return conn.execute(select(OutboxRow.__table__).where(OutboxRow.id == item_id)).one()


@pytest.fixture
def assistant(shipped_catalog, tmp_path, sqlite_engine) -> Assistant:
    settings = dataclasses.replace(Settings(), locality="khanh-hoa", data_dir=tmp_path, telegram_token=TOKEN)
    assistant = Assistant(shipped_catalog, settings)
    attach_database(assistant, sqlite_engine)
    return assistant


# -- Telegram ----------------------------------------------------------------------------------------


@pytest.fixture
async def fake() -> AsyncIterator[StallingBotApi]:
    async with StallingBotApi(stall_bound=10) as server:
        yield server


@pytest.fixture
async def app(fake, assistant, sqlite_engine):
    # No PTB rate limiter: its own 429 retries would hide what the outbox does with a retry-after.
    application = build_application(assistant.settings, assistant, sqlite_engine, base_url=fake.base_url,
                                    rate_limiter=None, request_timeout=TIMEOUT, reply_retry_delay=0.05,
                                    outbox_interval=0.1)
    await start_polling(application, poll_timeout=1)
    try:
        yield application
    finally:
        fake.stalls.release()
        await stop_application(application)


async def test_telegram_reply_survives_a_send_that_times_out(app, fake):
    fake.stall("sendMessage")
    reply = await say(fake, CHAT, QUESTION, timeout=10)
    assert "01 ngày làm việc" in reply.plain
    assert [c.status for c in fake.calls if c.method == "sendMessage"] == [0, 200]
    assert len(fake.chat(CHAT)) == 1


async def test_telegram_gives_up_a_reply_after_repeated_timeouts_and_keeps_serving(app, fake):
    channel = channel_of(app)
    fake.stall("sendMessage", times=3)  # every attempt of this reply times out
    fake.message(CHAT, QUESTION)
    await fake.wait_until(lambda: channel.stats["send_failed"] == 1, timeout=15, what="reply given up")
    reply = await say(fake, CHAT, "lệ phí bao nhiêu", timeout=10)
    assert "Xác nhận tình trạng hôn nhân" in reply.plain
    assert channel.stats["errors"] == 0


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # raised inside PTB's RetryAfter
async def test_telegram_notification_survives_every_kind_of_failure_then_arrives_once(app, fake, sqlite_engine):
    channel = channel_of(app)
    await channel.stop_outbox()  # this test drives the dispatcher with a simulated clock
    dispatcher = channel.dispatcher
    assert dispatcher is not None
    item = Outbox(sqlite_engine).add("telegram", str(CHAT), NOTE)
    now = utcnow()

    fake.fail("sendMessage", 500)
    assert await dispatcher.drain_once(now) == 0
    first = row(sqlite_engine, item)
    assert first.attempts == 1 and first.last_error.startswith("transient:") and first.claimed_by is None
    assert first.next_attempt_at > now  # backed off

    now = first.next_attempt_at
    fake.fail("sendMessage", 429, retry_after=7)
    assert await dispatcher.drain_once(now) == 0
    second = row(sqlite_engine, item)
    assert second.attempts == 2 and second.last_error.startswith("retry-after:")
    assert second.next_attempt_at == now + dt.timedelta(seconds=7)  # exactly what Telegram asked
    calls = len(fake.calls)
    assert await dispatcher.drain_once(now + dt.timedelta(seconds=6)) == 0  # not due yet: not even tried
    assert len(fake.calls) == calls

    now = second.next_attempt_at
    fake.stall("sendMessage")
    assert await dispatcher.drain_once(now) == 0  # the bot's own timeout
    third = row(sqlite_engine, item)
    assert third.attempts == 3 and "TimedOut" in third.last_error

    now = third.next_attempt_at
    fake.fail("sendMessage", 502)
    assert await dispatcher.drain_once(now) == 0
    fourth = row(sqlite_engine, item)
    assert fourth.attempts == 4 and fourth.next_attempt_at - now > third.next_attempt_at - second.next_attempt_at

    now = fourth.next_attempt_at
    assert await dispatcher.drain_once(now) == 1
    for later in (now, now + dt.timedelta(days=30)):
        assert await dispatcher.drain_once(later) == 0
    delivered = row(sqlite_engine, item)
    assert delivered.delivered_at is not None and delivered.claimed_by is None
    assert [c.params["text"] for c in fake.sent(CHAT)] == [NOTE]


# -- Zalo --------------------------------------------------------------------------------------------


@pytest.fixture
async def zalo() -> AsyncIterator[StallingZalo]:
    async with StallingZalo(stall_bound=10) as server:
        yield server


def zalo_channel(assistant: Assistant, engine, zalo: StallingZalo, **client_options) -> ZaloChannel:
    access, refresh = zalo.initial
    settings = dataclasses.replace(
        assistant.settings, zalo_app_id=APP_ID, zalo_app_secret=APP_SECRET, zalo_oa_secret_key=OA_SECRET,
        zalo_access_token=access, zalo_refresh_token=refresh, zalo_api_base=zalo.api_base,
        zalo_oauth_base=zalo.api_base)
    options = {"backoff": 0.01, "max_backoff": 0.05, "timeout": TIMEOUT, **client_options}
    return ZaloChannel(settings, assistant, engine, turns=ConversationTurns(engine), client_options=options)


async def test_zalo_reply_survives_a_send_that_times_out(assistant, sqlite_engine, zalo):
    channel = zalo_channel(assistant, sqlite_engine, zalo)
    zalo.stall()
    try:
        await channel.process_event(text_event(USER, QUESTION))
    finally:
        zalo.stalls.release()
        await channel.stop()
        channel.turns.close()
    [reply] = zalo.to(USER)
    assert "01 ngày làm việc" in reply.text
    assert zalo.message_calls == 2


async def test_zalo_gives_up_a_reply_after_repeated_timeouts_without_raising(assistant, sqlite_engine, zalo):
    channel = zalo_channel(assistant, sqlite_engine, zalo)
    zalo.stall(times=3)
    try:
        await channel.process_event(text_event(USER, QUESTION))  # logged, not raised
        await channel.process_event(text_event(USER, "lệ phí bao nhiêu"))
    finally:
        zalo.stalls.release()
        await channel.stop()
        channel.turns.close()
    [reply] = zalo.to(USER)
    assert "Xác nhận tình trạng hôn nhân" in reply.text


async def test_zalo_notification_survives_every_kind_of_failure_then_arrives_once(assistant, sqlite_engine, zalo):
    channel = zalo_channel(assistant, sqlite_engine, zalo, attempts=1)  # one platform call per delivery
    dispatcher = OutboxDispatcher(Outbox(sqlite_engine), "zalo", channel.deliver, "zalo:test-worker")
    item = Outbox(sqlite_engine).add("zalo", USER, NOTE)
    now = utcnow()
    try:
        zalo.fail_next(1, 503)
        assert await dispatcher.drain_once(now) == 0
        first = row(sqlite_engine, item)
        assert first.attempts == 1 and "503" in first.last_error and first.next_attempt_at > now

        now = first.next_attempt_at
        zalo.rate_limit(7)
        assert await dispatcher.drain_once(now) == 0
        second = row(sqlite_engine, item)
        assert second.attempts == 2 and second.next_attempt_at == now + dt.timedelta(seconds=7)
        calls = zalo.message_calls
        assert await dispatcher.drain_once(now + dt.timedelta(seconds=6)) == 0
        assert zalo.message_calls == calls

        now = second.next_attempt_at
        zalo.stall()
        assert await dispatcher.drain_once(now) == 0
        third = row(sqlite_engine, item)
        assert third.attempts == 3 and "network error" in third.last_error

        now = third.next_attempt_at
        zalo.fail_next(1, 200, {"error": -32, "message": "request exceeded the limit"})
        assert await dispatcher.drain_once(now) == 0
        assert row(sqlite_engine, item).attempts == 4

        now = row(sqlite_engine, item).next_attempt_at
        assert await dispatcher.drain_once(now) == 1
        for later in (now, now + dt.timedelta(days=30)):
            assert await dispatcher.drain_once(later) == 0
    finally:
        zalo.stalls.release()
        await channel.stop()
        channel.turns.close()
    delivered = row(sqlite_engine, item)
    assert delivered.delivered_at is not None and delivered.claimed_by is None
    assert [m.text for m in zalo.to(USER)] == [NOTE]
