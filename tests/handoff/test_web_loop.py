"""The whole loop on the web chat over real HTTP: a citizen asks for a person, a civil servant
answers from the inbox, the answer arrives once through /api/updates, closing hands back to the bot."""

from __future__ import annotations

import httpx

from assistant.handoff.store import HandoffStore
from tests.handoff.conftest import chat, csrf_of, new_session, reply_from_inbox, staff_client, updates
from tests.prometheus_text import sample


def test_web_citizen_reaches_a_civil_servant_and_gets_one_answer(server, accounts, sqlite_engine):
    session = new_session()
    with httpx.Client(base_url=server.url, timeout=15.0) as citizen:
        chat(citizen, session, "giấy khai sinh cần giấy tờ gì")
        opened = chat(citizen, session, "cho em nói chuyện với người thật")
        assert opened["status"] == "handoff"
        assert opened["data"]["handoff"]["state"] == "opened"
        assert "cán bộ" in opened["reply"] and "quay lại trợ lý" in opened["reply"]
        request_id = opened["data"]["handoff"]["id"]

        relayed = chat(citizen, session, "Con em sinh ở bệnh viện tỉnh thì làm ở đâu ạ?")
        assert relayed["status"] == "handoff" and relayed["data"]["handoff"]["state"] == "relayed"
        where = chat(citizen, session, "em đang ở vị trí thứ mấy?")
        assert where["status"] == "handoff" and where["data"]["handoff"]["position"] == 1

        with staff_client(server.url) as staff:
            inbox = staff.get("/staff")
            assert f"/staff/requests/{request_id}" in inbox.text
            page = staff.get(f"/staff/requests/{request_id}")
            # The transcript: the bot's earlier exchange and the citizen's messages.
            assert "giấy khai sinh cần giấy tờ gì" in page.text
            assert "bệnh viện tỉnh" in page.text
            done = reply_from_inbox(staff, request_id, "Chào bạn, bạn đăng ký khai sinh tại UBND xã nơi cư trú nhé.")
            assert done.status_code == 303

            received = updates(citizen, session)
            assert [n["text"] for n in received] == [
                "💬 Cán bộ trả lời:\nChào bạn, bạn đăng ký khai sinh tại UBND xã nơi cư trú nhé."]
            assert updates(citizen, session) == []  # acknowledged: exactly once

            # The same form submitted twice (double click, browser retry) sends nothing more.
            page = staff.get(f"/staff/requests/{request_id}")
            csrf = csrf_of(page.text)
            nonce = page.text.split('name="nonce" value="')[1].split('"')[0]
            for _ in range(2):
                staff.post(f"/staff/requests/{request_id}/reply", data={"csrf": csrf, "nonce": nonce, "text": "Thêm"})
            assert [n["text"] for n in updates(citizen, session)] == ["💬 Cán bộ trả lời:\nThêm"]

            page = staff.get(f"/staff/requests/{request_id}")
            closed = staff.post(f"/staff/requests/{request_id}/close", data={"csrf": csrf_of(page.text)})
            assert closed.status_code == 303
        notes = updates(citizen, session)
        assert len(notes) == 1 and "kết thúc" in notes[0]["text"]
        back = chat(citizen, session, "đăng ký khai sinh mất bao lâu")
        assert back["status"] == "answer"

    store = HandoffStore(sqlite_engine)
    request = store.get(request_id)
    assert request is not None and request.status == "closed" and request.closed_by == "lan"
    assert request.first_reply_at is not None and request.claimed_by == "lan"


def test_citizen_goes_back_to_the_bot(server, sqlite_engine):
    session = new_session()
    with httpx.Client(base_url=server.url, timeout=15.0) as citizen:
        opened = chat(citizen, session, "gặp cán bộ")
        request_id = opened["data"]["handoff"]["id"]
        back = chat(citizen, session, "Quay lại trợ lý")
        assert back["status"] == "handoff" and back["data"]["handoff"]["state"] == "closed"
        assert chat(citizen, session, "đăng ký khai sinh mất bao lâu")["status"] == "answer"
    assert HandoffStore(sqlite_engine).get(request_id).status == "closed"


def test_two_unhelpful_turns_offer_a_person_once(server):
    session = new_session()
    with httpx.Client(base_url=server.url, timeout=15.0) as citizen:
        first = chat(citizen, session, "xyzzy qwerty plugh")
        assert first["status"] == "not_found" and "ho:open" not in [b["action"] for b in first["buttons"]]
        second = chat(citizen, session, "abcd efgh ijkl")
        assert "ho:open" in [b["action"] for b in second["buttons"]]
        third = chat(citizen, session, "mnop qrst uvwx")
        assert third["status"] == "not_found" and "ho:open" not in [b["action"] for b in third["buttons"]]
        pressed = citizen.post("/api/chat", json={"session_id": session, "action": "ho:open"}).json()
        assert pressed["status"] == "handoff" and pressed["data"]["handoff"]["state"] == "opened"


def test_being_told_who_handles_a_matter_is_no_unhelpful_turn(server):
    """Divorce goes to the court, a new electricity meter to the power company, a passport renewed abroad
    to the embassy: no person is offered."""
    session = new_session()
    with httpx.Client(base_url=server.url, timeout=15.0) as citizen:
        replies = [chat(citizen, session, text) for text in (
            "thủ tục ly hôn", "đăng ký lắp điện mới cho nhà", "xin visa đi nhật",
            "em đang ở Hàn, hộ chiếu sắp hết hạn thì gia hạn ở đâu bên này")]
        assert [r["status"] for r in replies] == ["not_found"] * 4
        assert all("ho:open" not in [b["action"] for b in r["buttons"]] for r in replies), replies
        first = chat(citizen, session, "xyzzy qwerty plugh")
        assert "ho:open" not in [b["action"] for b in first["buttons"]]  # the count started again


def test_metrics_show_open_requests(server):
    with httpx.Client(base_url=server.url, timeout=15.0) as citizen:
        chat(citizen, new_session(), "gặp cán bộ")
        text = citizen.get("/metrics").text
    assert sample(text, "tthc_handoff_open_requests") == 1
    assert "tthc_handoff_oldest_open_age_seconds" in text


def test_staff_adds_the_question_as_an_example_for_the_catalogue_review(server, accounts, sqlite_engine):
    from sqlalchemy import select

    from assistant.store.models import QuestionLogRow

    session = new_session()
    with httpx.Client(base_url=server.url, timeout=15.0) as citizen:
        request_id = chat(citizen, session, "gặp cán bộ hỏi làm lại giấy khai sinh bị mất")["data"]["handoff"]["id"]
    with staff_client(server.url) as staff:
        page = staff.get(f"/staff/requests/{request_id}")
        assert 'value="birth-registration"' in page.text
        done = staff.post(f"/staff/requests/{request_id}/example", data={
            "csrf": csrf_of(page.text), "question": "làm lại giấy khai sinh bị mất", "procedure_id": "birth-registration"})
        assert done.status_code == 303
        assert "Đã ghi câu hỏi làm ví dụ" in staff.get(done.headers["location"]).text
        refused = staff.post(f"/staff/requests/{request_id}/example", data={
            "csrf": csrf_of(page.text), "question": "x", "procedure_id": "no-such-procedure"})
        assert refused.status_code == 400
    with sqlite_engine.connect() as conn:
        rows = conn.execute(select(QuestionLogRow.text, QuestionLogRow.status, QuestionLogRow.candidates)).all()
    examples = [r for r in rows if r.status == "example"]
    assert [(r.text, '"birth-registration"' in r.candidates) for r in examples] == [
        ("làm lại giấy khai sinh bị mất", True)]
    assert all("gặp cán bộ" not in r.text for r in rows if r.status != "example")  # handoff turns are not logged


def test_a_long_vietnamese_reply_fits_and_a_too_long_one_is_refused_clearly(server, accounts):
    session = new_session()
    with httpx.Client(base_url=server.url, timeout=15.0) as citizen:
        request_id = chat(citizen, session, "gặp cán bộ")["data"]["handoff"]["id"]
        long_text = ("Thủ tục chứng thực bản sao từ bản chính được thực hiện tại UBND cấp xã. " * 60)[:4000]
        with staff_client(server.url) as staff:
            assert reply_from_inbox(staff, request_id, long_text).status_code == 303
            refused = reply_from_inbox(staff, request_id, "ệ" * 4001)
            assert refused.status_code == 400 and "dài quá 4000 ký tự" in refused.text
        assert [n["text"] for n in updates(citizen, session)] == ["💬 Cán bộ trả lời:\n" + long_text.strip()]
