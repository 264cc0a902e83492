"""The database goes away under the Telegram and Zalo channels (real PTB / real Zalo client against
the fake platforms on 127.0.0.1): questions are answered, every dossier command apologises
politely, nothing crashes, outbox delivery resumes by itself when the database is back."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import AsyncIterator

import httpx
import pytest

from assistant.app import attach_database
from assistant.channels.telegram import build_application, channel_of, start_polling, stop_application
from assistant.channels.zalo import ZaloChannel
from assistant.channels.zalo.render import action_payload
from assistant.config import Settings
from assistant.core import Assistant
from assistant.dossiers.seed import demo_codes, seed_demo
from assistant.store import Outbox
from assistant.web import create_app, serve
from assistant.web.metrics import Metrics
from assistant.web.state import ConversationTurns
from tests.channels.telegram.conftest import FAST, say, tap
from tests.channels.telegram.fake_bot_api import TOKEN, FakeBotApi
from tests.channels.zalo.conftest import ZaloWeb, text_event
from tests.channels.zalo.fake_zalo import APP_ID, APP_SECRET, OA_SECRET, FakeZalo
from tests.faults.test_database_outage import QUESTION, assert_unavailable
from tests.web.live import free_port

CHAT = 5101
ZALO_USER = "7700112233"


@pytest.fixture
def wired(shipped_catalog, tmp_path, outage) -> Assistant:
    settings = dataclasses.replace(Settings(), locality="khanh-hoa", data_dir=tmp_path, telegram_token=TOKEN)
    assistant = Assistant(shipped_catalog, settings)
    attach_database(assistant, outage.engine)
    seed_demo(outage.engine, assistant.catalog, assistant.clock(), assistant.brain.calendar)
    return assistant


# -- Telegram ----------------------------------------------------------------------------------------


@pytest.fixture
async def telegram(wired, outage) -> AsyncIterator[tuple[FakeBotApi, object]]:
    async with FakeBotApi() as fake:
        application = build_application(wired.settings, wired, outage.engine, base_url=fake.base_url, **FAST)
        await start_polling(application, poll_timeout=1)
        try:
            yield fake, application
        finally:
            await stop_application(application)


async def test_telegram_commands_apologise_and_questions_are_answered(telegram, outage):
    fake, application = telegram
    code = demo_codes()[0]
    card = await say(fake, CHAT, f"/tracuu {code}")  # while up: a card with a follow button
    assert card.plain.startswith(f"Hồ sơ {code}")
    outage.down()

    answer = await say(fake, CHAT, QUESTION)
    assert "01 ngày làm việc" in answer.plain
    for command in (f"/tracuu {code}", f"/theodoi {code}", f"/huytheodoi {code}", f"hồ sơ {code} đến đâu rồi",
                    f"theo dõi {code}"):
        assert_unavailable((await say(fake, CHAT, command)).plain)
    assert_unavailable((await tap(fake, card, "sub:")).plain)

    outage.up()
    card = await say(fake, CHAT, f"/tracuu {code}")
    assert card.plain.startswith(f"Hồ sơ {code}"), card.plain
    assert channel_of(application).stats["errors"] == 0


async def test_telegram_outbox_resumes_after_the_database_returns(telegram, outage):
    fake, application = telegram
    channel = channel_of(application)
    outage.down()
    channel.wake_outbox()
    await fake.wait_until(lambda: channel.dispatcher is not None, what="dispatcher")
    await asyncio.sleep(0.3)  # a few failing drains (logged, not raised)
    assert channel._outbox_task is not None and not channel._outbox_task.done()
    outage.up()
    Outbox(outage.engine).add("telegram", str(CHAT), "Hồ sơ của bạn đã có kết quả.")
    channel.wake_outbox()
    await fake.wait_until(lambda: fake.sent(CHAT), timeout=10, what="notification")
    assert [c.params["text"] for c in fake.sent(CHAT)] == ["Hồ sơ của bạn đã có kết quả."]


# -- Zalo --------------------------------------------------------------------------------------------


@pytest.fixture
async def zalo(wired, outage, tmp_path) -> AsyncIterator[tuple[FakeZalo, ZaloWeb]]:
    async with FakeZalo() as fake:
        access, refresh = fake.initial
        settings = dataclasses.replace(
            wired.settings, data_dir=tmp_path / "data", web_port=free_port(), zalo_app_id=APP_ID,
            zalo_app_secret=APP_SECRET, zalo_oa_secret_key=OA_SECRET, zalo_access_token=access,
            zalo_refresh_token=refresh, zalo_api_base=fake.api_base, zalo_oauth_base=fake.api_base)
        metrics, turns = Metrics(), ConversationTurns(outage.engine)
        channel = ZaloChannel(settings, wired, outage.engine, turns=turns, metrics=metrics,
                              client_options={"backoff": 0.01, "timeout": 5.0}, outbox_interval=0.1)
        app = create_app(settings, wired, outage.engine, zalo=channel, telegram=None, metrics=metrics, turns=turns)
        stop, started = asyncio.Event(), asyncio.Event()
        task = asyncio.create_task(serve(settings, wired, outage.engine, stop, app=app, started=started))
        await asyncio.wait_for(started.wait(), 10)
        url = f"http://{settings.web_host}:{settings.web_port}"
        try:
            async with httpx.AsyncClient(base_url=url, timeout=10) as http:
                yield fake, ZaloWeb(url, channel, metrics, http)
        finally:
            stop.set()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(task, 15)
            turns.close()


async def test_zalo_lookups_apologise_and_questions_are_answered(zalo, outage):
    fake, web = zalo
    code = demo_codes()[0]
    outage.down()
    messages = [QUESTION, f"hồ sơ {code}", f"theo dõi {code}", f"hủy theo dõi {code}", action_payload(f"sub:{code}")]
    for number, text in enumerate(messages, start=1):
        assert (await web.post_event(text_event(ZALO_USER, text))).status_code == 200
        await fake.wait_for(ZALO_USER, number, timeout=10)
    sent = fake.to(ZALO_USER)
    assert "01 ngày làm việc" in sent[0].text
    for message in sent[1:]:
        assert_unavailable(message.text)

    outage.up()
    await web.post_event(text_event(ZALO_USER, f"hồ sơ {code}"))
    card = (await fake.wait_for(ZALO_USER, len(messages) + 1, timeout=10))[-1]
    assert card.text.startswith(f"Hồ sơ {code}"), card.text
