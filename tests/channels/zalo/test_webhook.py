"""Signed Zalo events in, OA messages out, through the real web server and the fake Zalo platform."""

from __future__ import annotations

import asyncio
import json
import logging

from sqlalchemy import select

from assistant.channels.zalo.render import ACTION_PREFIX
from assistant.store.models import ConversationRow
from tests.channels.zalo.conftest import follow_event, text_event

USER = "5510185758261927916"
PROC = "marriage-status-certification"


async def test_signed_text_event_gets_a_reply_with_buttons(web, fake):
    response = await web.post_event(text_event(USER, "giay doc than mat bao lau"))
    assert response.status_code == 200 and response.json() == {"received": True}
    [sent] = await fake.wait_for(USER)
    assert sent.text.startswith("Xác nhận tình trạng hôn nhân\n")
    assert "01 ngày làm việc" in sent.text
    assert sent.token == fake.access_token
    assert 1 <= len(sent.buttons) <= 5
    assert all(b["type"] == "oa.query.hide" and b["payload"].startswith(ACTION_PREFIX) for b in sent.buttons)
    payloads = [b["payload"] for b in sent.buttons]
    assert payloads[-2:] == [f"{ACTION_PREFIX}fb:+1:{PROC}", f"{ACTION_PREFIX}fb:-1:{PROC}"]


async def test_button_payload_and_follow_up_use_the_stored_conversation(web, fake, sqlite_engine):
    await web.post_event(text_event(USER, "giấy xác nhận độc thân nộp ở đâu"))
    [first] = await fake.wait_for(USER)
    fee_button = next(b for b in first.buttons if b["payload"] == f"{ACTION_PREFIX}f:p:{PROC}")
    await web.post_event(text_event(USER, fee_button["payload"]))  # what Zalo posts when it is tapped
    sent = await fake.wait_for(USER, 2)
    assert "Lệ phí" in sent[1].text
    await web.post_event(text_event(USER, "còn mất bao lâu?"))
    sent = await fake.wait_for(USER, 3)
    assert "Thời hạn giải quyết" in sent[2].text and sent[2].text.startswith("Xác nhận tình trạng hôn nhân")
    with sqlite_engine.connect() as conn:
        state = conn.execute(select(ConversationRow.state).where(ConversationRow.key == f"zalo:{USER}")).scalar()
    assert json.loads(state)["last_procedure"] == PROC
    assert 'tthc_actions_total{channel="zalo",status="answer"} 1' in web.metrics.render()


async def test_checklist_buttons_toggle_documents(web, fake):
    await web.post_event(text_event(USER, f"{ACTION_PREFIX}k:-1:{PROC}"))
    [checklist] = await fake.wait_for(USER)
    toggles = [b for b in checklist.buttons if b["payload"].startswith(f"{ACTION_PREFIX}k:")]
    assert toggles and all(b["title"].startswith("⬜") for b in toggles)
    assert len(checklist.buttons) <= 5
    await web.post_event(text_event(USER, checklist.buttons[0]["payload"]))
    ticked = (await fake.wait_for(USER, 2))[1]
    assert ticked.buttons[0]["title"].startswith("✅") and "✅ 1." in ticked.text


async def test_bad_or_missing_signature_is_refused_and_nothing_is_sent(web, fake, sqlite_engine, caplog):
    caplog.set_level(logging.DEBUG)
    event = text_event(USER, "giay doc than mat bao lau")
    assert (await web.post_event(event, omit_signature=True)).status_code == 401
    assert (await web.post_event(event, secret="not-the-oa-secret")).status_code == 401
    assert (await web.post_event(event, signature="mac=" + "0" * 64)).status_code == 401
    assert (await web.post_event(event, signature="garbage")).status_code == 401
    tampered = json.dumps(event).replace("giay doc than", "ho chieu").encode()
    good_for_original = (await _signature_for(event))
    assert (await web.post_event(event, body=tampered, signature=good_for_original)).status_code == 401
    assert (await web.post_event(event, body=b"not json", signature=good_for_original)).status_code == 401
    await asyncio.sleep(0.3)
    assert fake.sent == [] and fake.message_calls == 0
    with sqlite_engine.connect() as conn:
        assert conn.execute(select(ConversationRow.key)).all() == []
    text = web.metrics.render()
    assert 'tthc_webhook_events_total{channel="zalo",outcome="bad_signature"} 4' in text
    assert 'tthc_webhook_events_total{channel="zalo",outcome="missing_signature"} 1' in text
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "fake-oa-secret-key-not-real" not in logged and good_for_original not in logged


async def _signature_for(event: dict) -> str:
    from assistant.channels.zalo import header_value
    from tests.channels.zalo.fake_zalo import APP_ID, OA_SECRET

    return header_value(APP_ID, json.dumps(event, ensure_ascii=False).encode(), event["timestamp"], OA_SECRET)


async def test_duplicate_deliveries_are_processed_once(web, fake):
    event = text_event(USER, "xin chào", msg_id="dup-1")
    for _ in range(3):
        assert (await web.post_event(event)).status_code == 200
    await web.channel.drain()
    await asyncio.sleep(0.2)
    assert len(fake.to(USER)) == 1


async def test_follow_greets_with_at_most_five_buttons(web, fake):
    await web.post_event(follow_event(USER))
    [greeting] = await fake.wait_for(USER)
    assert greeting.text.startswith("Cảm ơn bạn đã quan tâm!") and "Khánh Hòa" in greeting.text and "Huyện" not in greeting.text
    assert 1 <= len(greeting.buttons) <= 5
    assert greeting.buttons[0]["payload"].startswith(f"{ACTION_PREFIX}field:")


async def test_images_and_stickers_get_a_polite_text_only_note(web, fake):
    event = text_event(USER, "")
    event["event_name"] = "user_send_sticker"
    event["message"] = {"msg_id": "st-1", "attachments": [{"type": "sticker", "payload": {"id": "1"}}]}
    await web.post_event(event)
    [note] = await fake.wait_for(USER)
    assert "chỉ đọc được tin nhắn chữ" in note.text


async def test_a_flood_from_one_user_is_limited_with_one_friendly_note(web, fake):
    for index in range(30):
        await web.post_event(text_event(USER, f"xin chào {index}"))
    await web.channel.drain()
    replies = fake.to(USER)
    assert len(replies) == 21  # 20 answers a minute, then one "slow down" note, then silence
    assert "nhắn hơi nhanh" in replies[-1].text
    other = "1234567890"
    await web.post_event(text_event(other, "xin chào"))
    assert len(await fake.wait_for(other)) == 1


async def test_events_of_one_user_are_answered_in_order(web, fake):
    questions = ["giấy độc thân mất bao lâu", "lệ phí cấp hộ chiếu", "đăng ký khai sinh ở đâu"]
    for question in questions:
        await web.post_event(text_event(USER, question))
    sent = await fake.wait_for(USER, 3)
    assert [m.text.split("\n", 1)[0] for m in sent] == ["Xác nhận tình trạng hôn nhân", "Cấp hộ chiếu",
                                                         "Đăng ký khai sinh"]
