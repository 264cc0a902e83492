# ruff: noqa: F811  (the web fixtures are imported by name and requested by name)
"""Finding 8: a 👍/👎 counts only for an answer the session actually received, once.

Before the fix 1,000 posts of {"action": "fb:-1:<anything>"} from fresh sessions were all
stored, and turned the service report's satisfaction to 0/1000."""

from __future__ import annotations

from sqlalchemy import func, select

from assistant.store.models import Feedback
from tests.web.conftest import Chat, assistant, chat, client, server, settings  # noqa: F401  (fixtures)

PROC = "birth-registration"


def _ratings(engine) -> list[tuple[str | None, int]]:
    with engine.connect() as conn:
        return conn.execute(select(Feedback.procedure_id, Feedback.rating).order_by(Feedback.id)).all()


def test_forged_ratings_from_fresh_sessions_count_nothing(client, sqlite_engine):
    for n in range(60):
        reply = Chat(client).press(f"fb:-1:{PROC if n % 2 else 'anything-' + str(n)}")
        assert reply["data"]["feedback"] is None
    with sqlite_engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Feedback)).scalar() == 0


def test_one_rating_per_answer_received(chat, sqlite_engine):
    answer = chat.say("đăng ký khai sinh cần giấy tờ gì")
    assert answer["procedure_id"] == PROC and answer["feedback"]
    chat.press("fb:-1:marriage-status-certification")  # an answer this session never got
    assert chat.press(answer["feedback"][0]["action"])["data"]["feedback"] == 1
    assert chat.press(answer["feedback"][1]["action"])["data"]["feedback"] is None  # once per answer
    assert _ratings(sqlite_engine) == [(PROC, 1)]
    assert chat.say("đăng ký khai sinh mất bao lâu")["procedure_id"] == PROC  # a new answer may be rated again
    assert chat.press(f"fb:-1:{PROC}")["data"]["feedback"] == -1
    assert _ratings(sqlite_engine) == [(PROC, 1), (PROC, -1)]


def test_ratings_are_throttled_per_session_and_address(shipped_catalog, tmp_path, sqlite_engine):
    import dataclasses

    from assistant.app import attach_database
    from assistant.config import Settings
    from assistant.core import Assistant
    from assistant.dialogue.conversation import Conversation, Requester

    settings = dataclasses.replace(Settings(), locality="khanh-vinh", data_dir=tmp_path, ratings_per_session=3,
                                   ratings_per_address=5)
    assistant = Assistant(shipped_catalog, settings)
    attach_database(assistant, sqlite_engine)

    def rate(me: Requester) -> None:
        conversation = Conversation()
        assert assistant.handle("đăng ký khai sinh cần giấy tờ gì", conversation, me).procedure_id == PROC
        assistant.handle_action(f"fb:-1:{PROC}", conversation, me)

    for _ in range(6):
        rate(Requester("telegram", "4242"))
    assert len(_ratings(sqlite_engine)) == 3  # per chat
    for n in range(8):
        rate(Requester("web", f"fresh-session-{n}", origin="203.0.113.5"))
    assert len(_ratings(sqlite_engine)) == 3 + 5  # per address, whatever the sessions
