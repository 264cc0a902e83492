"""Abuse through the front doors: staff commands from citizens, injection in messages and
dossier codes, enumeration of dossier codes, oversized bodies."""

from __future__ import annotations

import asyncio
import datetime as dt
import html
import json
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import inspect, select

from assistant.dossiers.codes import canonical_form, find_dossier_code, looks_like_code_attempt
from assistant.dossiers.desk import ORIGIN_MISSES, DossierDesk
from assistant.dossiers.seed import DEMOS, seed_demo
from assistant.store.models import QuestionLogRow
from assistant.web.limits import MAX_CHAT_BODY, MAX_TEXT_CHARS, MAX_WEBHOOK_BODY
from tests.channels.zalo.conftest import text_event
from tests.security.conftest import STAFF_CHAT, TG_PATH, row_counts

VIETNAMESE_LETTER = re.compile("[àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ]")
STATIC = Path(__file__).resolve().parents[2] / "assistant" / "web" / "static"
CITIZEN = 5002
INJECTIONS = [
    "'; DROP TABLE dossiers;--",
    "000.00.10.H32-261120-0001'; DROP TABLE dossiers;--",
    "\" OR 1=1; DELETE FROM subscriptions; --",
    "<script>alert(1)</script>",
    "<b>đậm</b> <a href=\"javascript:alert(1)\">bấm</a> &amp; &lt;",
    "*bold* [x](javascript:alert(1)) _nghiêng_ `code`",
    "</b><i>giấy độc thân</i> mất bao lâu",
]
UNKNOWN_CODES = [f"000.00.10.H32-261120-{seq:04d}" for seq in range(9001, 9020)]


def wait_text(message) -> str:
    return message.plain


# -- staff commands -------------------------------------------------------------------------------

@pytest.mark.parametrize("command", ["/reload", "/stats", "/reload@tthc_test_bot", "/stats extra words"])
async def test_staff_commands_from_citizens_are_refused_politely(stack, command):
    before = row_counts(stack.engine)
    stack.bot_api.push(stack.bot_api.make_message(CITIZEN, command))  # unused in webhook mode; harmless
    response = await stack.telegram_update(stack.bot_api.make_message(CITIZEN, command))
    assert response.status_code == 200
    (reply,) = await stack.bot_api.wait_messages(CITIZEN, 1)
    assert "chỉ dành cho cán bộ" in reply.plain and reply.plain.startswith("Xin lỗi")
    assert "Thống kê" not in reply.plain and "Đã nạp lại" not in reply.plain
    assert stack.calls["reload"] == 0
    assert row_counts(stack.engine) == before


async def test_staff_commands_in_a_group_are_refused(stack):
    update = stack.bot_api.make_message(-100123, "/reload", user_id=STAFF_CHAT, chat_type="supergroup")
    assert (await stack.telegram_update(update)).status_code == 200
    (reply,) = await stack.bot_api.wait_messages(-100123, 1)
    assert "chỉ dành cho cán bộ" in reply.plain
    assert stack.calls["reload"] == 0


async def test_staff_chat_may_reload_and_see_stats(stack):
    await stack.telegram_update(stack.bot_api.make_message(STAFF_CHAT, "/reload"))
    (reply,) = await stack.bot_api.wait_messages(STAFF_CHAT, 1)
    assert "Đã nạp lại danh mục" in reply.plain and stack.calls["reload"] == 1
    await stack.telegram_update(stack.bot_api.make_message(STAFF_CHAT, "/stats"))
    replies = await stack.bot_api.wait_messages(STAFF_CHAT, 2)
    assert replies[1].plain.startswith("Thống kê")


# -- injection ---------------------------------------------------------------------------------------

async def test_injection_in_telegram_messages_is_escaped(stack):
    seed_demo(stack.engine, stack.assistant.catalog, dt.datetime(2026, 11, 23, 9, 0))
    tables = sorted(inspect(stack.engine).get_table_names())
    before = row_counts(stack.engine)
    texts = [*INJECTIONS, *(f"/tracuu {t}" for t in INJECTIONS[:3]), *(f"/huytheodoi {t}" for t in INJECTIONS[3:5])]
    for index, text in enumerate(texts):
        await stack.telegram_update(stack.bot_api.make_message(CITIZEN, text))
        await stack.bot_api.wait_messages(CITIZEN, index + 1)
    # Button payloads a modified client could send: echoed codes must be escaped too.
    bot_message = stack.bot_api.chat(CITIZEN)[0]
    for data in ("unsub:<script>alert(1)</script>", "sub:'; DROP TABLE dossiers;--", "f:o:<b>x</b>"):
        seen = len(stack.bot_api.chat(CITIZEN))
        stack_update = {"update_id": 10_000 + seen, "callback_query": {
            "id": f"cq{seen}", "from": {"id": CITIZEN, "is_bot": False, "first_name": "Dân"}, "chat_instance": "c",
            "data": data, "message": bot_message.as_api()}}
        assert (await stack.telegram_update(stack_update)).status_code == 200
        await stack.bot_api.wait_messages(CITIZEN, seen + 1)
    await stack.settle()
    sent = [call for call in stack.bot_api.calls if call.method == "sendMessage" and call.params.get("chat_id")
            in (CITIZEN, str(CITIZEN))]
    assert sent and all(call.status == 200 for call in sent), [c.result for c in sent if c.status != 200]
    for call in sent:
        text = call.params["text"]
        assert call.params.get("parse_mode") == "HTML"
        tags = re.findall(r"</?([a-zA-Z]+)", text)
        assert set(tags) <= {"b"}, text  # our own bold title only: no user markup survived
        assert "javascript:" not in text.lower() or "&quot;javascript:" in text or "(javascript:" in text
    echoed = "\n".join(html.unescape(call.params["text"]) for call in sent)
    # A forged code is neither queried nor echoed: the citizen is told what a code looks like.
    assert "Mã hồ sơ không đúng định dạng" in echoed and "alert(1)" not in echoed.lower()
    assert sorted(inspect(stack.engine).get_table_names()) == tables
    after = row_counts(stack.engine)
    assert after["dossiers"] == before["dossiers"] and after["subscriptions"] == before["subscriptions"]
    with stack.engine.connect() as conn:
        logged = set(conn.execute(select(QuestionLogRow.text)).scalars())
    assert "'; DROP TABLE dossiers;--" in logged  # stored verbatim: bound parameters, not SQL


async def test_injection_in_the_web_api_is_plain_json_text(stack):
    for text in INJECTIONS:
        response = await stack.chat("inject-session-01", text=text)
        assert response.status_code == 200
        body = response.json()
        assert body["reply"].strip() and response.headers["content-type"].startswith("application/json")
    page = await stack.http.get("/")
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff"
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page.text) is None  # no inline script to inject into


def test_web_page_renders_every_server_string_as_text():
    """The page's JavaScript never parses server or user text as HTML."""
    for path in STATIC.glob("*.js"):
        source = path.read_text(encoding="utf-8")
        code = re.sub(r"//[^\n]*|/\*.*?\*/", "", source, flags=re.S)  # comments may mention innerHTML
        for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function",
                     "setTimeout(\"", "DOMParser", "createContextualFragment", "srcdoc"):
            assert sink not in code, f"{path.name} uses {sink}"
        assert "textContent" in code
        # Links are made only from http(s) URLs the regex finds, never from javascript: or data:.
        assert re.search(r"URL_RE = /\(https\?:", code), "links must be limited to http(s)"
        assert re.search(r"\.href\s*=\s*url\b", code) and code.count(".href") == 1


def test_dossier_code_parser_rejects_injection():
    for text in INJECTIONS:
        code = find_dossier_code(text)
        assert code is None or canonical_form(code), (text, code)
        assert not looks_like_code_attempt(text) or code is None
    assert find_dossier_code("000.00.10.H32-261120-0001'; DROP TABLE dossiers;--") == "000.00.10.H32-261120-0001"
    assert find_dossier_code("'; DROP TABLE dossiers;-- 000.00.10.H32") is None


def test_injected_codes_leave_the_database_intact(engine, shipped_catalog):
    seed_demo(engine, shipped_catalog, dt.datetime(2026, 11, 23, 9, 0))
    desk = DossierDesk(engine, shipped_catalog)
    tables = sorted(inspect(engine).get_table_names())
    before = row_counts(engine)
    from assistant.dialogue.conversation import Requester

    now = dt.datetime(2026, 11, 23, 10, 0)
    for index, text in enumerate(INJECTIONS):
        chat = Requester("web", f"inject-{index}")
        for method in (desk.lookup, desk.subscribe, desk.unsubscribe):
            reply = method(text, chat, now)
            assert reply.text.strip()
    assert sorted(inspect(engine).get_table_names()) == tables
    after = row_counts(engine)
    assert after.pop("throttle_counters") > 0  # the lookups were counted, nothing else was written
    before.pop("throttle_counters")
    assert after == before
    card = desk.lookup(INJECTIONS[1], Requester("web", "inject-card"), now)
    assert card.data["dossier"]["found"] and card.data["dossier"]["code"] == DEMOS[0].code


# -- enumeration -----------------------------------------------------------------------------------------

def test_unknown_code_lookups_are_throttled_per_chat(engine, shipped_catalog):
    from assistant.dialogue.conversation import Requester

    seed_demo(engine, shipped_catalog, dt.datetime(2026, 11, 23, 9, 0))
    desk = DossierDesk(engine, shipped_catalog)
    now = dt.datetime(2026, 11, 23, 10, 0)
    prober, neighbour = Requester("telegram", "666"), Requester("telegram", "667")
    replies = [desk.lookup(code, prober, now) for code in UNKNOWN_CODES[:5]]
    assert all(r.data["dossier"]["found"] is False for r in replies)
    throttled = desk.lookup(UNKNOWN_CODES[5], prober, now)
    assert throttled.data["dossier"]["throttled"] and "Vui lòng đợi" in throttled.text
    # Once throttled, even a real code is not looked up for this chat (no oracle), nor followed.
    assert desk.lookup(DEMOS[0].code, prober, now).data["dossier"].get("throttled")
    assert desk.subscribe(DEMOS[0].code, prober, now).data["dossier"].get("throttled")
    # Other chats are not affected, on any channel.
    assert desk.lookup(DEMOS[0].code, neighbour, now).data["dossier"]["found"]
    assert desk.lookup(DEMOS[0].code, Requester("zalo", "666"), now).data["dossier"]["found"]
    assert desk.lookup(UNKNOWN_CODES[6], neighbour, now).data["dossier"]["found"] is False


async def test_enumeration_over_the_web_api_is_throttled(stack):
    for code in UNKNOWN_CODES[:5]:
        body = (await stack.chat("prober-session-1", text=code)).json()
        assert body["data"]["dossier"]["found"] is False
    body = (await stack.chat("prober-session-1", text=UNKNOWN_CODES[5])).json()
    assert body["data"]["dossier"].get("throttled") and "Vui lòng đợi" in body["reply"]
    other = (await stack.chat("neighbour-session", text=UNKNOWN_CODES[6])).json()
    assert other["data"]["dossier"]["found"] is False and not other["data"]["dossier"].get("throttled")


async def test_enumeration_over_telegram_is_throttled(stack):
    for index, code in enumerate(UNKNOWN_CODES[:6]):
        await stack.telegram_update(stack.bot_api.make_message(CITIZEN, code))
        await stack.bot_api.wait_messages(CITIZEN, index + 1)
    assert "Vui lòng đợi" in stack.bot_api.chat(CITIZEN)[-1].plain
    await stack.telegram_update(stack.bot_api.make_message(CITIZEN + 1, UNKNOWN_CODES[7]))
    (reply,) = await stack.bot_api.wait_messages(CITIZEN + 1, 1)
    assert "Không tìm thấy hồ sơ" in reply.plain


async def test_rotating_web_sessions_does_not_escape_the_throttle(stack):
    """A new session id per request still comes from one client address, which is counted too."""
    codes = [f"000.00.10.H32-261120-{seq:04d}" for seq in range(8001, 8001 + ORIGIN_MISSES + 5)]
    replies = [(await stack.chat(f"rotating-session-{i:03d}", text=code)).json() for i, code in enumerate(codes)]
    throttled = [r for r in replies if r["data"]["dossier"].get("throttled")]
    assert len(replies) - len(throttled) == ORIGIN_MISSES and all("Vui lòng đợi" in r["reply"] for r in throttled)


# -- oversized bodies -------------------------------------------------------------------------------------

async def chunked(data: bytes, size: int = 64 * 1024) -> AsyncIterator[bytes]:
    """A body sent with Transfer-Encoding: chunked (no Content-Length)."""
    for start in range(0, len(data), size):
        yield data[start:start + size]


def assert_413(response) -> None:
    assert response.status_code == 413, response.status_code
    body = response.json()
    assert body["error"] == "payload_too_large" and VIETNAMESE_LETTER.search(body["message"])


async def test_web_api_refuses_oversized_bodies_and_texts(stack):
    big = b'{"session_id": "oversize-session", "text": "' + b"a" * MAX_CHAT_BODY + b'"}'
    headers = {"content-type": "application/json"}
    assert_413(await stack.http.post("/api/chat", content=big, headers=headers))
    assert_413(await stack.http.post("/api/chat", content=chunked(big, 1000), headers=headers))  # no Content-Length
    # A declared size alone is refused at once, before a byte of the body arrives.
    host, port = stack.url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(b"POST /api/chat HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                 b"Content-Length: 99999999\r\n\r\n{")
    await writer.drain()
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
    assert head.startswith(b"HTTP/1.1 413")
    writer.close()
    long_text = await stack.chat("oversize-session", text="á" * (MAX_TEXT_CHARS + 1))
    assert long_text.status_code == 413 and long_text.json()["error"] == "text_too_long"
    assert VIETNAMESE_LETTER.search(long_text.json()["message"])
    assert stack.calls.total() == 0


@pytest.mark.parametrize("path", [TG_PATH, "/zalo/webhook"])
async def test_webhooks_refuse_oversized_bodies(stack, path):
    raw = json.dumps(text_event("5510185758261927916", "x" * (MAX_WEBHOOK_BODY + 10))).encode()
    headers = {"content-type": "application/json", "X-Telegram-Bot-Api-Secret-Token": "security-tests-webhook-secret"}
    assert_413(await stack.http.post(path, content=raw, headers=headers))
    assert_413(await stack.http.post(path, content=chunked(raw), headers=headers))
    await stack.settle()
    assert stack.calls.total() == 0
    assert stack.bot_api.sent() == [] and stack.zalo_api.sent == []
