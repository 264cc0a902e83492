"""The web API and the Zalo and Telegram webhooks, over real HTTP (uvicorn on 127.0.0.1), answer
anything a client sends with a clear 4xx JSON error or 200, never 500: malformed JSON, wrong
types, missing fields, odd content types, huge values, lone surrogates, control characters."""

from __future__ import annotations

import dataclasses
import json
import logging
import re
import time
from collections.abc import Iterator

import httpx
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from assistant.channels.telegram import build_application
from assistant.channels.zalo import ZaloChannel, header_value
from assistant.web import create_app
from assistant.web.limits import MAX_CHAT_BODY
from assistant.web.metrics import Metrics
from assistant.web.state import ConversationTurns
from tests.properties.strategies import PROPS, hostile_text
from tests.web.live import LiveServer

VIETNAMESE_LETTER = re.compile("[àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ]")
APP_ID = "4407123456789012345"
OA_SECRET = "props-oa-secret-key"
TG_TOKEN = "123456789:PROPS-telegram-token"
TG_SECRET = "props-telegram-webhook-secret"
TG_PATH = "/telegram/props-hook"
SESSION = "props-session-0001"


@dataclasses.dataclass
class Served:
    http: httpx.Client
    zalo: ZaloChannel
    errors: list[logging.LogRecord]


class _Errors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(scope="module")
def served(wired_assistant, module_engine) -> Iterator[Served]:
    settings = dataclasses.replace(
        wired_assistant.settings, zalo_app_id=APP_ID, zalo_oa_secret_key=OA_SECRET, telegram_token=TG_TOKEN,
        telegram_webhook_url=f"https://tthc.example.org{TG_PATH}", telegram_webhook_secret=TG_SECRET)
    turns = ConversationTurns(module_engine)
    metrics = Metrics()
    zalo = ZaloChannel(settings, wired_assistant, module_engine, turns=turns, metrics=metrics, max_pending=10_000)
    # Webhook mode against a Bot API nobody listens on: updates are parsed and queued; what the
    # application then does with them is the Telegram channel tests' business.
    telegram = build_application(settings, wired_assistant, module_engine, base_url="http://127.0.0.1:9/bot",
                                 rate_limiter=None)
    app = create_app(settings, wired_assistant, module_engine, zalo=zalo, telegram=telegram, rate_limit=0,
                     metrics=metrics, turns=turns)
    errors = _Errors()
    logging.getLogger().addHandler(errors)
    live = LiveServer(app).start()
    try:
        with httpx.Client(base_url=live.url, timeout=30) as http:
            yield Served(http, zalo, errors.records)
    finally:
        live.stop()
        logging.getLogger().removeHandler(errors)
        turns.close()


def check_json_error(response: httpx.Response, allowed: set[int]) -> None:
    assert response.status_code in allowed, (response.status_code, response.text[:300])
    if response.status_code != 200:
        body = response.json()
        assert set(body) >= {"error", "message"}, body
        assert VIETNAMESE_LETTER.search(body["message"].lower()), body


# -- strategies ------------------------------------------------------------------------------------

SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(allow_nan=True),
                    hostile_text(long=False), st.just(""), st.just("x" * 5000))
JSON = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                     st.dictionaries(st.text(max_size=8), inner, max_size=4)),
                    max_leaves=12)
FIELDS = ["session_id", "text", "action", "procedure_id", "menu"]


@st.composite
def chat_requests(draw) -> dict:
    """Objects shaped roughly like a chat request: the right keys with any values, and noise.
    Button payloads stay free of lone surrogates (see test_action_with_lone_surrogate below)."""
    payload: dict = {}
    if draw(st.integers(0, 4)):
        payload["session_id"] = draw(st.one_of(st.just(SESSION), st.text(max_size=80), JSON))
    for key in draw(st.lists(st.sampled_from(FIELDS[1:]), unique=True, max_size=3)):
        if key == "text":
            payload[key] = draw(st.one_of(hostile_text(), JSON))
        elif key == "menu":
            payload[key] = draw(st.one_of(st.just(True), JSON))
        else:
            payload[key] = draw(st.one_of(hostile_text(allow_surrogates=False, long=False), JSON.filter(
                lambda v: not isinstance(v, str))))
    payload.update(draw(st.dictionaries(st.text(max_size=10), JSON, max_size=2)))
    return payload


def encode(value) -> bytes:
    """JSON as a client may send it: lone surrogates escaped, NaN as a bare token."""
    return json.dumps(value, ensure_ascii=True, allow_nan=True).encode()


CONTENT_TYPES = st.sampled_from(["application/json", "application/json; charset=utf-8", "APPLICATION/JSON",
                                 "text/plain", "application/x-www-form-urlencoded", "", "application/jsonx",
                                 "multipart/form-data; boundary=x"])


# -- the chat API ------------------------------------------------------------------------------------

@PROPS
@given(payload=chat_requests(), content_type=CONTENT_TYPES)
@example(payload={"session_id": SESSION, "text": "\x00" * 3000}, content_type="application/json")
@example(payload={"session_id": SESSION, "text": "x" * 4001}, content_type="application/json")
@example(payload={"session_id": SESSION, "text": "'; DROP TABLE dossiers;--"}, content_type="application/json")
@example(payload={"session_id": SESSION, "text": "\ud800 giấy độc thân"}, content_type="application/json")
@example(payload={"session_id": SESSION, "menu": True, "text": None}, content_type="application/json")
@example(payload={"session_id": SESSION, "procedure_id": "../../etc/passwd"}, content_type="application/json")
def test_chat_api_never_fails(served, payload, content_type):
    headers = {"content-type": content_type} if content_type else {}
    response = served.http.post("/api/chat", content=encode(payload), headers=headers)
    check_json_error(response, {200, 400, 413, 415})
    if response.status_code == 200:
        assert response.json()["reply"].strip()


@PROPS
@given(body=st.one_of(st.binary(max_size=300), st.builds(lambda b: b"{" + b, st.binary(max_size=100)),
                      st.sampled_from([b"", b"null", b"[]", b"{}", b'"x"', b"1e999999", b"-" * 100, b"{" * 900,
                                       b'{"session_id": "' + b"1" * 5000 + b'"}',
                                       b'{"session_id": 1' + b"0" * 5000 + b"}",
                                       b"\xef\xbb\xbf{}", b"\xff\xfe{\x00}\x00"])))
def test_chat_api_any_bytes(served, body):
    response = served.http.post("/api/chat", content=body, headers={"content-type": "application/json"})
    check_json_error(response, {200, 400, 413, 415})


def test_deeply_nested_json_is_a_400(served):
    response = served.http.post("/api/chat", content=b"[" * 5000, headers={"content-type": "application/json"})
    check_json_error(response, {400})


@pytest.mark.parametrize("action", ["sub:\ud800", "unsub:\udfff"], ids=["sub", "unsub"])
def test_action_with_lone_surrogate(served, action):
    response = served.http.post("/api/chat", content=encode({"session_id": SESSION, "action": action}),
                                headers={"content-type": "application/json"})
    check_json_error(response, {200, 400})


def test_oversized_bodies_are_refused_not_buffered(served):
    big = b'{"session_id": "' + SESSION.encode() + b'", "text": "' + b"a" * MAX_CHAT_BODY + b'"}'
    check_json_error(served.http.post("/api/chat", content=big, headers={"content-type": "application/json"}), {413})

    def chunks() -> Iterator[bytes]:  # no Content-Length: Transfer-Encoding: chunked
        yield big[:1000]
        yield big[1000:]

    check_json_error(served.http.post("/api/chat", content=chunks(), headers={"content-type": "application/json"}),
                     {413})


# -- the Zalo webhook -----------------------------------------------------------------------------------

@st.composite
def zalo_events(draw) -> dict:
    """Events shaped like Zalo's with any value in any field (missing, wrong type, huge)."""
    # Within the accepted window (a signed event older than 5 minutes is refused as a replay).
    event: dict = {"app_id": APP_ID, "timestamp": str(int(time.time() * 1000) - draw(st.integers(0, 60_000)))}
    event["event_name"] = draw(st.one_of(st.sampled_from(["user_send_text", "follow", "unfollow", "user_send_image",
                                                          "oa_send_text", "user_submit_info"]), JSON))
    if draw(st.integers(0, 4)):
        event["sender"] = draw(st.one_of(st.fixed_dictionaries({"id": st.one_of(
            st.from_regex(r"[0-9]{10,19}", fullmatch=True), JSON)}), JSON))
    if draw(st.integers(0, 4)):
        event["follower"] = draw(st.one_of(st.fixed_dictionaries({"id": st.from_regex(r"[0-9]{10,19}",
                                                                                        fullmatch=True)}), JSON))
    if draw(st.integers(0, 4)):
        event["message"] = draw(st.one_of(st.fixed_dictionaries(
            {"text": st.one_of(hostile_text(), st.just("#tthc sub:\ud800"), st.just("#tthc k:1:x"), JSON),
             "msg_id": st.one_of(st.text(max_size=20), JSON)}), JSON))
    event.update(draw(st.dictionaries(st.text(max_size=8), JSON, max_size=2)))
    return event


@PROPS
@given(event=zalo_events())
def test_zalo_webhook_signed_events_never_fail(served, event):
    """A correctly signed event with odd content is accepted (200) and ignored or answered."""
    raw = encode(event)
    response = served.http.post("/zalo/webhook", content=raw, headers={
        "content-type": "application/json", "X-ZEvent-Signature": header_value(APP_ID, raw, event["timestamp"],
                                                                               OA_SECRET)})
    check_json_error(response, {200, 503})


@PROPS
@given(body=st.one_of(st.binary(max_size=300), zalo_events().map(encode),
                      st.sampled_from([b"[" * 5000, b"{" * 5000, b'{"timestamp": 1' + b"0" * 5000 + b"}"])),
       signature=st.one_of(st.none(), st.text(max_size=80).filter(lambda s: s.isascii() and s.isprintable()),
                           st.just("mac=" + "0" * 64)))
def test_zalo_webhook_unsigned_or_malformed_is_401(served, body, signature):
    headers = {"content-type": "application/json"}
    if signature is not None:
        headers["X-ZEvent-Signature"] = signature
    check_json_error(served.http.post("/zalo/webhook", content=body, headers=headers), {401})


@pytest.mark.parametrize("body", [b"[" * 5000, b'{"a":' * 3000])
def test_zalo_webhook_deep_nesting_signed(served, body):
    """Nesting too deep for the JSON parser: refused, even with a valid signature over it."""
    response = served.http.post("/zalo/webhook", content=body, headers={
        "content-type": "application/json", "X-ZEvent-Signature": header_value(APP_ID, body, "", OA_SECRET)})
    check_json_error(response, {400, 401})


# -- the Telegram webhook ------------------------------------------------------------------------------------

TG_UPDATES = st.one_of(
    JSON,
    st.fixed_dictionaries({"update_id": st.one_of(st.integers(-(2**63), 2**63), JSON)},
                          optional={"message": JSON, "callback_query": JSON, "edited_message": JSON}),
    st.builds(lambda uid, chat, text: {"update_id": uid, "message": {
        "message_id": 1, "date": 1_700_000_000, "chat": {"id": chat, "type": "private"}, "text": text}},
        st.integers(1, 2**31), st.one_of(st.integers(-(2**63), 2**63), JSON), st.one_of(hostile_text(), JSON)),
)


@PROPS
@given(update=TG_UPDATES)
@example(update={"update_id": 1, "message": {"chat": 5}})
def test_telegram_webhook_never_fails(served, update):
    response = served.http.post(TG_PATH, content=encode(update), headers={
        "content-type": "application/json", "X-Telegram-Bot-Api-Secret-Token": TG_SECRET})
    assert response.status_code in {200, 400}, response.status_code


@PROPS
@given(body=st.one_of(st.binary(max_size=200), TG_UPDATES.map(encode)),
       secret=st.one_of(st.none(), st.text(max_size=300).filter(lambda s: s.isascii() and s.isprintable())))
def test_telegram_webhook_without_the_secret_is_401(served, body, secret):
    headers = {"content-type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    assert served.http.post(TG_PATH, content=body, headers=headers).status_code == 401


def test_no_unhandled_errors_were_logged(served):
    """Runs last in this module: whatever the webhooks accepted was processed without a crash
    (HTTP answers are checked by the tests above, 500s included)."""
    deadline = time.monotonic() + 10
    while served.zalo._tasks and time.monotonic() < deadline:
        time.sleep(0.05)
    crashes = [r for r in served.errors if r.name.startswith(("assistant", "telegram"))
               and r.getMessage().startswith(("zalo event", "update"))]
    assert not crashes, [f"{r.name}: {r.getMessage()} {r.exc_info[1]!r}" for r in crashes if r.exc_info]
