import datetime as dt

from assistant.store.models import OutboxRow
from assistant.store.repos import (
    ConversationStore,
    FeedbackStore,
    Outbox,
    QuestionLog,
    Subscriptions,
    user_hash,
)

NOW = dt.datetime(2026, 11, 23, 9, 0)


def _queue(engine, n, channel="telegram"):
    with engine.begin() as conn:
        conn.execute(OutboxRow.__table__.insert(), [
            {"channel": channel, "chat_id": str(i), "text": f"tin {i}", "created_at": NOW, "attempts": 0,
             "next_attempt_at": NOW, "dossier_code": None} for i in range(n)])


def test_conversation_round_trip(engine):
    store = ConversationStore(engine)
    assert store.load("telegram:1") is None
    store.save("telegram:1", {"last_procedure": "birth-registration", "checklist": {"x": [0, 2]}})
    store.save("telegram:1", {"last_procedure": "marriage-registration"})
    assert store.load("telegram:1") == {"last_procedure": "marriage-registration"}


def test_outbox_claims_are_exclusive_and_expire(engine):
    _queue(engine, 5)
    _queue(engine, 2, channel="zalo")
    outbox = Outbox(engine, claim_seconds=30)
    first = outbox.claim("w1", limit=3, now=NOW, channel="telegram")
    second = outbox.claim("w2", limit=10, now=NOW, channel="telegram")
    assert len(first) == 3 and len(second) == 2
    assert not {i.id for i in first} & {i.id for i in second}
    assert outbox.claim("w3", now=NOW, channel="telegram") == []
    for item in first:
        outbox.mark_delivered(item.id, NOW)
    # w2 died: its claims expire and another worker delivers them.
    later = NOW + dt.timedelta(seconds=31)
    retaken = outbox.claim("w3", now=later, channel="telegram")
    assert sorted(i.id for i in retaken) == sorted(i.id for i in second)
    assert outbox.pending("telegram") == 2 and outbox.pending("zalo") == 2


def test_failed_item_waits_for_retry(engine):
    _queue(engine, 1)
    outbox = Outbox(engine)
    (item,) = outbox.claim("w1", now=NOW)
    outbox.mark_failed(item.id, "429 Too Many Requests", NOW + dt.timedelta(seconds=20))
    assert outbox.claim("w1", now=NOW + dt.timedelta(seconds=5)) == []
    (again,) = outbox.claim("w1", now=NOW + dt.timedelta(seconds=21))
    assert again.id == item.id and again.attempts == 1


def test_subscriptions_feedback_questions(engine):
    subs = Subscriptions(engine)
    assert subs.add("000.00.10.H32-261120-0001", "telegram", "42")
    assert not subs.add("000.00.10.H32-261120-0001", "telegram", "42")
    assert subs.remove("000.00.10.H32-261120-0001", "telegram", "42")
    assert not subs.remove("000.00.10.H32-261120-0001", "telegram", "42")
    FeedbackStore(engine).add("web", "birth-registration", "fee", -1, user=user_hash("web", "s1"))
    QuestionLog(engine).add("giá xăng", "gia xang", "not_found", [], "web")
    assert user_hash("web", "s1") != user_hash("web", "s2") and len(user_hash("web", "s1")) == 32
