"""The real web application, the real core and a real SQLite database, served by uvicorn on
127.0.0.1 and reached over HTTP with httpx. Each test gets its own database and server."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator

import httpx
import pytest

from assistant.app import attach_database
from assistant.config import Settings
from assistant.core import Assistant
from assistant.web import create_app
from tests.web.live import LiveServer

LOCALITY = "khanh-hoa"


@pytest.fixture
def settings(tmp_path) -> Settings:
    return dataclasses.replace(Settings(), locality=LOCALITY, data_dir=tmp_path, web_host="127.0.0.1")


@pytest.fixture
def assistant(shipped_catalog, settings, sqlite_engine) -> Assistant:
    """The core as the composition root wires it: dossier desk, question log, feedback store."""
    assistant = Assistant(shipped_catalog, settings)
    attach_database(assistant, sqlite_engine)
    return assistant


def start_server(settings, assistant, engine, **options) -> LiveServer:
    options.setdefault("zalo", None)
    options.setdefault("telegram", None)
    app = create_app(settings, assistant, engine, **options)
    return LiveServer(app).start()


@pytest.fixture
def server(settings, assistant, sqlite_engine) -> Iterator[LiveServer]:
    live = start_server(settings, assistant, sqlite_engine, demo=True)
    try:
        yield live
    finally:
        live.stop()


@pytest.fixture
def client(server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=10.0) as http:
        yield http


def new_session() -> str:
    return "t-" + uuid.uuid4().hex


class Chat:
    """One browser session talking to /api/chat."""

    def __init__(self, http: httpx.Client, session: str | None = None) -> None:
        self.http = http
        self.session = session or new_session()

    def post(self, **payload) -> httpx.Response:
        return self.http.post("/api/chat", json={"session_id": self.session, **payload})

    def say(self, text: str) -> dict:
        response = self.post(text=text)
        assert response.status_code == 200, response.text
        return response.json()

    def press(self, action: str) -> dict:
        response = self.post(action=action)
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture
def chat(client) -> Chat:
    return Chat(client)
