"""Handoff on Telegram over real HTTP (fake Bot API on 127.0.0.1): a citizen asks for a person
with /canbo, the request is posted to the staff group, a civil servant's reply there reaches the
citizen once, /dong closes; a reply written in the inbox (the store) arrives the same way."""

from __future__ import annotations

import dataclasses

import pytest

from assistant.handoff.store import HandoffStore
from tests.channels.telegram.conftest import say
from tests.channels.telegram.fake_bot_api import ChatMessage, FakeBotApi

CITIZEN = 4242
GROUP = -100777
STAFF_USER = 9001


@pytest.fixture
def settings(settings):
    return dataclasses.replace(settings, handoff_chat_id=str(GROUP))


def staff_says(fake: FakeBotApi, text: str, replying_to: ChatMessage | None) -> int:
    update = fake.make_message(GROUP, text, user_id=STAFF_USER, chat_type="supergroup")
    update["message"]["from"]["username"] = "canbo_lan"
    if replying_to is not None:
        quoted = replying_to.as_api()
        quoted["chat"] = {"id": GROUP, "type": "supergroup", "title": "Một cửa"}
        update["message"]["reply_to_message"] = quoted
    return fake.push(update)


def staff_replies(fake: FakeBotApi) -> list[str]:
    return [m.plain for m in fake.chat(CITIZEN) if m.plain.startswith("💬 Cán bộ trả lời:")]


async def test_citizen_asks_group_answers_and_closes(fake, app, db):
    await say(fake, CITIZEN, "giấy khai sinh cần giấy tờ gì")
    opened = await say(fake, CITIZEN, "/canbo")
    assert "cán bộ" in opened.plain and "quay lại trợ lý" in opened.plain
    assert any(b.get("callback_data") == "ho:back" for b in opened.buttons())

    posts = await fake.wait_messages(GROUP, 1)
    post = posts[0]
    assert post.plain.startswith("🆕 Yêu cầu #") and "giấy khai sinh cần giấy tờ gì" in post.plain

    relayed = await say(fake, CITIZEN, "Con em sinh ở bệnh viện tỉnh ạ")
    assert "Đã chuyển" in relayed.plain
    followup = (await fake.wait_messages(GROUP, 2))[1]
    assert "bệnh viện tỉnh" in followup.plain

    staff_says(fake, "Bạn đăng ký khai sinh tại UBND xã nơi cư trú nhé.", replying_to=followup)
    await fake.wait_until(lambda: staff_replies(fake), what="the staff reply reaches the citizen")
    await fake.wait_until(lambda: any("Đã gửi cho người dân" in m.plain for m in fake.chat(GROUP)), what="ack")
    assert staff_replies(fake) == ["💬 Cán bộ trả lời:\nBạn đăng ký khai sinh tại UBND xã nơi cư trú nhé."]

    request = HandoffStore(db).list("open")[0]
    assert request.channel == "telegram" and request.claimed_by == "@canbo_lan"

    # A reply written in the inbox (same store) reaches the Telegram citizen too, and the group sees it.
    assert HandoffStore(db, group=str(GROUP)).reply(request.id, "lan", "Nhớ mang giấy chứng sinh.") == "sent"
    await fake.wait_until(lambda: len(staff_replies(fake)) == 2, what="the inbox reply")
    await fake.wait_until(lambda: any("lan đã trả lời" in m.plain for m in fake.chat(GROUP)), what="group note")

    staff_says(fake, "/dong", replying_to=post)
    await fake.wait_until(lambda: any("Cán bộ đã kết thúc" in m.plain for m in fake.chat(CITIZEN)), what="closed")
    assert HandoffStore(db).get(request.id).status == "closed"
    back = await say(fake, CITIZEN, "đăng ký khai sinh mất bao lâu")
    assert "Cán bộ" not in back.plain and "Đã chuyển" not in back.plain
    assert len(staff_replies(fake)) == 2  # each answer exactly once


async def test_group_chatter_and_foreign_replies_are_ignored(fake, app, db):
    await say(fake, CITIZEN, "gặp cán bộ")
    post = (await fake.wait_messages(GROUP, 1))[0]
    staff_says(fake, "Ai trực hôm nay?", replying_to=None)
    colleague = ChatMessage(GROUP, 99999, "Yêu cầu #1 để mình", None, None)
    update = fake.make_message(GROUP, "ok", user_id=STAFF_USER, chat_type="supergroup")
    quoted = colleague.as_api()
    quoted["from"] = {"id": 5, "is_bot": False, "first_name": "Minh"}
    update["message"]["reply_to_message"] = quoted
    fake.push(update)
    staff_says(fake, "/dong", replying_to=post)
    await fake.wait_until(lambda: any("Cán bộ đã kết thúc" in m.plain for m in fake.chat(CITIZEN)), what="closed")
    assert staff_replies(fake) == []


async def test_not_found_then_thumbs_down_offer_a_person_with_a_button(fake, app, db):
    answer = await say(fake, CITIZEN, "đăng ký khai sinh cần giấy tờ gì")
    missed = await say(fake, CITIZEN, "xyzzy qwerty plugh")  # the first unhelpful turn
    assert not any(b.get("callback_data") == "ho:open" for b in missed.buttons())
    seen = len(fake.chat(CITIZEN))
    fake.press(answer, "fb:-1")  # the second: a toast cannot carry a button, so a message follows
    offer = await fake.next_reply(CITIZEN, seen)
    assert "gặp cán bộ" in offer.plain
    seen = len(fake.chat(CITIZEN))
    fake.press(offer, "ho:open")
    reply = await fake.next_reply(CITIZEN, seen)
    assert "Mình đã chuyển câu hỏi của bạn tới cán bộ" in reply.plain
    await fake.wait_messages(GROUP, 1)  # and the staff group got the request
