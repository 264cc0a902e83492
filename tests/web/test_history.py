"""GET /api/history: a reload draws the conversation the page showed, from the server's state."""

from __future__ import annotations

from assistant.web.history import MAX_ENTRIES
from tests.web.conftest import Chat

PROC = "marriage-status-certification"


def turns(chat: Chat) -> list[dict]:
    response = chat.http.get("/api/history", params={"session_id": chat.session})
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    return response.json()["turns"]


def test_history_replays_what_the_page_showed(chat):
    assert turns(chat) == []
    chat.post(menu=True)
    answer = chat.say("giay doc than mat bao lau")
    documents = chat.press(f"f:d:{PROC}")
    checklist_button = next(b for b in documents["buttons"] if b["action"].startswith("k:-1:"))
    checklist = chat.press(checklist_button["action"])
    tick = next(b for b in checklist["buttons"] if b["action"].startswith("k:0:"))
    ticked = chat.press(tick["action"])
    chat.press(f"fb:+1:{PROC}")  # a vote is not a turn

    shown = turns(chat)
    roles = [t["role"] for t in shown]
    assert roles == ["bot", "user", "bot", "user", "bot", "user", "bot"]
    assert shown[0]["reply"]["data"]["menu"] == "fields"
    assert shown[1]["text"] == "giay doc than mat bao lau"
    assert shown[2]["reply"]["reply"] == answer["reply"]
    assert shown[2]["reply"]["feedback"] == answer["feedback"]
    # The vote rated the latest answer about the procedure (the documents): its thanks replace the buttons.
    assert shown[4]["reply"]["feedback"] == [] and documents["feedback"]
    assert shown[4]["reply"]["voted"].startswith("Cảm ơn bạn đã góp ý")
    assert "score" not in shown[2]["reply"] and "candidates" not in shown[2]["reply"]
    assert shown[3]["text"] == next(b["label"] for b in answer["buttons"] if b["action"] == f"f:d:{PROC}")
    assert shown[5]["text"] == checklist_button["label"]
    # Ticking edited the checklist in place: the stored checklist is the ticked one.
    assert shown[6]["reply"]["reply"] == ticked["reply"]
    assert shown[6]["reply"]["data"]["checklist"]["ticked"] == [0]


def test_history_is_bounded_and_per_session(client):
    mine, other = Chat(client), Chat(client)
    for i in range(MAX_ENTRIES):
        mine.say(f"lệ phí hộ chiếu lần {i}")
    shown = turns(mine)
    assert len(shown) == MAX_ENTRIES
    assert shown[-2]["text"] == f"lệ phí hộ chiếu lần {MAX_ENTRIES - 1}"
    assert turns(other) == []


def test_history_rejects_a_bad_session(client):
    response = client.get("/api/history", params={"session_id": "x"})
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_session"


def test_notifications_the_page_showed_come_back_once(chat, sqlite_engine):
    from assistant.store import Outbox

    chat.post(menu=True)
    Outbox(sqlite_engine).add("web", chat.session, "Hồ sơ 000.00.10.H32-261120-0003 đã có kết quả.",
                              "000.00.10.H32-261120-0003")
    for _ in range(2):  # offered again until acknowledged: still one line in the history
        offered = chat.http.get("/api/updates", params={"session_id": chat.session}).json()["notifications"]
        assert len(offered) == 1
    shown = turns(chat)
    assert [t.get("notification") for t in shown] == [None, offered[0]["id"]]
    assert shown[1]["reply"] == {"status": "notification", "reply": offered[0]["text"], "buttons": []}
