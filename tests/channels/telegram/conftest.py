"""The real PTB Application, the real core and a real SQLite database, talking over HTTP to a
fake Bot API server on 127.0.0.1. Each test gets its own database, server and application."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from assistant.app import attach_database
from assistant.catalog.loader import load_catalog
from assistant.channels.telegram import build_application, channel_of, start_polling, stop_application
from assistant.config import DEFAULT_CATALOG_DIR, Settings
from assistant.core import Assistant
from assistant.store import make_engine, upgrade
from tests.channels.telegram.fake_bot_api import TOKEN, ChatMessage, FakeBotApi

STAFF_CHAT = 777
LOCALITY = "khanh-hoa"


@pytest.fixture(scope="session")
def catalog():
    return load_catalog(DEFAULT_CATALOG_DIR, LOCALITY)


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory) -> Path:
    """The schema, migrated once per session by the real Alembic migrations."""
    path = tmp_path_factory.mktemp("schema") / "template.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture
def db(tmp_path, migrated_template):
    """A fresh SQLite database per test (a copy of the migrated template: much faster than migrating)."""
    path = tmp_path / "bot.sqlite3"
    shutil.copyfile(migrated_template, path)
    engine = make_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(locality=LOCALITY, data_dir=tmp_path, telegram_token=TOKEN,
                    staff_chat_ids=frozenset({str(STAFF_CHAT)}))


def wire_assistant(catalog, settings: Settings, engine) -> Assistant:
    """The core as the composition root wires it: dossier desk, question log, feedback store."""
    assistant = Assistant(catalog, settings)
    attach_database(assistant, engine)
    return assistant


@pytest.fixture
def assistant(catalog, settings, db) -> Assistant:
    return wire_assistant(catalog, settings, db)


@pytest.fixture
async def fake():
    async with FakeBotApi() as server:
        yield server


FAST = {"reply_retry_delay": 0.05, "outbox_interval": 0.1, "request_timeout": 5.0}


@pytest.fixture
async def app(fake, settings, assistant, db):
    application = build_application(settings, assistant, db, base_url=fake.base_url, **FAST)
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
