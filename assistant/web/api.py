"""The citizen API of the web chat: plain endpoint functions over the shared objects.

POST /api/chat (one message, button or menu request → the `Reply` as JSON), GET /api/config
(what the page shows before the first message), GET /api/history (what the page showed in this
session, so a reload draws it again; kept by `history`), GET/POST /api/updates[/ack] (dossier
notifications the page pulls and confirms) and GET /api/qr/<id>.png. The web chat is a
`channels.base.Channel` like Telegram and Zalo: `WebChatChannel` lists these routes.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from assistant.core import Assistant
from assistant.dialogue.actions import feedback_action
from assistant.dialogue.reply import Reply, Status
from assistant.web import history, texts
from assistant.web.errors import error
from assistant.web.limits import MAX_TEXT_CHARS, is_json_media_type, same_origin, valid_session
from assistant.web.shared import shared

log = logging.getLogger(__name__)

CHANNEL = "web"
MAX_UPDATES = 20  # notifications per poll (and ids per acknowledgement)
DEMO_CODE_SEQS = (1, 3, 4, 6, 8)  # in progress, supplement requested, late with a new date, resolved, returned
MALFORMED: Any = object()


def wants_feedback(reply: Reply) -> bool:
    """Answers about a procedure ask "was this helpful?"; menus, checklists and cards do not."""
    return reply.status == Status.answer and bool(reply.procedure_id) and "checklist" not in reply.data


def reply_json(reply: Reply) -> dict[str, Any]:
    """The CLI/API contract (`Reply.to_json`) plus the 👍/👎 buttons when the page should show them."""
    payload = reply.to_json()
    if wants_feedback(reply) and reply.procedure_id:
        payload["feedback"] = [{"label": texts.FEEDBACK_YES, "action": feedback_action(reply.procedure_id, +1)},
                               {"label": texts.FEEDBACK_NO, "action": feedback_action(reply.procedure_id, -1)}]
    return payload


def refuse_cross_site(request: Request) -> Response | None:
    """State-changing API calls: another site must not post with a visitor's browser."""
    s = shared(request)
    if not same_origin(request.headers, s.settings.public_url):
        s.metrics.rejected.inc("forbidden_origin")
        return error(403, "forbidden_origin")
    if not is_json_media_type(request.headers.get("content-type")):
        s.metrics.rejected.inc("unsupported_media_type")
        return error(415, "unsupported_media_type")
    return None


async def chat(request: Request) -> Response:
    s = shared(request)
    metrics = s.metrics
    if (refused := refuse_cross_site(request)) is not None:
        return refused
    data = _json_body(await request.body())
    if data is MALFORMED:
        metrics.rejected.inc("malformed_json")
        return error(400, "malformed_json")
    if not isinstance(data, dict):
        metrics.rejected.inc("invalid_request")
        return error(400, "invalid_request", "Nội dung yêu cầu phải là một đối tượng JSON.")
    session = data.get("session_id")
    if not valid_session(session):
        metrics.rejected.inc("invalid_session")
        return error(400, "invalid_session")
    given = [key for key in ("text", "action", "procedure_id", "menu") if data.get(key) is not None]
    if len(given) != 1:
        metrics.rejected.inc("invalid_request")
        return error(400, "invalid_request", "Cần đúng một trong các trường: text, action, procedure_id, menu.")
    kind = given[0]
    value = data[kind]
    if kind == "menu":
        if value is not True:
            return error(400, "invalid_request", "Trường menu phải là true.")
    elif not isinstance(value, str):
        metrics.rejected.inc("invalid_request")
        return error(400, "invalid_request", f"Trường {kind} phải là chuỗi ký tự.")
    elif kind == "text" and len(value) > MAX_TEXT_CHARS:
        metrics.rejected.inc("text_too_long")
        return error(413, "text_too_long")
    elif kind != "text" and len(value) > 128:
        metrics.rejected.inc("invalid_request")
        return error(400, "invalid_request", f"Trường {kind} quá dài.")
    if isinstance(value, str) and not _is_utf8(value):  # lone surrogates ("\ud800") from JSON escapes
        metrics.rejected.inc("invalid_request")
        return error(400, "invalid_request", f"Trường {kind} chứa ký tự không hợp lệ.")
    if s.limiter is not None:
        decision = s.limiter.hit(f"{CHANNEL}:{session}")
        if not decision.allowed:
            metrics.rate_limited.inc(CHANNEL)
            wait = max(1, round(decision.retry_after))
            return error(429, "rate_limited", texts.too_fast(decision.retry_after), retry_after=wait,
                         headers={"retry-after": str(wait)})
    # The page picks its own session id, so the client address also counts for the unknown-code
    # throttle (behind a proxy uvicorn takes it from X-Forwarded-For of a trusted proxy).
    origin = request.client.host if request.client else None
    reply, seconds = await s.turns.run(CHANNEL, session, _recorded(_turn(s.assistant, kind, value), kind, value),
                                       origin)
    metrics.turn_seconds.observe(seconds, CHANNEL)
    if kind != "text":
        metrics.actions.inc(CHANNEL, reply.status.value)
    return JSONResponse(reply_json(reply), headers={"cache-control": "no-store"})


async def recent_turns(request: Request) -> Response:
    """What the page showed in this session, so a reload draws the conversation again."""
    s = shared(request)
    session = request.query_params.get("session_id")
    if not valid_session(session):
        s.metrics.rejected.inc("invalid_session")
        return error(400, "invalid_session")
    state = await s.turns.call(s.turns.state, CHANNEL, session)
    return JSONResponse({"turns": history.recent(state)}, headers={"cache-control": "no-store"})


async def updates(request: Request) -> Response:
    """Dossier notifications waiting for this session ("theo dõi <mã>" in the web chat). The
    page asks on load and every little while, shows them, then acknowledges them: a
    notification stays in the outbox until the page confirms it was shown."""
    s = shared(request)
    session = request.query_params.get("session_id")
    if not valid_session(session):
        s.metrics.rejected.inc("invalid_session")
        return error(400, "invalid_session")
    if s.outbox is None:
        return JSONResponse({"notifications": []}, headers={"cache-control": "no-store"})
    try:
        items = await s.turns.call(s.outbox.waiting_for, CHANNEL, session, MAX_UPDATES)
    except SQLAlchemyError as exc:
        log.warning("web notifications unavailable (%s)", exc.__class__.__name__)
        return error(503, "unavailable")
    if items:  # what the page will show also comes back after a reload
        shown = [(i.id, i.text) for i in items]
        await s.turns.run(CHANNEL, session, lambda conv, req: history.record_notifications(conv, shown))
    return JSONResponse({"notifications": [{"id": i.id, "text": i.text, "dossier_code": i.dossier_code}
                                           for i in items]}, headers={"cache-control": "no-store"})


async def acknowledge(request: Request) -> Response:
    s = shared(request)
    if (refused := refuse_cross_site(request)) is not None:
        return refused
    data = _json_body(await request.body())
    if data is MALFORMED:
        s.metrics.rejected.inc("malformed_json")
        return error(400, "malformed_json")
    if not isinstance(data, dict) or not valid_session(data.get("session_id")):
        s.metrics.rejected.inc("invalid_session")
        return error(400, "invalid_session")
    ids = data.get("ids")
    if (not isinstance(ids, list) or len(ids) > MAX_UPDATES
            or not all(isinstance(i, int) and not isinstance(i, bool) and 0 < i < 2**62 for i in ids)):
        s.metrics.rejected.inc("invalid_request")
        return error(400, "invalid_request", f"Trường ids phải là danh sách tối đa {MAX_UPDATES} số nguyên dương.")
    if s.outbox is None:
        return JSONResponse({"acknowledged": 0})
    try:
        done = await s.turns.call(s.outbox.acknowledge, CHANNEL, data["session_id"], ids)
    except SQLAlchemyError as exc:
        log.warning("web notifications not acknowledged (%s)", exc.__class__.__name__)
        return error(503, "unavailable")
    return JSONResponse({"acknowledged": done})


async def config(request: Request) -> Response:
    s = shared(request)
    catalog = s.assistant.catalog
    codes: list[str] = []
    if s.demo:
        from assistant.dossiers.seed import DEMOS

        codes = [d.code for d in DEMOS if d.seq in DEMO_CODE_SEQS]
    return JSONResponse({
        "demo": s.demo,
        "locality": catalog.locality.name if catalog.locality else None,
        "catalog_version": str(catalog.version),
        "procedures": len(catalog),
        "suggestions": list(texts.SUGGESTIONS),
        "demo_codes": codes,
        "hotline": s.settings.hotline,
        "portal_url": s.settings.portal_url,
        "contact": s.assistant.brain.everyday.card(),  # the locality's one-stop, verified values only
    })


async def qr_png(request: Request) -> Response:
    from assistant.qr import procedure_url, qr_png_bytes

    s = shared(request)
    procedure_id = request.path_params["procedure_id"]
    if s.assistant.catalog.get(procedure_id) is None:
        return error(404, "unknown_procedure")
    png = qr_png_bytes(procedure_url(s.settings, procedure_id))
    return Response(png, media_type="image/png", headers={"cache-control": "public, max-age=3600"})


ROUTES: list[BaseRoute] = [
    Route("/api/chat", chat, methods=["POST"]),
    Route("/api/config", config, methods=["GET"]),
    Route("/api/history", recent_turns, methods=["GET"]),
    Route("/api/updates", updates, methods=["GET"]),
    Route("/api/updates/ack", acknowledge, methods=["POST"]),
    Route("/api/qr/{procedure_id}.png", qr_png, methods=["GET"]),
]


class WebChatChannel:
    """The web chat as a `channels.base.Channel`. Its notifications are not pushed: the page
    pulls them from the outbox (GET /api/updates) and confirms them, so no dispatcher runs and
    `deliver` is never called by one."""

    name = CHANNEL

    def __init__(self, rate_limit: int) -> None:
        self.rate_limit = rate_limit

    def routes(self) -> list[BaseRoute]:
        return list(ROUTES)

    async def start(self) -> None:
        """Nothing runs in the background: every request is one turn."""

    async def stop(self) -> None:
        """Nothing to stop; the server finishes in-flight requests itself."""

    async def deliver(self, chat_id: str, text: str) -> None:
        """Left in the outbox for the page to pull."""

    def health(self) -> dict[str, Any]:
        return {"rate_limit_per_minute": self.rate_limit}


def _json_body(body: bytes) -> Any:
    """The parsed body, or MALFORMED (RecursionError: absurdly deep nesting is malformed too)."""
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return MALFORMED


def _is_utf8(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _recorded(turn: Callable, kind: str, value: Any) -> Callable:
    """The turn, plus the page's view of it appended to the conversation's visible history."""

    def run(conv, req) -> Reply:
        reply = turn(conv, req)
        history.record(conv, kind, value, reply_json(reply))
        return reply

    return run


def _turn(assistant: Assistant, kind: str, value: Any) -> Callable:
    if kind == "text":
        return lambda conv, req: assistant.handle(value, conv, req)
    if kind == "action":
        return lambda conv, req: assistant.handle_action(value, conv, req)
    if kind == "procedure_id":
        return lambda conv, req: assistant.open_procedure(value, conv)

    def menu(conv, req) -> Reply:
        fields = assistant.field_menu()
        locality = assistant.catalog.locality
        text = texts.greeting(locality.name if locality else None)
        return Reply(status=Status.smalltalk, text=f"{text}\n{texts.MENU_LEAD}", buttons=fields.buttons,
                     data=fields.data)

    return menu


__all__ = ["CHANNEL", "ROUTES", "WebChatChannel", "reply_json", "wants_feedback"]
