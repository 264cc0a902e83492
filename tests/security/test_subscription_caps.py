"""Finding 11: subscriptions are capped per dossier, per chat/session and per client address,
and web notifications nobody fetched expire.

Before the fix one address made 44,067 web subscriptions to one dossier in 40 s, and one import
then queued 44,228 outbox rows."""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import func, select

from assistant.config import Settings
from assistant.dialogue.conversation import Requester
from assistant.dossiers.desk import DossierDesk, LookupLimits
from assistant.store.models import OutboxRow, Subscription
from assistant.store.repos import Outbox
from assistant.store.retention import run_retention
from tests.dossiers.test_desk import NOW, _add


def _desk(engine, catalog, **limits) -> DossierDesk:
    return DossierDesk(engine, catalog, limits=LookupLimits.from_settings(dataclasses.replace(Settings(), **limits)))


def _subscribed(reply) -> bool:
    return bool(reply.data["dossier"].get("subscribed"))


def _count(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(Subscription)).scalar()


def test_per_dossier_cap(engine, small_catalog):
    code = _add(engine, 1, "in_progress")
    desk = _desk(engine, small_catalog)
    replies = [desk.subscribe(code, Requester("telegram", str(1000 + i)), NOW) for i in range(25)]
    assert sum(map(_subscribed, replies)) == 20 and _count(engine) == 20
    assert replies[-1].data["dossier"]["capped"] and "nhiều người theo dõi" in replies[-1].text


def test_per_session_cap(engine, small_catalog):
    codes = [_add(engine, seq, "received") for seq in range(1, 14)]
    desk = _desk(engine, small_catalog)
    me = Requester("zalo", "user-1")
    replies = [desk.subscribe(code, me, NOW) for code in codes]
    assert sum(map(_subscribed, replies)) == 10 and "mức tối đa" in replies[-1].text
    assert _subscribed(desk.subscribe(codes[0], me, NOW))  # already following: still fine, nothing added
    assert _count(engine) == 10


def test_per_address_cap_across_fresh_sessions(engine, small_catalog):
    codes = [_add(engine, seq, "received") for seq in range(1, 4)]
    desk = _desk(engine, small_catalog, subscriptions_per_address=8)
    replies = [desk.subscribe(codes[i % 3], Requester("web", f"fresh-{i:03d}", origin="203.0.113.9"), NOW)
               for i in range(20)]
    assert sum(map(_subscribed, replies)) == 8 and _count(engine) == 8
    assert _subscribed(desk.subscribe(codes[0], Requester("web", "neighbour", origin="198.51.100.4"), NOW))


def test_unfetched_web_notifications_expire(engine):
    outbox, now = Outbox(engine), dt.datetime(2026, 11, 30, 12, 0)
    old = now - dt.timedelta(days=31)
    outbox.add("web", "gone-session", "cũ", "000.00.10.H32-261120-0001", now=old)
    outbox.add("web", "recent-session", "mới", "000.00.10.H32-261120-0001", now=now - dt.timedelta(days=2))
    outbox.add("telegram", "42", "chờ gửi lại", "000.00.10.H32-261120-0001", now=old)  # retried, not expired
    report = run_retention(engine, Settings(), now=now)
    assert report.deleted["outbox_web_expired"] == 1
    with engine.connect() as conn:
        left = sorted(conn.execute(select(OutboxRow.chat_id)).scalars())
    assert left == ["42", "recent-session"]
