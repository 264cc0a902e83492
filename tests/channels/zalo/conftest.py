"""The real web server (uvicorn on 127.0.0.1, in the test's event loop, started by
`assistant.web.serve`) with the real Zalo channel, the real core and a real SQLite database,
talking over HTTP to a fake Zalo platform on 127.0.0.1."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import secrets
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from assistant.app import attach_database
from assistant.channels.zalo import ZaloChannel, header_value
from assistant.config import Settings
from assistant.core import Assistant
from assistant.web import create_app, serve
from assistant.web.metrics import Metrics
from assistant.web.state import ConversationTurns
from tests.channels.zalo.fake_zalo import APP_ID, APP_SECRET, OA_ID, OA_SECRET, FakeZalo
from tests.web.live import free_port

LOCALITY = "khanh-hoa"


@pytest.fixture
async def fake() -> AsyncIterator[FakeZalo]:
    async with FakeZalo() as server:
        yield server


@pytest.fixture
def settings(tmp_path, fake) -> Settings:
    access, refresh = fake.initial
    return dataclasses.replace(
        Settings(), locality=LOCALITY, data_dir=tmp_path / "data", web_host="127.0.0.1", web_port=free_port(),
        zalo_app_id=APP_ID, zalo_app_secret=APP_SECRET, zalo_oa_secret_key=OA_SECRET,
        zalo_access_token=access, zalo_refresh_token=refresh,
        zalo_api_base=fake.api_base, zalo_oauth_base=fake.api_base)


@pytest.fixture
def assistant(shipped_catalog, settings, sqlite_engine) -> Assistant:
    assistant = Assistant(shipped_catalog, settings)
    attach_database(assistant, sqlite_engine)
    return assistant


@dataclasses.dataclass
class ZaloWeb:
    url: str
    channel: ZaloChannel
    metrics: Metrics
    http: httpx.AsyncClient

    async def post_event(self, event: dict[str, Any], *, secret: str = OA_SECRET, signature: str | None = None,
                         omit_signature: bool = False, body: bytes | None = None) -> httpx.Response:
        raw = body if body is not None else json.dumps(event, ensure_ascii=False).encode()
        headers = {"content-type": "application/json"}
        if not omit_signature:
            headers["X-ZEvent-Signature"] = signature or header_value(APP_ID, raw, str(event.get("timestamp", "")),
                                                                      secret)
        return await self.http.post("/zalo/webhook", content=raw, headers=headers)


@pytest.fixture
async def web(settings, assistant, sqlite_engine) -> AsyncIterator[ZaloWeb]:
    metrics = Metrics()
    turns = ConversationTurns(sqlite_engine)
    channel = ZaloChannel(settings, assistant, sqlite_engine, turns=turns, metrics=metrics,
                          client_options={"backoff": 0.01, "timeout": 5.0}, outbox_interval=0.1)
    app = create_app(settings, assistant, sqlite_engine, zalo=channel, telegram=None, metrics=metrics, turns=turns)
    stop, started = asyncio.Event(), asyncio.Event()
    task = asyncio.create_task(serve(settings, assistant, sqlite_engine, stop, app=app, started=started))
    await asyncio.wait_for(started.wait(), 10)
    url = f"http://{settings.web_host}:{settings.web_port}"
    try:
        async with httpx.AsyncClient(base_url=url, timeout=10) as http:
            yield ZaloWeb(url, channel, metrics, http)
    finally:
        stop.set()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(task, 15)
        turns.close()


def text_event(user: str, text: str, msg_id: str | None = None) -> dict[str, Any]:
    """A user_send_text event shaped like the ones Zalo posts."""
    return {
        "app_id": APP_ID,
        "user_id_by_app": "3611371994410983884",
        "event_name": "user_send_text",
        "timestamp": str(int(time.time() * 1000)),
        "sender": {"id": user},
        "recipient": {"id": OA_ID},
        "message": {"text": text, "msg_id": msg_id or secrets.token_hex(10)},
    }


def follow_event(user: str, name: str = "follow") -> dict[str, Any]:
    return {"app_id": APP_ID, "oa_id": OA_ID, "event_name": name, "timestamp": str(int(time.time() * 1000)),
            "follower": {"id": user}, "source": "testing", "user_id_by_app": "3611371994410983884"}
