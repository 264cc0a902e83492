import datetime as dt
import threading

from sqlalchemy import select

from assistant.store import (
    ConversationStore,
    DossierStore,
    FeedbackStore,
    Outbox,
    QuestionLog,
    Subscriber,
    Subscriptions,
    contact_hash,
    user_hash,
)
from assistant.store.models import Dossier, Feedback, QuestionLogRow

NOW = dt.datetime(2026, 11, 23, 9, 0)


def _queue(engine, n, channel="telegram"):
    outbox = Outbox(engine)
    return [outbox.add(channel, str(i), f"tin {i}", None, NOW) for i in range(n)]


def test_conversation_round_trip(engine):
    store = ConversationStore(engine)
    assert store.load("telegram:1") is None
    store.save("telegram:1", {"last_procedure": "birth-registration", "checklist": {"x": [0, 2]}})
    assert store.load("telegram:1")["checklist"] == {"x": [0, 2]}
    store.save("telegram:1", {"last_procedure": "marriage-registration", "note": "Hồ sơ đất đai"})
    assert store.load("telegram:1") == {"last_procedure": "marriage-registration", "note": "Hồ sơ đất đai"}
    store.delete("telegram:1")
    assert store.load("telegram:1") is None


def test_outbox_claims_are_exclusive_and_expire(engine):
    _queue(engine, 5)
    _queue(engine, 2, channel="zalo")
    outbox = Outbox(engine, claim_seconds=30)
    first = outbox.claim("w1", limit=3, now=NOW, channel="telegram")
    second = outbox.claim("w2", limit=10, now=NOW, channel="telegram")
    assert len(first) == 3 and len(second) == 2
    assert [i.id for i in first] == sorted(i.id for i in first)  # oldest first
    assert not {i.id for i in first} & {i.id for i in second}
    assert outbox.claim("w3", now=NOW, channel="telegram") == []
    assert outbox.claim("w1", now=NOW, channel="telegram") == []  # a second claim does not repeat items
    for item in first:
        outbox.mark_delivered(item.id, NOW)
    # w2 died: its claims expire and another worker delivers them.
    later = NOW + dt.timedelta(seconds=31)
    retaken = outbox.claim("w3", now=later, channel="telegram")
    assert sorted(i.id for i in retaken) == sorted(i.id for i in second)
    assert outbox.pending("telegram") == 2 and outbox.pending("zalo") == 2 and outbox.pending() == 4
    assert {i.channel for i in outbox.claim("w4", now=later)} == {"zalo"}


def test_failed_item_waits_for_retry(engine):
    _queue(engine, 1)
    outbox = Outbox(engine)
    (item,) = outbox.claim("w1", now=NOW)
    outbox.mark_failed(item.id, "429 Too Many Requests", NOW + dt.timedelta(seconds=20))
    assert outbox.claim("w1", now=NOW + dt.timedelta(seconds=5)) == []
    (again,) = outbox.claim("w1", now=NOW + dt.timedelta(seconds=21))
    assert again.id == item.id and again.attempts == 1
    outbox.mark_delivered(again.id, NOW)
    assert outbox.pending() == 0 and outbox.claim("w1", now=NOW + dt.timedelta(days=1)) == []


def test_concurrent_workers_never_claim_the_same_item(engine):
    ids = _queue(engine, 120)
    outbox = Outbox(engine)
    claimed: dict[str, list[int]] = {}

    def work(worker: str) -> None:
        mine = claimed.setdefault(worker, [])
        while batch := outbox.claim(worker, limit=7, now=NOW):
            mine.extend(item.id for item in batch)

    threads = [threading.Thread(target=work, args=(f"w{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    every = [i for ids_ in claimed.values() for i in ids_]
    assert sorted(every) == sorted(ids)  # each item exactly once


def test_subscriptions(engine):
    subs = Subscriptions(engine)
    code = "000.00.10.H32-261120-0001"
    assert subs.add(code, "telegram", "42")
    assert not subs.add(code, "telegram", "42")
    assert subs.add(code, "zalo", "42")
    assert subs.is_subscribed(code, "telegram", "42") and not subs.is_subscribed(code, "web", "42")
    assert subs.subscribers(code) == [Subscriber("telegram", "42"), Subscriber("zalo", "42")]
    assert subs.of_chat("telegram", "42") == [code]
    assert subs.remove(code, "telegram", "42")
    assert not subs.remove(code, "telegram", "42")
    assert subs.remove_chat("zalo", "42") == 1 and subs.subscribers(code) == []


def test_dossier_store(engine):
    store = DossierStore(engine)
    assert store.get("000.00.10.H32-261120-0001") is None and store.count() == 0
    with engine.begin() as conn:
        conn.execute(Dossier.__table__.insert(), [
            {"code": f"000.00.10.H32-261120-{i:04d}", "procedure_id": "birth-registration", "locality": None,
             "received_at": NOW - dt.timedelta(days=i), "channel": "in_person", "due_date": dt.date(2026, 11, 30),
             "status": "received" if i % 2 else "in_progress", "result_delivery": "counter", "updated_at": NOW}
            for i in range(1, 6)])
    record = store.get("000.00.10.H32-261120-0002")
    assert record.status == "in_progress" and record.received_at == NOW - dt.timedelta(days=2)
    assert [r.code[-4:] for r in store.list(limit=3)] == ["0001", "0002", "0003"]
    assert [r.code[-4:] for r in store.list(status="received")] == ["0001", "0003", "0005"]
    assert store.count() == 5


def test_feedback_and_question_log(engine):
    FeedbackStore(engine).add("web", "birth-registration", "fee", -1, question="lệ phí bao nhiêu",
                              user=user_hash("web", "s1"))
    QuestionLog(engine).add("giá xăng", "gia xang", "not_found", [{"id": "x", "score": 12.5}], "web")
    with engine.connect() as conn:
        fb = conn.execute(select(Feedback.__table__)).one()
        ql = conn.execute(select(QuestionLogRow.__table__)).one()
    assert (fb.rating, fb.facet, fb.question) == (-1, "fee", "lệ phí bao nhiêu")
    assert ql.status == "not_found" and '"score": 12.5' in ql.candidates and ql.user_hash is None


def test_hashes_are_salted_and_stable():
    assert user_hash("web", "s1") != user_hash("web", "s2") and len(user_hash("web", "s1")) == 32
    assert user_hash("web", "s1", salt="a") != user_hash("web", "s1", salt="b")
    assert contact_hash("0912 345 678") == contact_hash("0912345678") and contact_hash("  ") is None
    assert "0912" not in contact_hash("0912345678")


def test_dossier_with_subscription_in_one_query(engine):
    store = DossierStore(engine)
    assert store.get_for("000.00.10.H32-261120-0001", "telegram", "42") == (None, False)
    with engine.begin() as conn:
        conn.execute(Dossier.__table__.insert().values(
            code="000.00.10.H32-261120-0001", procedure_id="birth-registration", received_at=NOW,
            channel="in_person", due_date=dt.date(2026, 11, 30), status="received", result_delivery="counter",
            updated_at=NOW))
    record, follows = store.get_for("000.00.10.H32-261120-0001", "telegram", "42")
    assert record.code == "000.00.10.H32-261120-0001" and not follows
    Subscriptions(engine).add(record.code, "telegram", "42")
    assert store.get_for(record.code, "telegram", "42")[1] and not store.get_for(record.code, "zalo", "42")[1]


def test_outbox_add_many_queues_due_rows_and_joins_a_transaction(engine):
    outbox = Outbox(engine, claim_seconds=30)
    assert outbox.add_many([], now=NOW) == 0
    assert outbox.add_many([("telegram", "1", "tin một", "C-1"), ("zalo", 2, "tin hai", None)], now=NOW) == 2
    claimed = outbox.claim("w1", now=NOW)
    assert [(i.channel, i.chat_id, i.text, i.dossier_code, i.attempts) for i in claimed] == [
        ("telegram", "1", "tin một", "C-1", 0), ("zalo", "2", "tin hai", None, 0)]
    # Inside a caller's transaction the rows share its fate: a rollback queues nothing.
    try:
        with engine.begin() as conn:
            outbox.add_many([("telegram", "3", "tin ba", None)], conn=conn, now=NOW)
            raise RuntimeError("rolled back")
    except RuntimeError:
        pass
    assert outbox.pending() == 2


def test_feedback_ratings_by_channel(engine):
    feedback = FeedbackStore(engine)
    for channel, rating in (("telegram", 1), ("telegram", 1), ("telegram", -1), ("web", -1)):
        feedback.add(channel, "birth-registration", None, rating, at=NOW)
    assert feedback.ratings("telegram") == {1: 2, -1: 1}
    assert feedback.ratings() == {1: 2, -1: 2}
