"""The real web application with the staff inbox, the real core and a real SQLite database,
served by uvicorn on 127.0.0.1 and reached over HTTP."""

from __future__ import annotations

import contextlib
import dataclasses
import re
import uuid
from collections.abc import Iterator

import httpx
import pytest

from assistant.app import attach_database
from assistant.config import Settings
from assistant.core import Assistant
from assistant.handoff.accounts import StaffAccounts
from assistant.web import create_app
from tests.web.live import LiveServer

LOCALITY = "khanh-vinh"
PASSWORD = "mat-khau-thu-nghiem-1"
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')
_NONCE = re.compile(r'name="nonce" value="([^"]+)"')


@pytest.fixture
def settings(tmp_path) -> Settings:
    return dataclasses.replace(Settings(), locality=LOCALITY, data_dir=tmp_path, web_host="127.0.0.1",
                               staff_secret="test-secret-" + uuid.uuid4().hex)


@pytest.fixture
def assistant(shipped_catalog, settings, sqlite_engine) -> Assistant:
    assistant = Assistant(shipped_catalog, settings)
    attach_database(assistant, sqlite_engine)
    return assistant


@pytest.fixture
def server(settings, assistant, sqlite_engine) -> Iterator[LiveServer]:
    app = create_app(settings, assistant, sqlite_engine, zalo=None, telegram=None, demo=False)
    live = LiveServer(app).start()
    try:
        yield live
    finally:
        live.stop()


@pytest.fixture
def accounts(sqlite_engine) -> StaffAccounts:
    accounts = StaffAccounts(sqlite_engine)
    accounts.add("lan", PASSWORD)
    accounts.add("minh", PASSWORD)
    return accounts


def new_session() -> str:
    return "t-" + uuid.uuid4().hex


def csrf_of(page: str) -> str:
    match = _CSRF.search(page)
    assert match, page[:500]
    return match.group(1)


def nonce_of(page: str) -> str:
    match = _NONCE.search(page)
    assert match, page[:500]
    return match.group(1)


def login(http: httpx.Client, name: str = "lan", password: str = PASSWORD) -> httpx.Response:
    form = http.get("/staff/login")
    assert form.status_code == 200
    return http.post("/staff/login", data={"csrf": csrf_of(form.text), "name": name, "password": password})


@contextlib.contextmanager
def staff_client(base_url: str, name: str = "lan") -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, timeout=15.0) as http:
        response = login(http, name)
        assert response.status_code == 303 and response.headers["location"] == "/staff", response.text[:300]
        yield http


def reply_from_inbox(http: httpx.Client, request_id: int, text: str) -> httpx.Response:
    page = http.get(f"/staff/requests/{request_id}")
    assert page.status_code == 200
    return http.post(f"/staff/requests/{request_id}/reply",
                     data={"csrf": csrf_of(page.text), "nonce": nonce_of(page.text), "text": text})


def chat(http: httpx.Client, session: str, text: str) -> dict:
    response = http.post("/api/chat", json={"session_id": session, "text": text})
    assert response.status_code == 200, response.text
    return response.json()


def updates(http: httpx.Client, session: str, ack: bool = True) -> list[dict]:
    response = http.get("/api/updates", params={"session_id": session})
    assert response.status_code == 200
    items = response.json()["notifications"]
    if ack and items:
        http.post("/api/updates/ack", json={"session_id": session, "ids": [i["id"] for i in items]})
    return items
