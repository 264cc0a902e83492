"""Handoff with two worker processes on one PostgreSQL database: a web citizen and a Zalo
citizen each reach a civil servant; answers written in one worker's inbox, and by the CLI while
every worker is down, reach each citizen exactly once after a restart."""

from __future__ import annotations

import re
import secrets
from collections import Counter

import httpx
import pytest

from assistant.handoff.accounts import StaffAccounts
from assistant.handoff.store import HandoffStore
from assistant.store import Outbox
from tests.scaleout.harness import run_cli, start_all, wait_all, wait_until, zalo_text_event

pytestmark = pytest.mark.postgres

PASSWORD = "mat-khau-thu-nghiem-1"
SECRET = "scaleout-staff-secret-" + secrets.token_hex(8)


def _field(name: str, page: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]+)"', page)
    assert match, page[:300]
    return match.group(1)


def _updates(worker, session: str) -> list[str]:
    response = worker.http.get("/api/updates", params={"session_id": session})
    items = response.json()["notifications"]
    if items:
        worker.http.post("/api/updates/ack", json={"session_id": session, "ids": [i["id"] for i in items]})
    return [i["text"] for i in items]


def test_two_workers_and_a_restart_lose_no_answer(cluster):
    engine, zalo = cluster.engine, cluster.zalo
    StaffAccounts(engine).add("lan", PASSWORD)
    workers = wait_all(start_all(cluster.make_workers(2, ASSISTANT_STAFF_SECRET=SECRET)))
    one, two = workers

    web_session = "w-" + secrets.token_hex(8)
    opened = one.chat(web_session, text="cho em gặp cán bộ")
    assert opened["status"] == "handoff"
    web_request = opened["data"]["handoff"]["id"]
    assert two.chat(web_session, text="Em hỏi về chứng thực bản sao")["data"]["handoff"]["state"] == "relayed"

    zalo_user = "z" + secrets.token_hex(6)
    raw, headers = zalo_text_event(zalo_user, "gặp cán bộ", secrets.token_hex(8))
    assert two.post_zalo(raw, headers) == 200
    wait_until(lambda: any(m.user_id == zalo_user for m in zalo.messages()), 20, "the Zalo acknowledgement")
    zalo_request = HandoffStore(engine).open_for("zalo", zalo_user).id

    with httpx.Client(base_url=one.url, timeout=10.0) as staff:
        form = staff.get("/staff/login")
        assert staff.post("/staff/login", data={"csrf": _field("csrf", form.text), "name": "lan",
                                                "password": PASSWORD}).status_code == 303
        page = staff.get(f"/staff/requests/{web_request}")
        assert "chứng thực bản sao" in page.text  # relayed through the other worker
        assert staff.post(f"/staff/requests/{web_request}/reply", data={
            "csrf": _field("csrf", page.text), "nonce": _field("nonce", page.text),
            "text": "Bạn mang bản chính đến UBND xã nhé."}).status_code == 303
        cookie = staff.cookies.get("tthc_staff")

    # The web citizen polls the OTHER worker and gets it once.
    wait_until(lambda: _updates(two, web_session) == ["💬 Cán bộ trả lời:\nBạn mang bản chính đến UBND xã nhé."],
               20, "the web answer")
    assert _updates(one, web_session) == [] and _updates(two, web_session) == []

    # Every worker stops; a civil servant answers from the terminal meanwhile.
    for worker in workers:
        worker.stop()
    result = run_cli(cluster.env(), "handoff", "reply", str(zalo_request), "Hồ sơ của bạn nộp trực tuyến được.",
                     "--as", "lan", "--key", "cli-1")
    assert result.returncode == 0, result.stderr
    again = run_cli(cluster.env(), "handoff", "reply", str(zalo_request), "Hồ sơ của bạn nộp trực tuyến được.",
                    "--as", "lan", "--key", "cli-1")
    assert again.returncode == 0 and "không gửi lại" in again.stdout  # a script's retry sends nothing twice
    listed = run_cli(cluster.env(), "handoff", "list", "--json")
    assert listed.returncode == 0 and '"channel": "zalo"' in listed.stdout

    wait_all(start_all(workers))
    answer = "💬 Cán bộ trả lời:\nHồ sơ của bạn nộp trực tuyến được."
    wait_until(lambda: any(m.user_id == zalo_user and m.text == answer for m in zalo.messages()), 30,
               "the Zalo answer after the restart")
    wait_until(lambda: Outbox(engine).pending("zalo") == 0, 30, "the outbox to drain")

    # After the restart: the staff session still works, the web citizen's request is still open.
    with httpx.Client(base_url=two.url, timeout=10.0) as staff:
        staff.cookies.set("tthc_staff", cookie, path="/staff")
        page = staff.get(f"/staff/requests/{web_request}")
        assert page.status_code == 200 and "Bạn mang bản chính" in page.text
        assert staff.post(f"/staff/requests/{web_request}/close",
                          data={"csrf": _field("csrf", page.text)}).status_code == 303
    assert one.chat(web_session, text="đăng ký khai sinh mất bao lâu")["status"] == "answer"
    closing = _updates(one, web_session)
    assert len(closing) == 1 and "kết thúc" in closing[0]
    for worker in workers:
        worker.stop()

    sent = Counter((m.user_id, m.text) for m in zalo.messages() if m.user_id == zalo_user)
    assert sent[(zalo_user, answer)] == 1
