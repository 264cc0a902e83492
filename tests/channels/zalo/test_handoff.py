"""Handoff on Zalo over real HTTP: a Zalo citizen asks for a person, a civil servant answers from
the staff inbox on the same server, and the answer reaches the citizen once through Zalo."""

from __future__ import annotations

import asyncio
import re

import httpx

from assistant.handoff.accounts import StaffAccounts
from assistant.handoff.store import HandoffStore
from tests.channels.zalo.conftest import text_event

USER = "2468013579"
PASSWORD = "mat-khau-thu-nghiem-1"


def _field(name: str, page: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]+)"', page)
    assert match, page[:300]
    return match.group(1)


async def test_zalo_citizen_gets_the_inbox_reply_once(web, fake, sqlite_engine):
    StaffAccounts(sqlite_engine).add("lan", PASSWORD)
    assert (await web.post_event(text_event(USER, "Cho em hỏi trực tiếp cán bộ"))).status_code == 200
    opened = await fake.wait_for(USER, 1)
    assert "cán bộ" in opened[0].text and "quay lại trợ lý" in opened[0].text
    await web.post_event(text_event(USER, "Em muốn hỏi về đăng ký kết hôn với người nước ngoài"))
    relayed = await fake.wait_for(USER, 2)
    assert "Đã chuyển" in relayed[1].text

    request = HandoffStore(sqlite_engine).list("open")[0]
    assert request.channel == "zalo"
    async with httpx.AsyncClient(base_url=web.url, timeout=10) as staff:
        form = await staff.get("/staff/login")
        login = await staff.post("/staff/login", data={"csrf": _field("csrf", form.text), "name": "lan",
                                                       "password": PASSWORD})
        assert login.status_code == 303
        page = await staff.get(f"/staff/requests/{request.id}")
        assert "người nước ngoài" in page.text and "Zalo" in page.text
        sent = await staff.post(f"/staff/requests/{request.id}/reply", data={
            "csrf": _field("csrf", page.text), "nonce": _field("nonce", page.text),
            "text": "Bạn nộp hồ sơ tại Bộ phận một cửa của UBND cấp tỉnh nhé."})
        assert sent.status_code == 303

    messages = await fake.wait_for(USER, 3)
    answers = [m.text for m in messages if m.text.startswith("💬 Cán bộ trả lời:")]
    assert answers == ["💬 Cán bộ trả lời:\nBạn nộp hồ sơ tại Bộ phận một cửa của UBND cấp tỉnh nhé."]
    await asyncio.sleep(0.5)  # several outbox rounds (every 0.1 s): nothing is sent twice
    assert len([m for m in fake.to(USER) if m.text.startswith("💬")]) == 1
