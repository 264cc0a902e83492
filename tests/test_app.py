"""The composed assistant: core + dossier desk + question log + feedback on a real database."""

import datetime as dt
import json

from sqlalchemy import select

from assistant.app import attach_database, redact
from assistant.config import Settings
from assistant.core import Assistant
from assistant.dialogue.conversation import Conversation, Requester
from assistant.dialogue.reply import Status
from assistant.dossiers.seed import demo_codes, seed_demo
from assistant.store.models import Feedback, QuestionLogRow, Subscription

NOW = dt.datetime(2026, 11, 23, 10, 0)
ME = Requester("web", "session-1")


def _assistant(engine, catalog):
    assistant = Assistant(catalog, Settings(catalog_dir=catalog.directory, locality=None), clock=lambda: NOW)
    attach_database(assistant, engine)
    return assistant


def test_code_in_a_sentence_gets_a_status_card(engine, shipped_catalog):
    seed_demo(engine, shipped_catalog, NOW)
    assistant = _assistant(engine, shipped_catalog)
    code = demo_codes()[0]
    spaced = code.lower().replace(".", " ")
    reply = assistant.handle(f"cho em hỏi hồ sơ {spaced} đến đâu rồi ạ", Conversation(), ME)
    assert reply.status == Status.dossier
    assert reply.to_json()["status"] == "dossier" and reply.to_json()["procedure_id"] is None
    assert code in reply.text and "Tình trạng:" in reply.text


def test_follow_by_message_and_button(engine, shipped_catalog):
    seed_demo(engine, shipped_catalog, NOW)
    assistant = _assistant(engine, shipped_catalog)
    code = demo_codes()[1]
    assert "Đã đăng ký theo dõi" in assistant.handle(f"theo dõi {code}", Conversation(), ME).text
    assert "Đã hủy theo dõi" in assistant.handle(f"hủy theo dõi {code}", Conversation(), ME).text
    assert "Đã đăng ký theo dõi" in assistant.handle_action(f"sub:{code}", Conversation(), ME).text
    with engine.connect() as conn:
        assert conn.execute(select(Subscription.chat_id)).scalars().all() == ["session-1"]


def test_unanswered_questions_and_feedback_are_logged_without_identifiers(engine, small_catalog):
    assistant = _assistant(engine, small_catalog)
    assistant.handle("giá xăng hôm nay bao nhiêu, gọi 0912 345 678", Conversation(), ME)
    assistant.handle("căn cước công dân", Conversation(), ME)
    answered = Conversation()
    assistant.handle("giấy độc thân mất bao lâu", answered, ME)  # answered: logged as answered
    assistant.handle_action("fb:-1:marriage-status-certification", answered, ME)  # rates what it received
    with engine.connect() as conn:
        logged = conn.execute(select(QuestionLogRow.text, QuestionLogRow.status, QuestionLogRow.candidates,
                                     QuestionLogRow.user_hash)).all()
        rating = conn.execute(select(Feedback.rating, Feedback.procedure_id, Feedback.user_hash)).one()
    assert [(t, s) for t, s, *_ in logged] == [("giá xăng hôm nay bao nhiêu, gọi [số]", "not_found"),
                                               ("căn cước công dân", "clarify"),
                                               ("giấy độc thân mất bao lâu", "answer")]
    assert {c["id"] for c in json.loads(logged[1][2])} >= {"id-card-renewal", "id-card-reissue"}
    assert all(h and "session-1" not in h for *_, h in logged)
    assert rating[:2] == (-1, "marriage-status-certification") and "session-1" not in rating[2]


def test_redact_keeps_short_numbers():
    assert redact("con 14 tuổi, sđt 0912.345.678") == "con 14 tuổi, sđt [số]"


def test_redact_replaces_lone_surrogates_so_the_question_log_can_store_them():
    assert redact("giấy \ud800 độc thân").encode("utf-8") == "giấy ? độc thân".encode()
