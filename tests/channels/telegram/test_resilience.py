"""Staff-only commands, floods, Bot API faults (429, 5xx), our own bugs, and secrets in logs."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest

from assistant.channels.telegram import run_polling
from tests.channels.telegram.conftest import FAST, STAFF_CHAT, say
from tests.channels.telegram.fake_bot_api import TOKEN

CHAT = 4001
QUESTION = "giay doc than mat bao lau"


async def test_staff_commands_are_refused_to_others(app, fake, assistant):
    brain = assistant.brain
    for command in ("/reload", "/stats"):
        refused = await say(fake, CHAT, command)
        assert refused.plain.startswith("Xin lỗi, lệnh này chỉ dành cho cán bộ quản trị hệ thống.")
        assert f"mã cuộc trò chuyện {CHAT}" in refused.plain
    assert assistant.brain is brain  # nothing was reloaded


async def test_staff_commands_work_for_configured_chats(app, fake, assistant):
    await say(fake, CHAT, QUESTION)
    stats = await say(fake, STAFF_CHAT, "/stats")
    assert "Thống kê kênh Telegram" in stats.plain
    assert f"{len(assistant.catalog)} thủ tục" in stats.plain and "trả lời được 1" in stats.plain
    assert "Thông báo đang chờ gửi: 0" in stats.plain
    assert "Kết quả tháng" in stats.plain and "Hồ sơ tiếp nhận:" in stats.plain and "mục tiêu 83%" in stats.plain
    brain = assistant.brain
    reloaded = await say(fake, STAFF_CHAT, "/reload")
    assert reloaded.plain.startswith(f"Đã nạp lại danh mục: {len(assistant.catalog)} thủ tục")
    assert assistant.brain is not brain


async def test_a_flood_from_one_chat_is_limited_politely_and_others_are_served(app, fake, channel):
    started = time.monotonic()
    for i in range(100):
        fake.message(CHAT, f"{QUESTION} {i}")
    bystander = await say(fake, CHAT + 1, QUESTION, timeout=10)
    assert "01 ngày làm việc" in bystander.plain
    await fake.wait_until(lambda: channel.stats["updates"] >= 101, timeout=10, what="all updates handled")
    await asyncio.sleep(0.2)
    replies = fake.chat(CHAT)
    assert len(replies) == 21  # 20 answers, then one friendly note, then silence
    assert all("Xác nhận tình trạng hôn nhân" in r.plain for r in replies[:20])
    assert "gửi tin nhắn hơi nhanh" in replies[20].plain and "giây" in replies[20].plain
    assert channel.stats["rate_limited"] == 80
    assert time.monotonic() - started < 10


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # raised inside PTB's RetryAfter
async def test_429_from_telegram_is_waited_out(app, fake):
    fake.fail("sendMessage", 429, retry_after=1)
    started = time.monotonic()
    reply = await say(fake, CHAT, QUESTION, timeout=10)
    assert "01 ngày làm việc" in reply.plain
    statuses = [c.status for c in fake.calls if c.method == "sendMessage"]
    assert statuses == [429, 200]
    assert time.monotonic() - started >= 1.0  # the retry-after was honoured


async def test_5xx_on_send_is_retried(app, fake):
    fake.fail("sendMessage", 500, times=2)
    reply = await say(fake, CHAT, QUESTION)
    assert "01 ngày làm việc" in reply.plain
    assert [c.status for c in fake.calls if c.method == "sendMessage"] == [500, 500, 200]


async def test_persistent_5xx_is_given_up_without_crashing(app, fake, channel):
    fake.fail("sendMessage", 502, times=3)  # every attempt of this reply fails
    fake.message(CHAT, QUESTION)
    await fake.wait_until(lambda: channel.stats["send_failed"] == 1, what="reply given up")
    reply = await say(fake, CHAT, "lệ phí bao nhiêu")  # the bot is still alive and remembers the topic
    assert "Xác nhận tình trạng hôn nhân" in reply.plain


async def test_polling_recovers_from_5xx(app, fake, channel):
    await say(fake, CHAT, QUESTION)
    fake.fail("getUpdates", 500)
    await fake.wait_until(lambda: any(c.method == "getUpdates" and c.status == 500 for c in fake.calls),
                          what="a failed poll")
    reply = await say(fake, CHAT, "nộp ở đâu", timeout=10)
    assert "Nơi nộp" in reply.plain
    assert channel.stats["polling_errors"] == 1


async def test_a_bug_in_the_core_gets_an_apology_not_a_crash(app, fake, assistant, monkeypatch):
    real = assistant.handle

    def broken(text, *args, **kwargs):
        if text == "boom":
            raise RuntimeError("simulated bug")
        return real(text, *args, **kwargs)

    monkeypatch.setattr(assistant, "handle", broken)
    apology = await say(fake, CHAT, "boom")
    assert "trục trặc tạm thời" in apology.plain
    reply = await say(fake, CHAT, QUESTION)
    assert "01 ngày làm việc" in reply.plain


async def test_stale_and_forged_buttons_are_harmless(app, fake):
    answer = await say(fake, CHAT, QUESTION)
    for data in ("f:z:nothing", "k:99:marriage-status-certification", "p:o:no-such-id", "x" * 64, ""):
        seen = len(fake.chat(CHAT))
        fake.press(answer, {"text": "?", "callback_data": data})
        if data.startswith("k:"):
            await fake.wait_until(lambda: answer.edits >= 1, what="checklist edit")
        else:
            reply = await fake.next_reply(CHAT, seen)
            assert "đã cũ" in reply.plain or "Bạn vui lòng" in reply.plain
    assert len(fake.sent(method="answerCallbackQuery")) == 5  # every tap is acknowledged


async def test_run_polling_in_a_running_loop_stops_on_event(fake, settings, assistant, db):
    stop = asyncio.Event()
    task = asyncio.create_task(run_polling(settings, assistant, db, stop, base_url=fake.base_url,
                                           poll_timeout=1, **FAST))
    try:
        reply = await say(fake, CHAT, QUESTION, timeout=10)
        assert "01 ngày làm việc" in reply.plain
    finally:
        stop.set()
        await asyncio.wait_for(task, 5)


async def test_run_polling_waits_for_telegram_at_startup(fake, settings, assistant, db):
    fake.fail("getMe", 502)  # Telegram unreachable when the server starts
    stop = asyncio.Event()
    task = asyncio.create_task(run_polling(settings, assistant, db, stop, base_url=fake.base_url,
                                           poll_timeout=1, **FAST))
    try:
        reply = await say(fake, CHAT, QUESTION, timeout=10)
        assert "01 ngày làm việc" in reply.plain
    finally:
        stop.set()
        await asyncio.wait_for(task, 5)


async def test_bad_token_keeps_the_channel_off_without_raising(fake, settings, assistant, db):
    from dataclasses import replace

    stop = asyncio.Event()
    wrong = replace(settings, telegram_token="42:wrong")
    await asyncio.wait_for(run_polling(wrong, assistant, db, stop, base_url=fake.base_url, **FAST), 5)


async def test_the_token_never_reaches_the_logs(fake, settings, assistant, db, caplog):
    caplog.set_level(logging.DEBUG)
    stop = asyncio.Event()
    fake.fail("sendMessage", 500)
    task = asyncio.create_task(run_polling(settings, assistant, db, stop, base_url=fake.base_url,
                                           poll_timeout=1, **FAST))
    try:
        await say(fake, CHAT, QUESTION, timeout=10)
        await say(fake, CHAT, "/tracuu 000.00.10.H32-261120-0001", timeout=10)
    finally:
        stop.set()
        await asyncio.wait_for(task, 5)
    assert caplog.records, "logging was captured"
    secret = TOKEN.split(":", 1)[1]
    assert secret not in caplog.text
    assert QUESTION not in caplog.text  # nor what citizens wrote


async def test_database_outage_still_answers_procedures(app, fake, db):
    """Conversation state and dossier tables unavailable: answers and follow-ups keep working
    (this process's copy of the state); lookups say to try again later."""
    from sqlalchemy import text

    with db.begin() as conn:
        conn.execute(text("DROP TABLE conversations"))
        conn.execute(text("DROP TABLE subscriptions"))
        conn.execute(text("DROP TABLE status_events"))
        conn.execute(text("DROP TABLE dossiers"))
    answer = await say(fake, CHAT, QUESTION)
    assert "01 ngày làm việc" in answer.plain
    follow = await say(fake, CHAT, "nộp ở đâu")
    assert "Xác nhận tình trạng hôn nhân" in follow.plain and "Nơi nộp" in follow.plain
    lookup = await say(fake, CHAT, "/tracuu 000.00.10.H32-261120-0001")
    assert "thử lại" in lookup.plain
