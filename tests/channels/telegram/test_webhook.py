"""Webhook mode: secret token checked before anything is parsed, updates processed by the real app."""

from __future__ import annotations

import dataclasses
import json

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Route

from assistant.channels.telegram import (
    build_application,
    channel_of,
    handle_webhook,
    starlette_endpoint,
    start_webhook,
    stop_application,
    webhook_path,
    webhook_secret,
)
from tests.channels.telegram.conftest import FAST
from tests.channels.telegram.fake_bot_api import TOKEN

CHAT = 5001
SECRET = "s3cr3t-Token_for-tests"
URL = "https://tthc.example.org/telegram/hook"


@pytest.fixture
async def hooked(fake, settings, assistant, db):
    settings = dataclasses.replace(settings, telegram_webhook_url=URL, telegram_webhook_secret=SECRET)
    application = build_application(settings, assistant, db, base_url=fake.base_url, **FAST)
    await start_webhook(application)
    try:
        yield application
    finally:
        await stop_application(application)


def body(fake, text: str) -> bytes:
    return json.dumps(fake.make_message(CHAT, text)).encode()


async def test_set_webhook_registers_url_secret_and_update_types(hooked, fake):
    assert fake.webhook["url"] == URL
    assert fake.webhook["secret_token"] == SECRET
    assert fake.webhook["allowed_updates"] == ["message", "callback_query"]
    assert not any(c.method == "getUpdates" for c in fake.calls)


async def test_good_secret_is_processed(hooked, fake):
    status = await handle_webhook(hooked, {"X-Telegram-Bot-Api-Secret-Token": SECRET},
                                  body(fake, "giay doc than mat bao lau"))
    assert status == 200
    (reply,) = await fake.wait_messages(CHAT, 1)
    assert "01 ngày làm việc" in reply.plain
    # Header names are case-insensitive, as HTTP servers deliver them.
    assert await handle_webhook(hooked, {"x-telegram-bot-api-secret-token": SECRET}, body(fake, "/help")) == 200
    await fake.wait_messages(CHAT, 2)


REFUSED_HEADERS = [
    {}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}, {"X-Telegram-Bot-Api-Secret-Token": ""},
    {"X-Telegram-Bot-Api-Secret-Token": SECRET + "x"}, {"X-Telegram-Bot-Api-Secret-Token": SECRET[:-1]},
    {"X-Telegram-Bot-Api-Secret-Token": "ß" * 20}, {"Authorization": SECRET},
]
MALFORMED = [
    b"", b"{", b"[]", b"null", b'"text"', b'{"update_id": "1"}', b'{"no_update_id": 1}',
    b'{"update_id": 7, "message": {"chat": 5}}', b"\xff\xfe{}",
    "{\"update_id\": 1, \"message\": \"\udc00\"}".encode("utf-8", "surrogatepass"),
]


async def test_missing_or_wrong_secret_is_refused_and_nothing_processed(hooked, fake):
    for headers in REFUSED_HEADERS:
        assert await handle_webhook(hooked, headers, body(fake, "giay doc than mat bao lau")) == 401, headers
    assert channel_of(hooked).stats["updates"] == 0
    assert channel_of(hooked).stats["webhook_rejected"] == len(REFUSED_HEADERS)
    assert fake.sent() == []


async def test_malformed_updates_get_400(hooked, fake):
    for raw in MALFORMED:
        assert await handle_webhook(hooked, {"X-Telegram-Bot-Api-Secret-Token": SECRET}, raw) == 400, raw
    assert fake.sent() == []


async def test_starlette_route_end_to_end(hooked, fake):
    path = webhook_path(channel_of(hooked).settings)
    assert path == "/telegram/hook"
    web = Starlette(routes=[Route(path, starlette_endpoint(hooked), methods=["POST"])])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=web), base_url="http://web") as client:
        refused = await client.post(path, content=body(fake, "xin chao"))
        assert refused.status_code == 401
        ok = await client.post(path, content=body(fake, "xin chao"),
                               headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
        assert ok.status_code == 200
        huge = await client.post(path, content=b"x" * 1_100_000, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
        assert huge.status_code == 413
    (reply,) = await fake.wait_messages(CHAT, 1)
    assert "Xin chào" in reply.plain


def test_secret_derived_from_token_when_not_configured(settings):
    derived = webhook_secret(settings)
    assert derived == webhook_secret(settings)  # stable across workers and restarts
    assert TOKEN not in derived and TOKEN.split(":")[1] not in derived
    assert len(derived) == 64 and all(ch in "0123456789abcdef" for ch in derived)
    assert webhook_secret(dataclasses.replace(settings, telegram_webhook_secret=SECRET)) == SECRET
    assert webhook_path(settings) == "/telegram/webhook"
