"""The real PTB Application, the real core and a real SQLite database, talking over HTTP to a
fake Bot API server on 127.0.0.1. Each test gets its own database, server and application."""

from __future__ import annotations

import datetime as dt

import pytest

from assistant.catalog.loader import load_catalog
from assistant.channels.telegram import build_application, channel_of, start_polling, stop_application
from assistant.config import DEFAULT_CATALOG_DIR, Settings
from assistant.core import Assistant
from assistant.dialogue.conversation import Requester
from assistant.dossiers.desk import DossierDesk
from assistant.store import FeedbackStore
from assistant.store.repos import user_hash
from tests.channels.telegram.fake_bot_api import TOKEN, ChatMessage, FakeBotApi

STAFF_CHAT = 777
LOCALITY = "khanh-vinh"


@pytest.fixture(scope="session")
def catalog():
    return load_catalog(DEFAULT_CATALOG_DIR, LOCALITY)


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(locality=LOCALITY, data_dir=tmp_path, telegram_token=TOKEN,
                    staff_chat_ids=frozenset({str(STAFF_CHAT)}))


def wire_assistant(catalog, settings: Settings, engine) -> Assistant:
    """What the composition root does: the core with the dossier desk and the feedback store."""
    assistant = Assistant(catalog, settings)
    assistant.desk = DossierDesk(engine, lambda: assistant.catalog, assistant.brain.calendar)
    feedback = FeedbackStore(engine)

    def sink(requester: Requester | None, procedure_id: str | None, facet: str | None, rating: int) -> None:
        channel = requester.channel if requester else "unknown"
        user = user_hash(requester.channel, requester.chat_id) if requester else None
        feedback.add(channel, procedure_id, facet, rating, user=user)

    assistant.feedback_sink = sink
    return assistant


@pytest.fixture
def assistant(catalog, settings, sqlite_engine) -> Assistant:
    return wire_assistant(catalog, settings, sqlite_engine)


@pytest.fixture
async def fake():
    async with FakeBotApi() as server:
        yield server


FAST = {"reply_retry_delay": 0.05, "outbox_interval": 0.1, "request_timeout": 5.0}


@pytest.fixture
async def app(fake, settings, assistant, sqlite_engine):
    application = build_application(settings, assistant, sqlite_engine, base_url=fake.base_url, **FAST)
    await start_polling(application, poll_timeout=1)
    try:
        yield application
    finally:
        await stop_application(application)


@pytest.fixture
def channel(app):
    return channel_of(app)


async def say(fake: FakeBotApi, chat_id: int, text: str, timeout: float = 5.0) -> ChatMessage:
    """The citizen sends `text`; returns the bot's next message to that chat."""
    seen = len(fake.chat(chat_id))
    fake.message(chat_id, text)
    return await fake.next_reply(chat_id, seen, timeout)


async def tap(fake: FakeBotApi, message: ChatMessage, button: str, timeout: float = 5.0) -> ChatMessage:
    """The citizen taps a button; returns the bot's next new message to that chat."""
    seen = len(fake.chat(message.chat_id))
    fake.press(message, button)
    return await fake.next_reply(message.chat_id, seen, timeout)


def now_vn() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)
