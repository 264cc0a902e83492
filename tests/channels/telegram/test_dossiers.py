"""Dossier lookup, subscriptions and outbox notifications through the real Telegram stack."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from sqlalchemy import select

from assistant.channels.delivery import utcnow
from assistant.dossiers.seed import demo_codes, seed_demo
from assistant.store.models import OutboxRow
from tests.channels.telegram.conftest import say, tap
from tests.factories import import_status

CHAT, OTHER = 3001, 3002


@pytest.fixture
def seeded(db, assistant):
    seed_demo(db, assistant.catalog, assistant.clock(), assistant.brain.calendar)
    return demo_codes()


def outbox_rows(engine) -> list:
    with engine.connect() as conn:
        return conn.execute(select(OutboxRow.__table__).order_by(OutboxRow.id)).all()


async def test_lookup_by_command_and_by_pasting_a_code(app, fake, seeded):
    code = seeded[0]
    card = await say(fake, CHAT, f"/tracuu {code}")
    assert card.text.startswith(f"<b>Hồ sơ {code}</b>")
    assert "Tình trạng: Đang giải quyết" in card.plain and "Ngày hẹn trả" in card.plain
    assert card.button("sub:")["callback_data"] == f"sub:{code}"

    pasted = await say(fake, CHAT, f"ho so {code.lower().replace('.', ' ', 1)} cua toi den dau roi")
    assert pasted.text.startswith(f"<b>Hồ sơ {code}</b>")

    usage = await say(fake, CHAT, "/tracuu")
    assert "/tracuu 000.00.10.H32" in usage.plain
    bad = await say(fake, CHAT, "/tracuu 12345")
    assert "chưa đúng định dạng" in bad.plain
    unknown = await say(fake, CHAT, "/tracuu 000.00.10.H32-261120-9999")
    assert "Không tìm thấy hồ sơ" in unknown.plain


async def test_subscribe_then_notification_after_import(app, fake, seeded, db, assistant, tmp_path):
    code = seeded[0]
    card = await say(fake, CHAT, f"/tracuu {code}")
    subscribed = await tap(fake, card, f"sub:{code}")
    assert "Đã đăng ký theo dõi" in subscribed.plain
    by_command = await say(fake, OTHER, f"/theodoi {code}")
    assert "Đã đăng ký theo dõi" in by_command.plain
    again = await say(fake, OTHER, f"/theodoi {code}")
    assert "đã theo dõi" in again.plain

    seen = {CHAT: len(fake.chat(CHAT)), OTHER: len(fake.chat(OTHER))}
    assert import_status(db, assistant.catalog, tmp_path, code, "Đã giải quyết đúng hạn") == 2
    for chat in (CHAT, OTHER):
        note = await fake.next_reply(chat, seen[chat], timeout=5)
        assert f"Hồ sơ {code}" in note.plain and "Kết quả đã có" in note.plain
    await fake.wait_until(lambda: all(r.delivered_at for r in outbox_rows(db)), what="rows delivered")
    await asyncio.sleep(0.4)  # several more drain cycles: nothing is sent twice
    assert [len(fake.chat(c)) - seen[c] for c in (CHAT, OTHER)] == [1, 1]
    assert all(r.attempts == 0 for r in outbox_rows(db))

    # Unsubscribing stops further notifications.
    stopped = await say(fake, CHAT, f"/huytheodoi {code}")
    assert "Đã hủy theo dõi" in stopped.plain
    assert import_status(db, assistant.catalog, tmp_path, code, "Đã trả kết quả") == 1


async def test_notification_survives_telegram_outage(app, fake, channel, seeded, db, assistant, tmp_path):
    """A 5xx while delivering: the row is kept with a retry time, then delivered exactly once."""
    code = seeded[0]
    await say(fake, CHAT, f"/theodoi {code}")
    seen = len(fake.chat(CHAT))
    fake.fail("sendMessage", 500)
    import_status(db, assistant.catalog, tmp_path, code, "Yêu cầu bổ sung")
    await fake.wait_until(lambda: any(r.attempts == 1 for r in outbox_rows(db)), what="failed attempt")
    (row,) = outbox_rows(db)
    assert row.delivered_at is None and row.last_error.startswith("transient:")
    assert row.next_attempt_at > utcnow()  # backed off, not hammering
    assert len(fake.chat(CHAT)) == seen

    # Later (the backoff has passed) the next drain delivers it.
    delivered = await channel.dispatcher.drain_once(now=utcnow() + dt.timedelta(minutes=5))
    assert delivered == 1
    note = await fake.next_reply(CHAT, seen)
    assert "Yêu cầu bổ sung" in note.plain or "bổ sung" in note.plain
    await asyncio.sleep(0.3)
    assert len(fake.chat(CHAT)) == seen + 1
    assert outbox_rows(db)[0].delivered_at is not None


async def test_blocked_chat_is_kept_for_much_later(app, fake, seeded, db, assistant, tmp_path):
    code = seeded[1]
    await say(fake, CHAT, f"/theodoi {code}")
    fake.fail("sendMessage", 403, description="Forbidden: bot was blocked by the user")
    import_status(db, assistant.catalog, tmp_path, code, "Đang giải quyết")
    await fake.wait_until(lambda: any(r.attempts == 1 for r in outbox_rows(db)), what="failed attempt")
    (row,) = outbox_rows(db)
    assert row.delivered_at is None and row.last_error.startswith("permanent:")
    assert row.next_attempt_at > utcnow() + dt.timedelta(days=6)
