"""Security of the staff inbox and of citizens' requests, over real HTTP."""

from __future__ import annotations

import httpx
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import func, select

from assistant.handoff.accounts import MAX_FAILURES
from assistant.store.models import OutboxRow
from assistant.web.staff import COOKIE
from tests.handoff.conftest import (
    PASSWORD,
    chat,
    csrf_of,
    login,
    new_session,
    nonce_of,
    reply_from_inbox,
    staff_client,
    updates,
)


def _open_request(url: str, text: str = "gặp cán bộ") -> tuple[str, int]:
    session = new_session()
    with httpx.Client(base_url=url, timeout=15.0) as citizen:
        opened = chat(citizen, session, text)
    return session, opened["data"]["handoff"]["id"]


def _outbox_rows(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(OutboxRow.__table__)).scalar_one()


def test_anonymous_users_see_nothing_and_change_nothing(server, accounts, sqlite_engine):
    _, request_id = _open_request(server.url, "gặp cán bộ giúp em về sổ đỏ")
    before = _outbox_rows(sqlite_engine)
    with httpx.Client(base_url=server.url, timeout=15.0) as anonymous:
        for path in ("/staff", f"/staff/requests/{request_id}"):
            response = anonymous.get(path)
            assert response.status_code == 303 and response.headers["location"] == "/staff/login"
            assert "sổ đỏ" not in response.text
        for verb in ("reply", "close", "claim", "example"):
            response = anonymous.post(f"/staff/requests/{request_id}/{verb}", data={"text": "x", "csrf": "x"})
            assert response.status_code == 403
        forged = URLSafeTimedSerializer("not-the-secret", salt="tthc-staff-session").dumps("whatever")
        anonymous.cookies.set(COOKIE, forged, path="/staff")
        assert anonymous.get(f"/staff/requests/{request_id}").status_code == 303
    assert _outbox_rows(sqlite_engine) == before


def test_a_session_is_dead_after_logout_everywhere(server, accounts):
    with staff_client(server.url, "lan") as lan:
        cookie = lan.cookies.get(COOKIE)
        inbox = lan.get("/staff")
        assert inbox.status_code == 200
        out = lan.post("/staff/logout", data={"csrf": csrf_of(inbox.text)})
        assert out.status_code == 303
    with httpx.Client(base_url=server.url, timeout=15.0) as thief:
        thief.cookies.set(COOKIE, cookie, path="/staff")
        response = thief.get("/staff")
        assert response.status_code == 303 and response.headers["location"] == "/staff/login"
        assert thief.post("/staff/logout", data={"csrf": "x"}).status_code == 403
    with staff_client(server.url, "minh") as minh:  # a colleague's session is untouched
        assert minh.get("/staff").status_code == 200


def test_cross_site_and_tokenless_posts_are_refused(server, accounts, sqlite_engine):
    session, request_id = _open_request(server.url)
    with staff_client(server.url, "lan") as lan, staff_client(server.url, "minh") as minh:
        page = lan.get(f"/staff/requests/{request_id}")
        csrf, nonce = csrf_of(page.text), nonce_of(page.text)
        data = {"csrf": csrf, "nonce": nonce, "text": "từ trang lạ"}
        assert lan.post(f"/staff/requests/{request_id}/reply", data=data,
                        headers={"origin": "https://evil.example"}).status_code == 403
        assert lan.post(f"/staff/requests/{request_id}/reply", data=data,
                        headers={"sec-fetch-site": "cross-site"}).status_code == 403
        assert lan.post(f"/staff/requests/{request_id}/reply",
                        data={"nonce": nonce, "text": "không có mã"}).status_code == 403
        other = csrf_of(minh.get(f"/staff/requests/{request_id}").text)
        assert lan.post(f"/staff/requests/{request_id}/reply",
                        data={"csrf": other, "nonce": nonce, "text": "mã của người khác"}).status_code == 403
        # The login form too: without its token, or from another site.
        assert lan.post("/staff/login", data={"name": "lan", "password": PASSWORD}).status_code == 403
        assert lan.post("/staff/login", data={"name": "lan", "password": PASSWORD},
                        headers={"origin": "https://evil.example"}).status_code == 403
        same = lan.post(f"/staff/requests/{request_id}/reply", data=data,
                        headers={"origin": server.url})
        assert same.status_code == 303
    with httpx.Client(base_url=server.url, timeout=15.0) as citizen:
        assert [n["text"] for n in updates(citizen, session)] == ["💬 Cán bộ trả lời:\ntừ trang lạ"]


def test_brute_force_is_throttled(server, accounts):
    with httpx.Client(base_url=server.url, timeout=15.0) as attacker:
        codes = [login(attacker, "lan", f"sai-mat-khau-{i}").status_code for i in range(MAX_FAILURES)]
        assert codes[:-1] == [401] * (MAX_FAILURES - 1) and codes[-1] == 429
        # Locked: even the right password is refused for a while.
        assert login(attacker, "lan", PASSWORD).status_code == 429
        # Per address: guessing other names soon hits the address limit as well.
        codes = [login(attacker, f"ai-{i}", "x" * 12).status_code for i in range(5)]
        assert codes[:-1] == [401] * 4 and codes[-1] == 429
        assert login(attacker, "minh", PASSWORD).status_code == 429  # this address is blocked for now
    # Another address (another office PC), another account: not locked out.
    other_pc = httpx.HTTPTransport(local_address="127.0.0.2")
    with httpx.Client(base_url=server.url, timeout=15.0, transport=other_pc) as minh:
        assert login(minh, "minh", PASSWORD).status_code == 303
        assert minh.get("/staff").status_code == 200
        assert login(minh, "lan", PASSWORD).status_code == 429  # lan's account stays locked everywhere


def test_a_citizen_cannot_read_another_citizens_request_or_reply(server, accounts):
    alice, request_id = _open_request(server.url, "gặp cán bộ về giấy tờ nhà đất của tôi")
    bob = new_session()
    with staff_client(server.url) as staff:
        assert reply_from_inbox(staff, request_id, "Trả lời riêng cho chị").status_code == 303
    with httpx.Client(base_url=server.url, timeout=15.0) as citizen:
        assert updates(citizen, bob, ack=False) == []
        pending = citizen.get("/api/updates", params={"session_id": alice}).json()["notifications"]
        assert len(pending) == 1
        # Bob acknowledging Alice's notification id removes nothing of hers.
        acked = citizen.post("/api/updates/ack", json={"session_id": bob, "ids": [pending[0]["id"]]}).json()
        assert acked["acknowledged"] == 0
        # Bob asking for a person opens his own request; he never sees Alice's transcript.
        mine = chat(citizen, bob, "gặp cán bộ")
        assert mine["data"]["handoff"]["id"] != request_id and "nhà đất" not in mine["reply"]
        assert [n["text"] for n in updates(citizen, alice)] == ["💬 Cán bộ trả lời:\nTrả lời riêng cho chị"]


def test_the_cookie_secret_and_passwords_never_reach_the_logs(server, accounts, settings, caplog):
    import logging

    from assistant.logsafety import secrets_of

    assert settings.staff_secret in secrets_of(settings) and settings.staff_secret not in repr(settings)
    caplog.set_level(logging.DEBUG)
    with httpx.Client(base_url=server.url, timeout=15.0) as http:
        login(http, "lan", "sai-mat-khau-ne")
        assert login(http, "lan", PASSWORD).status_code == 303
        chat(http, new_session(), "gặp cán bộ")
    logged = caplog.text
    assert PASSWORD not in logged and "sai-mat-khau-ne" not in logged and settings.staff_secret not in logged
