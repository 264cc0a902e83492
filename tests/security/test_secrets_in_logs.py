"""Secrets never reach the logs: not at DEBUG, not when a library is turned up to DEBUG on
purpose, not in a failure's traceback, not on a crashing process's stderr.

The real code paths that log run here: start-up of the whole assistant (`assistant.runner`, in a
subprocess at ASSISTANT_LOG_LEVEL=DEBUG), Telegram against a fake Bot API (the token is part of
every Bot API URL, which httpx logs), including 5xx answers and a rejected token, Zalo sending,
token refresh and refused refreshes against a fake Zalo platform, and a database that refuses
connections with the password in DATABASE_URL.

The process installs `assistant.logsafety.install(settings)` at start-up; these tests call it the
same way (and, for the subprocess, through `install_from_env()` before `runner.main()`).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from assistant import logsafety
from assistant.app import build_assistant
from assistant.channels.telegram import (
    build_application,
    channel_of,
    run_polling,
    start_polling,
    stop_application,
)
from assistant.channels.zalo.client import ZaloApiError, ZaloClient
from assistant.channels.zalo.tokens import MemoryTokenStore, Tokens
from assistant.config import Settings
from assistant.dialogue.conversation import Requester
from assistant.web import create_app
from tests.channels.telegram.fake_bot_api import FakeBotApi
from tests.channels.zalo.fake_zalo import APP_ID, APP_SECRET, FakeZalo
from tests.web.live import free_port

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "987654321:AAH-distinctive-bot-token-9f8e7d6c"
WRONG_TOKEN = "987654321:AAH-another-rejected-token-1a2b3c"
WEBHOOK_SECRET = "tg-webhook-secret-4d5e6f-distinctive"
OA_SECRET = "zalo-oa-secret-key-77aa55-distinctive"
DB_PASSWORD = "pg-pass-Q7x2-distinctive"
DEAD_DB = f"postgresql+psycopg://tthc:{DB_PASSWORD}@127.0.0.1:1/tthc"
LIBRARY_LOGGERS = ("", "httpx", "httpcore", "telegram", "sqlalchemy", "alembic", "uvicorn", "assistant", "asyncio")


@pytest.fixture
def debug_everything(caplog) -> Iterator[None]:
    """Every logger at DEBUG, as an operator chasing a problem might set them."""
    for name in LIBRARY_LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
    yield
    logsafety.uninstall()


def assert_clean(text: str, secrets: list[str]) -> None:
    leaked = [s for s in secrets if s and s in text]
    assert not leaked, f"secrets in the logs: {leaked}"


def all_logged(caplog) -> str:
    parts = [caplog.text]
    for record in caplog.records:
        parts.append(record.getMessage())
        parts.append(record.exc_text or "")
    return "\n".join(parts)


async def test_telegram_requests_and_failures(debug_everything, caplog, shipped_catalog, tmp_path):
    settings = Settings(locality="khanh-hoa", data_dir=tmp_path, telegram_token=TOKEN,
                        telegram_webhook_secret=WEBHOOK_SECRET)
    logsafety.install(settings)
    assistant = build_assistant(settings, with_database=False)
    async with FakeBotApi(token=TOKEN) as fake:
        application = build_application(settings, assistant, None, base_url=fake.base_url, reply_retry_delay=0.01)
        await start_polling(application, poll_timeout=1)
        try:
            fake.message(4242, "giay doc than mat bao lau")
            await fake.wait_messages(4242, 1)
            fake.fail("sendMessage", 500, times=5)  # retried, then given up: logged with the error
            fake.message(4242, "ho chieu")
            await fake.wait_until(lambda: channel_of(application).stats["send_failed"] >= 1, 10, "a failed send")
            await application.bot.set_webhook(url="https://tthc.example.org/hook", secret_token=WEBHOOK_SECRET)
        finally:
            await stop_application(application)
    # A token Telegram rejects: polling gives up with an error message.
    async with FakeBotApi(token=TOKEN) as fake:
        rejected = dataclasses.replace(settings, telegram_token=WRONG_TOKEN)
        logsafety.install(rejected)
        await asyncio.wait_for(run_polling(rejected, assistant, None, asyncio.Event(), base_url=fake.base_url), 20)
    logged = all_logged(caplog)
    assert "/getMe" in logged or "getMe" in logged, "httpx/PTB request logging was not exercised"
    assert_clean(logged, [TOKEN, TOKEN.split(":")[1], WRONG_TOKEN.split(":")[1], WEBHOOK_SECRET])


async def test_zalo_sending_refresh_and_failures(debug_everything, caplog, tmp_path):
    async with FakeZalo() as fake:
        access, refresh = fake.initial
        settings = Settings(data_dir=tmp_path, zalo_app_id=APP_ID, zalo_app_secret=APP_SECRET,
                            zalo_oa_secret_key=OA_SECRET, zalo_access_token=access, zalo_refresh_token=refresh,
                            zalo_api_base=fake.api_base, zalo_oauth_base=fake.api_base)
        logsafety.install(settings)
        client = ZaloClient(settings, MemoryTokenStore(Tokens(access, refresh)), backoff=0.01)
        try:
            await client.send_message("5510185758261927916", "Xin chào")
            fake.expire()  # the next call refreshes the token
            await client.send_message("5510185758261927916", "Xin chào lần nữa")
            fake.fail_next(5, 503)
            with pytest.raises(ZaloApiError):
                await client.send_message("5510185758261927916", "lỗi")
            fake.expire()
            fake.refresh_token = "refresh-someone-else-rotated-it"  # the stored one is now spent
            with pytest.raises(ZaloApiError):
                await client.send_message("5510185758261927916", "hết hạn")
        finally:
            await client.aclose()
    logged = all_logged(caplog)
    assert "refresh" in logged.lower()
    assert_clean(logged, [access, refresh, OA_SECRET, APP_SECRET])


async def test_database_refusing_connections(debug_everything, caplog, shipped_catalog, tmp_path):
    settings = Settings(locality="khanh-hoa", data_dir=tmp_path, database_url=DEAD_DB)
    logsafety.install(settings)
    assistant = build_assistant(settings)  # start-up with the database down
    reply = assistant.handle("000.00.10.H32-231116-0001", requester=Requester("web", "secret-test"))
    assert "thử lại" in reply.text
    app = create_app(settings, assistant, assistant.desk.engine, zalo=None, telegram=None)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://web") as client:
        assert (await client.get("/healthz")).status_code == 503
    logged = all_logged(caplog)
    assert "OperationalError" in logged or "unavailable" in logged
    assert_clean(logged, [DB_PASSWORD])


def test_crash_traceback_on_stderr_is_redacted(tmp_path):
    """An exception quoting a secret, uncaught, in the main thread and in another thread."""
    code = (
        "import threading\n"
        "from assistant import logsafety\n"
        "logsafety.install_from_env()\n"
        "import os\n"
        "t = threading.Thread(target=lambda: (_ for _ in ()).throw(RuntimeError(os.environ['TELEGRAM_BOT_TOKEN'])))\n"
        "t.start(); t.join()\n"
        "raise RuntimeError('cannot connect to ' + os.environ['DATABASE_URL'])\n"
    )
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "DATABASE_URL": DEAD_DB}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 1
    assert "RuntimeError" in result.stderr and logsafety.MASK in result.stderr
    assert_clean(result.stderr, [TOKEN.split(":")[1], DB_PASSWORD])


def test_runner_start_up_and_serving_at_debug(tmp_path):
    """The whole assistant as `make run` starts it, at DEBUG: database down (password in the URL),
    Telegram polling with a token (through a proxy that refuses, so it fails at once), Zalo keys
    set; a few chat requests and dossier lookups; then SIGTERM. Nothing secret on stderr."""
    port = free_port()
    secrets = {"TELEGRAM_BOT_TOKEN": TOKEN, "ZALO_OA_SECRET_KEY": OA_SECRET,
               "ZALO_ACCESS_TOKEN": "zalo-access-token-3c3c-distinctive",
               "ZALO_REFRESH_TOKEN": "zalo-refresh-token-4d4d-distinctive",
               "ZALO_APP_SECRET": "zalo-app-secret-5e5e-distinctive", "ZALO_APP_ID": APP_ID}
    env = {**os.environ, **secrets, "DATABASE_URL": DEAD_DB, "ASSISTANT_LOG_LEVEL": "DEBUG",
           "ASSISTANT_WEB_PORT": str(port), "ASSISTANT_DATA_DIR": str(tmp_path), "ASSISTANT_DEMO": "0",
           "HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9", "NO_PROXY": "127.0.0.1"}
    code = ("from assistant import logsafety\nlogsafety.install_from_env()\n"
            "from assistant.runner import main\nraise SystemExit(main())\n")
    process = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10, trust_env=False) as http:
            while True:
                try:
                    http.get("/healthz")
                    break
                except httpx.HTTPError:
                    assert process.poll() is None, process.communicate()[1][-2000:]
                    assert time.monotonic() < deadline, "the runner did not start"
                    time.sleep(0.2)
            for text in ("giay doc than mat bao lau", "000.00.10.H32-231116-0001", TOKEN, DB_PASSWORD):
                http.post("/api/chat", json={"session_id": "secret-test-01", "text": text})
            http.post("/zalo/webhook", content=b"{}", headers={"X-ZEvent-Signature": "mac=" + "0" * 64})
        time.sleep(1.0)  # a polling attempt or two through the refusing proxy
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            _out, err = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            _out, err = process.communicate()
    assert "DEBUG" in err and "web chat" in err, err[-2000:]
    secret_values = [*secrets.values(), TOKEN.split(":")[1], DB_PASSWORD]
    secret_values.remove(APP_ID)
    assert_clean(err, secret_values)
