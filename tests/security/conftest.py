"""The whole web process as production runs it, on 127.0.0.1: the real web application (chat
API, Zalo webhook, Telegram webhook), the real core wired to a real SQLite database, a fake
Telegram Bot API and a fake Zalo platform. Core calls are counted, so a test can prove that a
refused request reached nothing."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, func, select

from assistant.app import attach_database
from assistant.channels.telegram import build_application, channel_of
from assistant.channels.zalo import ZaloChannel, header_value
from assistant.config import Settings
from assistant.core import Assistant
from assistant.store.models import Base
from assistant.web import create_app, serve
from assistant.web.metrics import Metrics
from assistant.web.state import ConversationTurns
from tests.channels.telegram.fake_bot_api import TOKEN, FakeBotApi
from tests.channels.zalo.fake_zalo import APP_ID, APP_SECRET, OA_SECRET, FakeZalo
from tests.web.live import free_port

TG_SECRET = "security-tests-webhook-secret"
TG_PATH = "/telegram/hook"
STAFF_CHAT = 777


def counted(assistant: Assistant) -> Counter[str]:
    """Count calls of the core's entry points (the instance attributes shadow the methods)."""
    calls: Counter[str] = Counter()
    for name in ("handle", "handle_action", "open_procedure", "field_menu", "reload"):
        original = getattr(assistant, name)

        def wrapper(*args: Any, _original=original, _name=name, **kwargs: Any) -> Any:
            calls[_name] += 1
            return _original(*args, **kwargs)

        setattr(assistant, name, wrapper)
    return calls


def row_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t.name: conn.execute(select(func.count()).select_from(t)).scalar()
                for t in Base.metadata.sorted_tables}


@dataclasses.dataclass
class Stack:
    url: str
    http: httpx.AsyncClient
    assistant: Assistant
    engine: Engine
    calls: Counter[str]
    telegram: Any
    zalo: ZaloChannel
    bot_api: FakeBotApi
    zalo_api: FakeZalo
    settings: Settings

    async def telegram_update(self, update: dict[str, Any] | bytes, secret: str | None = TG_SECRET,
                              **headers: str) -> httpx.Response:
        raw = update if isinstance(update, bytes) else json.dumps(update).encode()
        if secret is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        return await self.http.post(TG_PATH, content=raw, headers={"content-type": "application/json", **headers})

    async def zalo_event(self, event: dict[str, Any], *, secret: str = OA_SECRET, signature: str | None = None,
                         omit_signature: bool = False, body: bytes | None = None) -> httpx.Response:
        raw = body if body is not None else json.dumps(event, ensure_ascii=False).encode()
        headers = {"content-type": "application/json"}
        if not omit_signature:
            headers["X-ZEvent-Signature"] = (signature if signature is not None else
                                             header_value(APP_ID, raw, str(event.get("timestamp", "")), secret))
        return await self.http.post("/zalo/webhook", content=raw, headers=headers)

    async def chat(self, session: str, **payload: Any) -> httpx.Response:
        return await self.http.post("/api/chat", json={"session_id": session, **payload})

    async def settle(self) -> None:
        """Let queued webhook work finish (Zalo tasks; Telegram's update queue)."""
        await self.zalo.drain(10)
        for _ in range(100):
            if self.telegram.update_queue.empty():
                break
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.2)


@pytest.fixture
async def stack(shipped_catalog, sqlite_engine, tmp_path) -> AsyncIterator[Stack]:
    async with FakeBotApi() as bot_api, FakeZalo() as zalo_api:
        access, refresh = zalo_api.initial
        settings = dataclasses.replace(
            Settings(), locality="khanh-hoa", data_dir=tmp_path / "data", web_host="127.0.0.1", web_port=free_port(),
            telegram_token=TOKEN, telegram_webhook_url=f"https://tthc.example.org{TG_PATH}",
            telegram_webhook_secret=TG_SECRET, staff_chat_ids=frozenset({str(STAFF_CHAT)}),
            zalo_app_id=APP_ID, zalo_app_secret=APP_SECRET, zalo_oa_secret_key=OA_SECRET,
            zalo_access_token=access, zalo_refresh_token=refresh,
            zalo_api_base=zalo_api.api_base, zalo_oauth_base=zalo_api.api_base)
        assistant = Assistant(shipped_catalog, settings)
        attach_database(assistant, sqlite_engine)
        calls = counted(assistant)
        metrics = Metrics()
        turns = ConversationTurns(sqlite_engine)
        zalo = ZaloChannel(settings, assistant, sqlite_engine, turns=turns, metrics=metrics,
                           client_options={"backoff": 0.01, "timeout": 5.0}, outbox_interval=0.1)
        telegram = build_application(settings, assistant, sqlite_engine, base_url=bot_api.base_url,
                                     reply_retry_delay=0.05, outbox_interval=0.1)
        app = create_app(settings, assistant, sqlite_engine, zalo=zalo, telegram=telegram, metrics=metrics,
                         turns=turns)
        stop, started = asyncio.Event(), asyncio.Event()
        task = asyncio.create_task(serve(settings, assistant, sqlite_engine, stop, app=app, started=started))
        await asyncio.wait_for(started.wait(), 10)
        await bot_api.wait_until(lambda: bot_api.webhook, 10, "setWebhook")
        url = f"http://{settings.web_host}:{settings.web_port}"
        try:
            async with httpx.AsyncClient(base_url=url, timeout=20) as http:
                yield Stack(url, http, assistant, sqlite_engine, calls, telegram, zalo, bot_api, zalo_api, settings)
        finally:
            stop.set()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(task, 20)
            turns.close()


def telegram_stats(stack: Stack) -> Counter[str]:
    return channel_of(stack.telegram).stats
