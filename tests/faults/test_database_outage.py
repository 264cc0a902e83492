"""The database goes away while the assistant runs, and comes back.

Procedure questions must still be answered from the catalogue; every dossier path (lookup,
"theo dõi", "hủy theo dõi", their buttons) must answer with a polite "try again later"; the
question log and 👍/👎 must not cost an answer; /healthz must say 503 "degraded"; and when the
database returns, the very next lookup must work, with no restart and no manual pool reset.
Each test runs on SQLite (the file disappears) and on PostgreSQL behind a TCP proxy that is cut.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import func, select

from assistant.app import attach_database
from assistant.config import Settings
from assistant.core import Assistant
from assistant.dialogue.actions import feedback_action
from assistant.dialogue.conversation import Conversation, Requester
from assistant.dialogue.reply import Reply, Status
from assistant.dossiers import desk
from assistant.dossiers.seed import demo_codes, seed_demo
from assistant.store.db import FAIL_FAST_S
from assistant.store.models import Feedback, QuestionLogRow
from assistant.web import create_app
from tests.faults.conftest import CONNECT_TIMEOUT, Outage
from tests.web.live import LiveServer

QUESTION = "giay doc than mat bao lau"
PROCEDURE = "marriage-status-certification"
SORRY = ("tạm thời chưa tra cứu được", "vui lòng thử lại sau")


def assert_unavailable(text: str) -> None:
    for phrase in SORRY:
        assert phrase in text, text


@pytest.fixture
def settings(tmp_path) -> Settings:
    return dataclasses.replace(Settings(), locality="khanh-hoa", data_dir=tmp_path, web_host="127.0.0.1")


@pytest.fixture
def assistant(shipped_catalog, settings, outage: Outage) -> Assistant:
    """Wired as the composition root wires it, with demo dossiers stored while the database is up."""
    assistant = Assistant(shipped_catalog, settings)
    attach_database(assistant, outage.engine)
    seed_demo(outage.engine, assistant.catalog, assistant.clock(), assistant.brain.calendar)
    return assistant


def count(engine, model) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(model)).scalar_one()


def test_the_unavailable_text_is_polite_vietnamese():
    assert_unavailable(desk.UNAVAILABLE)


def test_core_answers_from_the_catalogue_and_every_dossier_path_apologises(assistant, outage):
    code = demo_codes()[0]
    conversation, requester = Conversation(), Requester("web", "fault-core")
    outage.down()

    answer = assistant.handle(QUESTION, conversation, requester)
    assert answer.status == Status.answer and answer.procedure_id == PROCEDURE
    assert "01 ngày làm việc" in answer.text
    follow_up = assistant.handle("lệ phí bao nhiêu", conversation, requester)
    assert follow_up.status == Status.answer and follow_up.procedure_id == PROCEDURE

    replies: list[Reply] = [
        assistant.handle(f"hồ sơ {code} đến đâu rồi?", conversation, requester),
        assistant.handle(f"theo dõi hồ sơ {code}", conversation, requester),
        assistant.handle(f"hủy theo dõi {code}", conversation, requester),
        assistant.handle_action(f"sub:{code}", conversation, requester),
        assistant.handle_action(f"unsub:{code}", conversation, requester),
    ]
    for reply in replies:
        assert reply.status == Status.dossier
        assert_unavailable(reply.text)
        assert reply.data["dossier"].get("unavailable") is True

    thanks = assistant.handle_action(feedback_action(PROCEDURE, +1), conversation, requester)
    assert thanks.text.startswith("Cảm ơn bạn đã góp ý")

    # Many lookups while down are not "unknown codes": the enumeration guard must not lock the citizen out.
    for _ in range(8):
        assistant.handle(code, conversation, requester)

    outage.up()
    card = assistant.handle(f"hồ sơ {code} đến đâu rồi?", conversation, requester)
    assert card.status == Status.dossier and card.data["dossier"]["found"] is True, card.text
    followed = assistant.handle(f"theo dõi {code}", conversation, requester)
    assert followed.data["dossier"]["subscribed"] is True
    # The question log and feedback store work again as well.
    before = count(outage.engine, QuestionLogRow)
    assistant.handle(QUESTION, conversation, requester)
    assert count(outage.engine, QuestionLogRow) == before + 1
    assistant.handle_action(feedback_action(PROCEDURE, -1), conversation, requester)
    assert count(outage.engine, Feedback) == 1


def test_recovery_survives_repeated_outages(assistant, outage):
    """Down, up, down, up: each time the next lookup after the return works."""
    code = demo_codes()[0]
    requester = Requester("web", "fault-flap")
    for _ in range(3):
        outage.down()
        assert_unavailable(assistant.handle(code, Conversation(), requester).text)
        outage.up()
        card = assistant.handle(code, Conversation(), requester)
        assert card.data["dossier"].get("found") is True, card.text


# -- the web chat over real HTTP --------------------------------------------------------------------


@pytest.fixture
def web(settings, assistant, outage) -> Iterator[httpx.Client]:
    app = create_app(settings, assistant, outage.engine, zalo=None, telegram=None, demo=True)
    with LiveServer(app) as live, httpx.Client(base_url=live.url, timeout=15.0) as http:
        yield http


def chat(http: httpx.Client, session: str, **payload) -> dict:
    response = http.post("/api/chat", json={"session_id": session, **payload})
    assert response.status_code == 200, response.text
    return response.json()


def test_web_chat_and_health_during_and_after_an_outage(web, outage):
    code = demo_codes()[0]
    session = "fault-web-1"
    assert web.get("/healthz").status_code == 200
    outage.down()

    answer = chat(web, session, text=QUESTION)
    assert answer["status"] == "answer" and answer["procedure_id"] == PROCEDURE
    follow_up = chat(web, session, text="nộp ở đâu")  # context kept in this process meanwhile
    assert follow_up["procedure_id"] == PROCEDURE
    for payload in ({"text": f"hồ sơ {code}"}, {"text": f"theo dõi {code}"}, {"text": f"hủy theo dõi {code}"},
                    {"action": f"sub:{code}"}, {"action": f"unsub:{code}"}):
        assert_unavailable(chat(web, session, **payload)["reply"])
    assert chat(web, session, action=feedback_action(PROCEDURE, +1))["status"] == "smalltalk"
    assert chat(web, session, menu=True)["buttons"]

    health = web.get("/healthz")
    assert health.status_code == 503
    assert health.json()["status"] == "degraded" and health.json()["database"]["ok"] is False

    outage.up()
    health = web.get("/healthz")
    assert health.status_code == 200 and health.json()["status"] == "ok"
    card = chat(web, session, text=f"hồ sơ {code}")
    assert card["status"] == "dossier" and f"Hồ sơ {code}" in card["reply"], card["reply"]


@pytest.mark.parametrize("outage", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
def test_a_silent_database_costs_seconds_not_minutes(web, outage):
    """The server's host vanishes (connections are accepted and never answered): every wait is
    bounded by the connect timeout, and a citizen's message is not held for each of the several
    database calls a turn makes."""
    code = demo_codes()[0]
    outage.hang()
    started = time.monotonic()
    answer = chat(web, "fault-hang", text=QUESTION)
    assert answer["status"] == "answer"
    assert_unavailable(chat(web, "fault-hang", text=f"hồ sơ {code}")["reply"])
    health = web.get("/healthz")
    assert health.status_code == 503
    # Three messages, each of which touches the database several times, with a 2 s connect timeout.
    assert time.monotonic() - started < 6 * CONNECT_TIMEOUT
    outage.up()
    deadline = time.monotonic() + FAIL_FAST_S + 4 * CONNECT_TIMEOUT
    while True:  # back within a bounded time, by itself
        card = chat(web, "fault-hang", text=f"hồ sơ {code}")
        if card["reply"].startswith(f"Hồ sơ {code}") or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert card["reply"].startswith(f"Hồ sơ {code}"), card["reply"]
