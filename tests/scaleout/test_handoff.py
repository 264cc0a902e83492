"""Handoff with two worker processes on one PostgreSQL database: a web, a Telegram (webhook
mode, fake Bot API) and a Zalo citizen each reach a civil servant; answers written in one
worker's inbox, in the Telegram staff group through the other worker, and by the CLI while every
worker is down, reach each citizen exactly once after a restart."""

from __future__ import annotations

import asyncio
import re
import secrets
import threading
from collections import Counter
from typing import Any

import httpx
import pytest

from assistant.handoff.accounts import StaffAccounts
from assistant.handoff.store import HandoffStore
from assistant.store import Outbox
from tests.channels.telegram.fake_bot_api import TOKEN, ChatMessage, FakeBotApi
from tests.scaleout.harness import run_cli, start_all, wait_all, wait_until, zalo_text_event

pytestmark = pytest.mark.postgres

PASSWORD = "mat-khau-thu-nghiem-1"
SECRET = "scaleout-staff-secret-" + secrets.token_hex(8)
WEBHOOK_SECRET = "scaleout-webhook-" + secrets.token_hex(8)
TG_CITIZEN = 31337
TG_GROUP = -1009999


class ThreadedBotApi:
    """The fake Bot API in a thread of its own, for worker processes to call."""

    def __init__(self) -> None:
        self.fake = FakeBotApi()
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def __enter__(self) -> ThreadedBotApi:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self.fake.start(), self.loop).result(10)
        return self

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self.fake.stop(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)

    def chat(self, chat_id: int) -> list[ChatMessage]:
        async def read() -> list[ChatMessage]:
            return self.fake.chat(chat_id)
        return asyncio.run_coroutine_threadsafe(read(), self.loop).result(5)


def post_update(worker, update: dict[str, Any]) -> int:
    return worker.http.post("/telegram/webhook", json=update,
                            headers={"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}).status_code


def group_reply(bot: ThreadedBotApi, text: str, to: ChatMessage) -> dict[str, Any]:
    update = bot.fake.make_message(TG_GROUP, text, user_id=4444, chat_type="supergroup")
    quoted = to.as_api()
    quoted["chat"] = {"id": TG_GROUP, "type": "supergroup", "title": "Một cửa"}
    update["message"]["reply_to_message"] = quoted
    return update


def _field(name: str, page: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]+)"', page)
    assert match, page[:300]
    return match.group(1)


def _updates(worker, session: str) -> list[str]:
    response = worker.http.get("/api/updates", params={"session_id": session})
    items = response.json()["notifications"]
    if items:
        worker.http.post("/api/updates/ack", json={"session_id": session, "ids": [i["id"] for i in items]})
    return [i["text"] for i in items]


def test_two_workers_and_a_restart_lose_no_answer(cluster):
    with ThreadedBotApi() as bot:
        _scenario(cluster, bot)


def _scenario(cluster, bot: ThreadedBotApi) -> None:
    engine, zalo = cluster.engine, cluster.zalo
    StaffAccounts(engine).add("lan", PASSWORD)
    telegram = {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE": bot.fake.base_url,
                "TELEGRAM_WEBHOOK_URL": "http://127.0.0.1/telegram/webhook",
                "TELEGRAM_WEBHOOK_SECRET": WEBHOOK_SECRET, "ASSISTANT_HANDOFF_CHAT_ID": str(TG_GROUP)}
    workers = wait_all(start_all(cluster.make_workers(2, ASSISTANT_STAFF_SECRET=SECRET, **telegram)))
    one, two = workers

    # A Telegram citizen asks through worker one; the staff group answers through worker two.
    assert post_update(one, bot.fake.make_message(TG_CITIZEN, "/canbo")) == 200
    post = wait_until(lambda: next((m for m in bot.chat(TG_GROUP) if m.plain.startswith("🆕")), None), 20,
                      "the request posted to the staff group")
    tg_request = int(re.search(r"#(\d+)", post.plain).group(1))
    assert post_update(two, group_reply(bot, "Chào bạn, mình là cán bộ một cửa.", post)) == 200

    def tg_answers() -> list[str]:
        return [m.plain for m in bot.chat(TG_CITIZEN) if m.plain.startswith("💬")]

    wait_until(lambda: tg_answers() == ["💬 Cán bộ trả lời:\nChào bạn, mình là cán bộ một cửa."], 20,
               "the group's answer on Telegram")

    web_session = "w-" + secrets.token_hex(8)
    opened = one.chat(web_session, text="cho em gặp cán bộ")
    assert opened["status"] == "handoff"
    web_request = opened["data"]["handoff"]["id"]
    assert two.chat(web_session, text="Em hỏi về chứng thực bản sao")["data"]["handoff"]["state"] == "relayed"

    zalo_user = "z" + secrets.token_hex(6)
    raw, headers = zalo_text_event(zalo_user, "gặp cán bộ", secrets.token_hex(8))
    assert two.post_zalo(raw, headers) == 200
    wait_until(lambda: any(m.user_id == zalo_user for m in zalo.messages()), 20, "the Zalo acknowledgement")
    zalo_request = HandoffStore(engine).open_for("zalo", zalo_user).id

    with httpx.Client(base_url=one.url, timeout=10.0) as staff:
        form = staff.get("/staff/login")
        assert staff.post("/staff/login", data={"csrf": _field("csrf", form.text), "name": "lan",
                                                "password": PASSWORD}).status_code == 303
        page = staff.get(f"/staff/requests/{web_request}")
        assert "chứng thực bản sao" in page.text  # relayed through the other worker
        assert staff.post(f"/staff/requests/{web_request}/reply", data={
            "csrf": _field("csrf", page.text), "nonce": _field("nonce", page.text),
            "text": "Bạn mang bản chính đến UBND xã nhé."}).status_code == 303
        cookie = staff.cookies.get("tthc_staff")

    # The web citizen polls the OTHER worker and gets it once.
    wait_until(lambda: _updates(two, web_session) == ["💬 Cán bộ trả lời:\nBạn mang bản chính đến UBND xã nhé."],
               20, "the web answer")
    assert _updates(one, web_session) == [] and _updates(two, web_session) == []

    # Every worker stops; a civil servant answers from the terminal meanwhile.
    for worker in workers:
        worker.stop()
    result = run_cli(cluster.env(), "handoff", "reply", str(zalo_request), "Hồ sơ của bạn nộp trực tuyến được.",
                     "--as", "lan", "--key", "cli-1")
    assert result.returncode == 0, result.stderr
    again = run_cli(cluster.env(), "handoff", "reply", str(zalo_request), "Hồ sơ của bạn nộp trực tuyến được.",
                    "--as", "lan", "--key", "cli-1")
    assert again.returncode == 0 and "không gửi lại" in again.stdout  # a script's retry sends nothing twice
    tg = run_cli(cluster.env(), "handoff", "reply", str(tg_request), "Bạn mang căn cước nhé.", "--as", "lan")
    assert tg.returncode == 0, tg.stderr
    listed = run_cli(cluster.env(), "handoff", "list", "--json")
    assert listed.returncode == 0 and '"channel": "zalo"' in listed.stdout

    wait_all(start_all(workers))
    answer = "💬 Cán bộ trả lời:\nHồ sơ của bạn nộp trực tuyến được."
    wait_until(lambda: any(m.user_id == zalo_user and m.text == answer for m in zalo.messages()), 30,
               "the Zalo answer after the restart")
    wait_until(lambda: Outbox(engine).pending("zalo") == 0, 30, "the outbox to drain")
    wait_until(lambda: len(tg_answers()) == 2, 30, "the Telegram answer after the restart")
    wait_until(lambda: Outbox(engine).pending("telegram") == 0, 30, "the Telegram outbox to drain")

    # After the restart: the staff session still works, the web citizen's request is still open.
    with httpx.Client(base_url=two.url, timeout=10.0) as staff:
        staff.cookies.set("tthc_staff", cookie, path="/staff")
        page = staff.get(f"/staff/requests/{web_request}")
        assert page.status_code == 200 and "Bạn mang bản chính" in page.text
        assert staff.post(f"/staff/requests/{web_request}/close",
                          data={"csrf": _field("csrf", page.text)}).status_code == 303
    assert one.chat(web_session, text="đăng ký khai sinh mất bao lâu")["status"] == "answer"
    closing = _updates(one, web_session)
    assert len(closing) == 1 and "kết thúc" in closing[0]
    for worker in workers:
        worker.stop()

    sent = Counter((m.user_id, m.text) for m in zalo.messages() if m.user_id == zalo_user)
    assert sent[(zalo_user, answer)] == 1
    assert tg_answers() == ["💬 Cán bộ trả lời:\nChào bạn, mình là cán bộ một cửa.",
                            "💬 Cán bộ trả lời:\nBạn mang căn cước nhé."]
