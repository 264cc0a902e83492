"""POST /api/chat over real HTTP: the JSON contract, state across requests, buttons, bad input."""

from __future__ import annotations

import datetime as dt
import json
import socket

import httpx
from sqlalchemy import select

from assistant.dossiers.seed import demo_codes, seed_demo
from assistant.store.models import ConversationRow, Feedback, Subscription
from assistant.web.limits import MAX_CHAT_BODY, MAX_TEXT_CHARS
from tests.web.conftest import Chat, new_session, start_server

CONTRACT = {"status", "procedure_id", "facet", "score", "candidates", "reply", "title", "buttons"}
PROC = "marriage-status-certification"


def test_question_without_diacritics_gets_the_contract(chat):
    reply = chat.say("giay doc than mat bao lau")
    assert set(reply) >= CONTRACT
    assert reply["status"] == "answer"
    assert reply["procedure_id"] == PROC
    assert reply["facet"] == "time"
    assert 0 <= reply["score"] <= 100
    assert reply["candidates"][0]["id"] == PROC
    assert reply["title"] == "Xác nhận tình trạng hôn nhân"
    assert "03 ngày làm việc" in reply["reply"]  # the province-wide rule until the citizen says where they live
    assert "Bạn ở xã, phường nào?" in reply["reply"]  # asked once: five communes have a 1-day commitment
    local = chat.say("em ở xã Nam Khánh Vĩnh")
    assert local["procedure_id"] == PROC and local["facet"] == "time"
    assert "Xã Nam Khánh Vĩnh: 01 ngày làm việc" in local["reply"]
    assert {b["action"] for b in reply["buttons"]} >= {f"f:p:{PROC}", f"f:d:{PROC}"}
    assert [b["action"] for b in reply["feedback"]] == [f"fb:+1:{PROC}", f"fb:-1:{PROC}"]


def test_how_long_a_paper_stays_valid_is_its_own_answer(chat):
    reply = chat.say("giay doc than co gia tri bao lau")
    assert (reply["status"], reply["procedure_id"], reply["facet"]) == ("answer", PROC, "validity")
    assert "06 tháng" in reply["reply"] and "03 ngày làm việc" not in reply["reply"]


def test_state_is_kept_in_the_database_across_requests(chat, sqlite_engine):
    chat.say("giấy xác nhận tình trạng hôn nhân nộp ở đâu")
    follow_up = chat.say("còn lệ phí thì sao?")
    assert follow_up["status"] == "answer"
    assert follow_up["procedure_id"] == PROC
    assert follow_up["facet"] == "fee"
    with sqlite_engine.connect() as conn:
        state = conn.execute(select(ConversationRow.state).where(ConversationRow.key == f"web:{chat.session}")).scalar()
    assert json.loads(state)["last_procedure"] == PROC
    other = Chat(chat.http).say("còn lệ phí thì sao?")  # another session has no context
    assert other["procedure_id"] != PROC


def test_two_server_processes_share_one_conversation(settings, assistant, sqlite_engine):
    """Two apps on one database (as two workers): the follow-up lands on the other one."""
    first = start_server(settings, assistant, sqlite_engine)
    second = start_server(settings, assistant, sqlite_engine)
    try:
        session = new_session()
        with httpx.Client(base_url=first.url) as a, httpx.Client(base_url=second.url) as b:
            assert Chat(a, session).say("đăng ký khai sinh cần giấy tờ gì")["procedure_id"] == "birth-registration"
            follow = Chat(b, session).say("còn nộp ở đâu?")
        assert follow["procedure_id"] == "birth-registration" and follow["facet"] == "where"
    finally:
        first.stop()
        second.stop()


def test_facet_button_checklist_and_feedback(chat, sqlite_engine):
    chat.say("giay doc than mat bao lau")
    documents = chat.press(f"f:d:{PROC}")
    assert documents["facet"] == "documents"
    assert documents["buttons"][0]["action"] == f"k:-1:{PROC}"
    checklist = chat.press(f"k:-1:{PROC}")
    assert checklist["data"]["checklist"]["ticked"] == []
    assert checklist["buttons"][0]["label"].startswith("⬜")
    assert "feedback" not in checklist
    ticked = chat.press(f"k:0:{PROC}")
    assert ticked["data"]["checklist"]["ticked"] == [0]
    assert ticked["buttons"][0]["label"].startswith("✅")
    untouched = chat.press(f"k:0:{PROC}")
    assert untouched["data"]["checklist"]["ticked"] == []

    thanks = chat.press(f"fb:+1:{PROC}")
    assert thanks["reply"].startswith("Cảm ơn bạn đã góp ý")
    with sqlite_engine.connect() as conn:
        rows = conn.execute(select(Feedback.channel, Feedback.procedure_id, Feedback.rating)).all()
    assert rows == [("web", PROC, 1)]


def test_clarification_and_pick(chat):
    reply = chat.say("làm căn cước")
    assert reply["status"] == "clarify"
    assert len(reply["candidates"]) >= 2 and reply["procedure_id"] is None
    pick = reply["buttons"][0]["action"]
    assert pick.startswith("p:")
    picked = chat.press(pick)
    assert picked["status"] == "answer" and picked["procedure_id"] == pick.split(":", 2)[2]


def test_menu_field_and_deep_link(chat):
    menu = chat.post(menu=True).json()
    assert menu["status"] == "smalltalk"
    assert menu["reply"].startswith("Xin chào!") and "Khánh Hòa" in menu["reply"]
    field = next(b for b in menu["buttons"] if b["action"] == "field:ho-tich")
    listing = chat.press(field["action"])
    assert "Đăng ký khai sinh" in listing["reply"]
    opened = chat.post(procedure_id=PROC).json()
    assert opened["status"] == "answer" and opened["procedure_id"] == PROC and opened["facet"] == "overview"
    stale = chat.post(procedure_id="no-such-procedure").json()  # an old poster: the menu, not a dead end
    assert stale["status"] == "smalltalk" and stale["data"]["menu"] == "fields"


def test_dossier_lookup_and_subscription(chat, assistant, sqlite_engine):
    seed_demo(sqlite_engine, assistant.catalog, dt.datetime.now(), assistant.brain.calendar)
    code = demo_codes()[0]
    card = chat.say(code.lower())
    assert card["status"] == "dossier"
    assert card["data"]["dossier"]["code"] == code
    assert card["title"] == f"Hồ sơ {code}"
    follow = chat.press(f"sub:{code}")
    assert follow["data"]["dossier"]["subscribed"] is True
    with sqlite_engine.connect() as conn:
        subs = conn.execute(select(Subscription.channel, Subscription.chat_id)).all()
    assert subs == [("web", chat.session)]


# -- bad input -----------------------------------------------------------------------------------


def test_malformed_and_invalid_requests_get_clear_json_errors(client):
    session = new_session()
    cases = [
        (b"{not json", "application/json", 400, "malformed_json"),
        (b"\xff\xfe\x00", "application/json", 400, "malformed_json"),
        (b"[1, 2]", "application/json", 400, "invalid_request"),
        (json.dumps({"text": "xin chào"}).encode(), "application/json", 400, "invalid_session"),
        (json.dumps({"session_id": "short", "text": "x"}).encode(), "application/json", 400, "invalid_session"),
        (json.dumps({"session_id": "../../etc/passwd", "text": "x"}).encode(), "application/json", 400,
         "invalid_session"),
        (json.dumps({"session_id": session}).encode(), "application/json", 400, "invalid_request"),
        (json.dumps({"session_id": session, "text": "a", "action": "b"}).encode(), "application/json", 400,
         "invalid_request"),
        (json.dumps({"session_id": session, "text": 42}).encode(), "application/json", 400, "invalid_request"),
        (json.dumps({"session_id": session, "menu": "yes"}).encode(), "application/json", 400, "invalid_request"),
        (json.dumps({"session_id": session, "text": "x"}).encode(), "text/plain", 415, "unsupported_media_type"),
    ]
    for body, content_type, status, code in cases:
        response = client.post("/api/chat", content=body, headers={"content-type": content_type})
        assert response.status_code == status, (body, response.text)
        payload = response.json()
        assert payload["error"] == code
        assert payload["message"]  # a Vietnamese sentence for the page


def test_oversized_bodies_are_refused_with_413(client):
    session = new_session()
    big = json.dumps({"session_id": session, "text": "a" * (MAX_CHAT_BODY + 10)}).encode()
    response = client.post("/api/chat", content=big, headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert response.json()["error"] == "payload_too_large"

    # Chunked upload without Content-Length: counted as it arrives.
    def chunks():
        for _ in range(40):
            yield b"x" * 1024

    response = client.post("/api/chat", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 413

    too_long = client.post("/api/chat", json={"session_id": session, "text": "á" * (MAX_TEXT_CHARS + 1)})
    assert too_long.status_code in (413,)
    assert too_long.json()["error"] in ("text_too_long", "payload_too_large")


def test_lying_content_length_is_refused(server):
    """A declared length above the limit is refused before the body is read."""
    with socket.create_connection((server.host, server.port), timeout=5) as sock:
        sock.sendall(b"POST /api/chat HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 99999999\r\n\r\n{}")
        head = sock.recv(4096).decode("latin-1")
    assert head.startswith("HTTP/1.1 413")


def test_unknown_routes_and_methods_answer_json(client):
    missing = client.get("/api/nothing")
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"
    wrong = client.get("/api/chat")
    assert wrong.status_code == 405 and wrong.json()["error"] == "method_not_allowed"
    assert client.post("/zalo/webhook", content=b"{}").status_code == 404  # Zalo not configured


def test_rate_limit_per_session(settings, assistant, sqlite_engine):
    live = start_server(settings, assistant, sqlite_engine, rate_limit=3)
    try:
        with httpx.Client(base_url=live.url) as http:
            chat = Chat(http)
            codes = [chat.post(text="xin chào").status_code for _ in range(5)]
            assert codes == [200, 200, 200, 429, 429]
            refused = chat.post(text="xin chào")
            assert refused.json()["error"] == "rate_limited" and int(refused.headers["retry-after"]) >= 1
            assert Chat(http).post(text="xin chào").status_code == 200  # other sessions unaffected
    finally:
        live.stop()


def test_config_for_the_page(client):
    config = client.get("/api/config").json()
    assert config["demo"] is True
    assert config["locality"] == "Tỉnh Khánh Hòa"
    assert "giấy độc thân mất bao lâu?" in config["suggestions"]
    assert config["demo_codes"] and all(code.startswith("000.00.10.H32-") for code in config["demo_codes"])
    assert config["procedures"] == 57
    assert config["contact"]["office"] == "Trung tâm Phục vụ hành chính công tỉnh Khánh Hòa"


# -- dossier notifications for the web chat ---------------------------------------------------------


def test_a_web_subscription_is_notified_through_the_page(chat, client, assistant, sqlite_engine, tmp_path):
    from tests.factories import import_status

    seed_demo(sqlite_engine, assistant.catalog, dt.datetime.now(), assistant.brain.calendar)
    code = demo_codes()[0]
    confirm = chat.say(f"theo dõi hồ sơ {code}")
    assert confirm["reply"].startswith(f"Đã đăng ký theo dõi hồ sơ {code}")
    assert confirm["data"]["dossier"]["newly_subscribed"] is True
    assert client.get("/api/updates", params={"session_id": chat.session}).json() == {"notifications": []}

    assert import_status(sqlite_engine, assistant.catalog, tmp_path, code, "Đã giải quyết đúng hạn") == 1
    waiting = client.get("/api/updates", params={"session_id": chat.session})
    assert waiting.status_code == 200 and waiting.headers["cache-control"] == "no-store"
    [note] = waiting.json()["notifications"]
    assert code in note["text"] and note["dossier_code"] == code
    # Another session can neither see nor acknowledge it.
    stranger = new_session()
    assert client.get("/api/updates", params={"session_id": stranger}).json() == {"notifications": []}
    assert client.post("/api/updates/ack", json={"session_id": stranger, "ids": [note["id"]]}).json() == {
        "acknowledged": 0}
    # Not acknowledged yet (say the page was closed mid-way): it is offered again.
    assert client.get("/api/updates", params={"session_id": chat.session}).json()["notifications"] == [note]
    ack = client.post("/api/updates/ack", json={"session_id": chat.session, "ids": [note["id"]]})
    assert ack.status_code == 200 and ack.json() == {"acknowledged": 1}
    assert client.get("/api/updates", params={"session_id": chat.session}).json() == {"notifications": []}
    assert client.post("/api/updates/ack", json={"session_id": chat.session, "ids": [note["id"]]}).json() == {
        "acknowledged": 0}


def test_notification_endpoints_refuse_bad_input(client):
    assert client.get("/api/updates").status_code == 400
    assert client.get("/api/updates", params={"session_id": "x' OR 1=1 --"}).json()["error"] == "invalid_session"
    session = new_session()
    for ids in ("1", [True], [-1], [1.5], ["1"], list(range(1, 30)), [2**70]):
        response = client.post("/api/updates/ack", json={"session_id": session, "ids": ids})
        assert response.status_code == 400, ids
        assert response.json()["error"] == "invalid_request"
    assert client.post("/api/updates/ack", content=b"{", headers={"content-type": "application/json"}
                       ).json()["error"] == "malformed_json"
    assert client.post("/api/updates/ack", json=[1]).json()["error"] == "invalid_session"
