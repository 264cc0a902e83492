"""Finding 10: a signed Zalo event is processed once, whatever worker or restart it reaches, and
a signed event with an old timestamp is refused as a replay.

Before the fix an event stamped in 2020 was accepted, and the duplicate filter lived in each
process's memory, so a captured event replayed after a restart (or to another worker) was
processed again."""

from __future__ import annotations

import asyncio
import json
import time

from sqlalchemy import select

from assistant.channels.zalo import ZaloChannel, header_value
from assistant.store.models import ConversationRow, SeenEvent
from assistant.web.metrics import Metrics
from assistant.web.state import ConversationTurns
from tests.channels.zalo.conftest import text_event
from tests.channels.zalo.fake_zalo import APP_ID, OA_SECRET

USER = "5510185758261927916"


def _signed(event: dict) -> tuple[dict[str, str], bytes]:
    raw = json.dumps(event, ensure_ascii=False).encode()
    return {"X-ZEvent-Signature": header_value(APP_ID, raw, event["timestamp"], OA_SECRET)}, raw


async def test_stale_signed_event_is_refused(web, fake, sqlite_engine):
    for stamp in (1_590_000_000_000, int((time.time() + 3600) * 1000), int((time.time() - 400) * 1000)):
        event = text_event(USER, "giay doc than mat bao lau")
        event["timestamp"] = str(stamp)
        assert (await web.post_event(event)).status_code == 401
    await asyncio.sleep(0.3)
    assert fake.sent == []
    with sqlite_engine.connect() as conn:
        assert conn.execute(select(ConversationRow.key)).all() == []
    assert 'tthc_webhook_events_total{channel="zalo",outcome="stale_timestamp"} 3' in web.metrics.render()
    recent = text_event(USER, "giay doc than mat bao lau")
    recent["timestamp"] = str(int((time.time() - 60) * 1000))  # within the window: Zalo's own retries
    assert (await web.post_event(recent)).status_code == 200
    await fake.wait_for(USER)


async def test_replay_to_another_worker_or_after_a_restart_is_not_processed(web, fake, settings, assistant,
                                                                            sqlite_engine):
    event = text_event(USER, "giay doc than mat bao lau", msg_id="captured-1")
    assert (await web.post_event(event)).status_code == 200
    await fake.wait_for(USER)
    with sqlite_engine.connect() as conn:
        assert conn.execute(select(SeenEvent.event_id)).scalars().all() == ["m:captured-1"]

    # Another worker (or this one restarted): its memory is empty, the database is not.
    metrics = Metrics()
    turns = ConversationTurns(sqlite_engine)
    try:
        other = ZaloChannel(settings, assistant, sqlite_engine, turns=turns, metrics=metrics)
        headers, raw = _signed(event)
        assert await other.handle_webhook(headers, raw) == 200
        assert not other._tasks
    finally:
        turns.close()
    assert 'tthc_webhook_events_total{channel="zalo",outcome="duplicate"} 1' in metrics.render()
    await asyncio.sleep(0.3)
    assert len(fake.to(USER)) == 1
