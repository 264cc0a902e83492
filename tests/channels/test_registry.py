"""Which channels the server hosts, built from settings, and that each has the `Channel` shape."""

from __future__ import annotations

import dataclasses

import httpx

from assistant.channels.base import Channel
from assistant.channels.registry import AUTO, HOSTED, Context, hosted_channels
from assistant.channels.turns import ConversationTurns
from assistant.config import Settings
from assistant.core import Assistant
from assistant.metrics import Metrics
from assistant.web import create_app
from assistant.web.api import WebChatChannel

TOKEN = "123456:telegram-token-for-tests"


def _context(small_catalog, **changes) -> Context:
    settings = dataclasses.replace(Settings(), locality=None, **changes)
    return Context(settings, Assistant(small_catalog, settings), None, ConversationTurns(None, threads=0), Metrics())


def test_nothing_configured_hosts_no_platform_channel(small_catalog):
    assert hosted_channels(_context(small_catalog)) == []


def test_each_configured_platform_becomes_a_channel(small_catalog):
    ctx = _context(small_catalog, zalo_oa_secret_key="zalo-secret-key", zalo_access_token="zalo-token",
                   telegram_token=TOKEN, telegram_webhook_url="https://tthc.example/tg/hook")
    channels = hosted_channels(ctx)
    assert [c.name for c in channels] == [entry.name for entry in HOSTED] == ["zalo", "telegram"]
    for channel in channels:
        assert isinstance(channel, Channel)
        assert channel.health()  # says something an operator can read
    paths = [route.path for channel in channels for route in channel.routes()]
    assert paths == ["/zalo/webhook", "/tg/hook"]


def test_overrides_turn_a_channel_off_or_keep_it_automatic(small_catalog):
    ctx = _context(small_catalog, zalo_oa_secret_key="zalo-secret-key", telegram_token=TOKEN,
                   telegram_webhook_url="https://tthc.example/tg/hook")
    assert [c.name for c in hosted_channels(ctx, {"zalo": None, "telegram": AUTO})] == ["telegram"]
    assert hosted_channels(ctx, {"zalo": None, "telegram": None}) == []


def test_telegram_polling_is_not_hosted_by_the_web_server(small_catalog):
    """Long polling must run in exactly one process: the runner's, never a web worker's."""
    assert hosted_channels(_context(small_catalog, telegram_token=TOKEN)) == []


async def test_the_web_chat_is_a_channel_and_the_server_starts_and_stops_every_channel(small_catalog):
    assert isinstance(WebChatChannel(30), Channel)
    settings = dataclasses.replace(Settings(), locality=None)
    assistant = Assistant(small_catalog, settings)
    app = create_app(settings, assistant, None, zalo=None, telegram=None)
    events: list[str] = []

    class Recording(WebChatChannel):
        name = "recording"

        async def start(self) -> None:
            events.append("start")

        async def stop(self) -> None:
            events.append("stop")

    app.state.shared.channels.append(Recording(0))
    async with app.router.lifespan_context(app):
        assert events == ["start"]
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://web") as client:
            assert (await client.get("/healthz")).status_code == 200
    assert events == ["start", "stop"]
