"""The web server: chat page, JSON API, health, metrics, and the Zalo and Telegram webhooks.

One Starlette application built by `create_app(settings, assistant, engine, ...)`. Channel
adapters stay thin: the chat API turns a JSON request into one core call and returns the
`Reply` as JSON; the page (plain HTML/CSS/JS in `static/`, no build step) renders it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.channels.ratelimit import SlidingWindowLimiter
from assistant.config import Settings
from assistant.core import Assistant
from assistant.dialogue.actions import feedback_action
from assistant.dialogue.reply import Reply, Status
from assistant.store import Outbox
from assistant.store.question_buffer import QuestionLogBuffer
from assistant.web import history, texts
from assistant.web.limits import (
    MAX_CHAT_BODY,
    MAX_TEXT_CHARS,
    MAX_WEBHOOK_BODY,
    BodyLimit,
    is_json_media_type,
    same_origin,
    valid_session,
)
from assistant.web.metrics import Metrics
from assistant.web.openapi import openapi_document
from assistant.web.state import ConversationTurns

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static"
CHANNEL = "web"
AUTO: Any = object()
HEALTH_TIMEOUT = 3.0
MAX_UPDATES = 20  # notifications per poll (and ids per acknowledgement)
DEMO_CODE_SEQS = (1, 3, 4, 6, 8)  # in progress, supplement requested, late with a new date, resolved, returned
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'")
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    (b"content-security-policy", CSP.encode()),
]


def error(status: int, code: str, message: str | None = None, *, headers: dict[str, str] | None = None,
          **extra: Any) -> JSONResponse:
    """A JSON error: a machine-readable code and a Vietnamese sentence the page can show."""
    return JSONResponse({"error": code, "message": message or texts.ERRORS.get(code, code), **extra},
                        status_code=status, headers=headers)


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


class Observe:
    """ASGI middleware: security headers on every response, request counts and latency by route
    template (never by raw path, which would let clients create unbounded label values)."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(name, value) for name, value in SECURITY_HEADERS if name not in present]
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            self.metrics.http_requests.inc(template, str(status))
            self.metrics.http_seconds.observe(time.perf_counter() - started, template)


def _demo_default() -> bool:
    return os.environ.get("ASSISTANT_DEMO", "1") != "0"


def create_app(
    settings: Settings,
    assistant: Assistant,
    engine: Engine | None,
    *,
    zalo: Any = AUTO,
    telegram: Any = AUTO,
    demo: bool | None = None,
    rate_limit: int = 30,
    metrics: Metrics | None = None,
    turns: ConversationTurns | None = None,
    watch_catalog: bool = False,
    question_log: QuestionLogBuffer | None = None,
    migrate_later: bool = False,
    retention: bool = True,
) -> Starlette:
    """The web application.

    `zalo`: a `ZaloChannel`, None (off), or AUTO (on when ZALO_* settings are present; the webhook
    route needs ZALO_OA_SECRET_KEY). `telegram`: a PTB Application in webhook mode, None, or AUTO
    (built when TELEGRAM_BOT_TOKEN and TELEGRAM_WEBHOOK_URL are set). `rate_limit`: chat messages
    per minute per session (0 disables). `watch_catalog`: hot-reload the catalogue in this process
    (worker processes started by `serve --workers N`; the single-process runner has its own).
    `question_log`: a batching question log this app starts and flushes on shutdown.
    `migrate_later`: the database was down at start-up; keep trying to migrate it in the background.
    `retention`: delete data past its retention period daily (assistant.store.retention).
    """
    metrics = metrics or Metrics()
    metrics.attach(assistant)
    own_turns = turns is None
    turns = turns or ConversationTurns(engine)
    demo = _demo_default() if demo is None else demo
    limiter = SlidingWindowLimiter(limit=rate_limit, window=60.0) if rate_limit > 0 else None

    if zalo is AUTO:
        zalo = _auto_zalo(settings, assistant, engine, turns, metrics)
    if telegram is AUTO:
        telegram = _auto_telegram(settings, assistant, engine)

    # -- endpoints -------------------------------------------------------------------------------

    async def index(request: Request) -> Response:
        return FileResponse(STATIC_DIR / "index.html", headers={"cache-control": "no-cache"})

    def refuse_cross_site(request: Request) -> Response | None:
        """State-changing API calls: another site must not post with a visitor's browser."""
        if not same_origin(request.headers, settings.public_url):
            metrics.rejected.inc("forbidden_origin")
            return error(403, "forbidden_origin")
        if not is_json_media_type(request.headers.get("content-type")):
            metrics.rejected.inc("unsupported_media_type")
            return error(415, "unsupported_media_type")
        return None

    async def chat(request: Request) -> Response:
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
        if limiter is not None:
            decision = limiter.hit(f"{CHANNEL}:{session}")
            if not decision.allowed:
                metrics.rate_limited.inc(CHANNEL)
                wait = max(1, round(decision.retry_after))
                return error(429, "rate_limited", texts.too_fast(decision.retry_after), retry_after=wait,
                             headers={"retry-after": str(wait)})
        # The page picks its own session id, so the client address also counts for the unknown-code
        # throttle (behind a proxy uvicorn takes it from X-Forwarded-For of a trusted proxy).
        origin = request.client.host if request.client else None
        reply, seconds = await turns.run(CHANNEL, session, _recorded(_turn(assistant, kind, value), kind, value),
                                         origin)
        metrics.turn_seconds.observe(seconds, CHANNEL)
        if kind != "text":
            metrics.actions.inc(CHANNEL, reply.status.value)
        return JSONResponse(reply_json(reply), headers={"cache-control": "no-store"})

    async def recent_turns(request: Request) -> Response:
        """What the page showed in this session, so a reload draws the conversation again."""
        session = request.query_params.get("session_id")
        if not valid_session(session):
            metrics.rejected.inc("invalid_session")
            return error(400, "invalid_session")
        state = await turns.call(turns.state, CHANNEL, session)
        return JSONResponse({"turns": history.recent(state)}, headers={"cache-control": "no-store"})

    outbox = Outbox(engine) if engine is not None else None

    async def updates(request: Request) -> Response:
        """Dossier notifications waiting for this session ("theo dõi <mã>" in the web chat). The
        page asks on load and every little while, shows them, then acknowledges them: a
        notification stays in the outbox until the page confirms it was shown."""
        session = request.query_params.get("session_id")
        if not valid_session(session):
            metrics.rejected.inc("invalid_session")
            return error(400, "invalid_session")
        if outbox is None:
            return JSONResponse({"notifications": []}, headers={"cache-control": "no-store"})
        try:
            items = await turns.call(outbox.waiting_for, CHANNEL, session, MAX_UPDATES)
        except SQLAlchemyError as exc:
            log.warning("web notifications unavailable (%s)", exc.__class__.__name__)
            return error(503, "unavailable")
        if items:  # what the page will show also comes back after a reload
            shown = [(i.id, i.text) for i in items]
            await turns.run(CHANNEL, session, lambda conv, req: history.record_notifications(conv, shown))
        return JSONResponse({"notifications": [{"id": i.id, "text": i.text, "dossier_code": i.dossier_code}
                                               for i in items]}, headers={"cache-control": "no-store"})

    async def acknowledge(request: Request) -> Response:
        if (refused := refuse_cross_site(request)) is not None:
            return refused
        data = _json_body(await request.body())
        if data is MALFORMED:
            metrics.rejected.inc("malformed_json")
            return error(400, "malformed_json")
        if not isinstance(data, dict) or not valid_session(data.get("session_id")):
            metrics.rejected.inc("invalid_session")
            return error(400, "invalid_session")
        ids = data.get("ids")
        if (not isinstance(ids, list) or len(ids) > MAX_UPDATES
                or not all(isinstance(i, int) and not isinstance(i, bool) and 0 < i < 2**62 for i in ids)):
            metrics.rejected.inc("invalid_request")
            return error(400, "invalid_request", f"Trường ids phải là danh sách tối đa {MAX_UPDATES} số nguyên dương.")
        if outbox is None:
            return JSONResponse({"acknowledged": 0})
        try:
            done = await turns.call(outbox.acknowledge, CHANNEL, data["session_id"], ids)
        except SQLAlchemyError as exc:
            log.warning("web notifications not acknowledged (%s)", exc.__class__.__name__)
            return error(503, "unavailable")
        return JSONResponse({"acknowledged": done})

    async def config(request: Request) -> Response:
        catalog = assistant.catalog
        codes: list[str] = []
        if demo:
            from assistant.dossiers.seed import DEMOS

            codes = [d.code for d in DEMOS if d.seq in DEMO_CODE_SEQS]
        return JSONResponse({
            "demo": demo,
            "locality": catalog.locality.name if catalog.locality else None,
            "catalog_version": str(catalog.version),
            "procedures": len(catalog),
            "suggestions": list(texts.SUGGESTIONS),
            "demo_codes": codes,
            "hotline": settings.hotline,
            "portal_url": settings.portal_url,
            "contact": assistant.brain.everyday.card(),  # the locality's one-stop, verified values only
        })

    async def qr_png(request: Request) -> Response:
        from assistant.qr import procedure_url, qr_png_bytes

        procedure_id = request.path_params["procedure_id"]
        if assistant.catalog.get(procedure_id) is None:
            return error(404, "unknown_procedure")
        png = qr_png_bytes(procedure_url(settings, procedure_id))
        return Response(png, media_type="image/png", headers={"cache-control": "public, max-age=3600"})

    async def healthz(request: Request) -> Response:
        catalog = assistant.catalog
        catalog_info = {"ok": len(catalog) > 0, "procedures": len(catalog), "version": str(catalog.version),
                        "locality": catalog.locality.name if catalog.locality else None}
        database = await _check_database(engine)
        healthy = catalog_info["ok"] and database.get("ok", False) is not False
        attention = _catalog_attention(assistant, catalog_info)
        status = "ok" if healthy and not attention else "degraded"
        body = {"status": status, "database": database, "catalog": catalog_info}
        # Still serving (the last good catalogue) is 200: a balancer must not pull every worker out
        # for a staff member's typo; the body says "degraded" and which file:line to fix.
        return JSONResponse(body, status_code=200 if healthy else 503, headers={"cache-control": "no-store"})

    async def metrics_endpoint(request: Request) -> Response:
        return Response(metrics.render(), media_type=Metrics.CONTENT_TYPE, headers={"cache-control": "no-store"})

    async def openapi(request: Request) -> Response:
        return JSONResponse(openapi_document(settings.public_url))

    async def zalo_webhook(request: Request) -> Response:
        status = await zalo.handle_webhook(request.headers, await request.body())
        if status == 200:
            return JSONResponse({"received": True})
        if status == 401:
            return error(401, "unauthorized", "Chữ ký X-ZEvent-Signature thiếu hoặc không đúng.")
        return error(status, "busy", "Hệ thống đang bận, vui lòng gửi lại sau.")

    async def telegram_webhook(request: Request) -> Response:
        from assistant.channels.telegram import handle_webhook

        status = await handle_webhook(telegram, request.headers, await request.body())
        return Response(status_code=status)

    routes = [
        Route("/", index, methods=["GET"]),
        Route("/api/chat", chat, methods=["POST"]),
        Route("/api/config", config, methods=["GET"]),
        Route("/api/history", recent_turns, methods=["GET"]),
        Route("/api/updates", updates, methods=["GET"]),
        Route("/api/updates/ack", acknowledge, methods=["POST"]),
        Route("/api/qr/{procedure_id}.png", qr_png, methods=["GET"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/metrics", metrics_endpoint, methods=["GET"]),
        Route("/openapi.json", openapi, methods=["GET"]),
        Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
    ]
    staff = None
    if engine is not None:  # the staff inbox and handoff numbers (assistant/web/staff.py)
        from assistant.web.staff import STAFF_FORM_BODY, StaffInbox

        staff = StaffInbox(settings, assistant, engine, turns.call, metrics)
        routes.extend(staff.routes())
    webhook_paths: set[str] = set()
    if zalo is not None and zalo.webhook_enabled:
        routes.append(Route("/zalo/webhook", zalo_webhook, methods=["POST"]))
        webhook_paths.add("/zalo/webhook")
    elif zalo is not None:
        log.warning("Zalo: ZALO_OA_SECRET_KEY is not set, so the webhook is not mounted (nothing could be verified)")
    if telegram is not None:
        from assistant.channels.telegram import webhook_path

        path = webhook_path(settings)
        routes.append(Route(path, telegram_webhook, methods=["POST"]))
        webhook_paths.add(path)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        watcher = None
        if watch_catalog:
            from assistant.catalog.watch import CatalogWatcher

            watcher = CatalogWatcher(settings.catalog_dir, assistant.reload)
            watcher.start()
            assistant.watcher = watcher
        if question_log is not None:
            question_log.start()
        retention_task = None
        if retention and engine is not None:
            from assistant.store.retention import RetentionTask

            retention_task = RetentionTask(engine, settings)
            retention_task.start()
        migration_stop = asyncio.Event()
        migration = None
        if migrate_later and engine is not None:
            from assistant.runner import migrate_when_available

            migration = asyncio.create_task(migrate_when_available(engine, assistant, migration_stop))
        if zalo is not None:
            await zalo.start()
        telegram_task = asyncio.create_task(_start_telegram(telegram)) if telegram is not None else None
        if staff is not None:
            await staff.start()
        try:
            yield
        finally:
            if staff is not None:
                await staff.stop()
            if telegram_task is not None:
                telegram_task.cancel()
                with contextlib.suppress(BaseException):
                    await telegram_task
                await _stop_telegram(telegram)
            if zalo is not None:
                await zalo.stop()
            if watcher is not None:
                watcher.stop()
            if retention_task is not None:
                await retention_task.stop()
            migration_stop.set()
            if migration is not None:
                with contextlib.suppress(Exception):
                    await migration
            if question_log is not None:
                await asyncio.to_thread(question_log.close)
            if own_turns:
                turns.close()

    def limit_for(path: str) -> int:
        if path in webhook_paths:
            return MAX_WEBHOOK_BODY
        if staff is not None and path.startswith("/staff/"):
            return STAFF_FORM_BODY  # a long reply in Vietnamese, form-encoded
        return MAX_CHAT_BODY

    async def not_found(request: Request, exc: Exception) -> Response:
        return error(404, "not_found")

    async def method_not_allowed(request: Request, exc: Exception) -> Response:
        allow = getattr(exc, "headers", None) or {}
        response = error(405, "method_not_allowed")
        if "Allow" in allow:
            response.headers["allow"] = allow["Allow"]
        return response

    async def http_error(request: Request, exc: Exception) -> Response:
        status = getattr(exc, "status_code", 500)
        return error(status, "http_error", str(getattr(exc, "detail", "")) or None)

    async def internal(request: Request, exc: Exception) -> Response:
        log.error("unhandled error on %s", request.url.path, exc_info=exc)
        return error(500, "internal_error")

    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        exception_handlers={404: not_found, 405: method_not_allowed, HTTPException: http_error,
                            Exception: internal},
    )
    app.add_middleware(BodyLimit, limit_for=limit_for, message=texts.ERRORS["payload_too_large"],
                       on_reject=lambda: metrics.rejected.inc("payload_too_large"))
    app.add_middleware(Observe, metrics=metrics)
    app.state.settings = settings
    app.state.assistant = assistant
    app.state.engine = engine
    app.state.metrics = metrics
    app.state.turns = turns
    app.state.zalo = zalo
    app.state.telegram = telegram
    app.state.limiter = limiter
    return app


MALFORMED: Any = object()


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


def _recorded(turn: Callable, kind: str, value: Any) -> Callable:
    """The turn, plus the page's view of it appended to the conversation's visible history."""

    def run(conv, req) -> Reply:
        reply = turn(conv, req)
        payload = reply_json(reply)
        history.record(conv, kind, value, payload)
        return reply

    return run


def _catalog_attention(assistant: Assistant, info: dict[str, Any]) -> bool:
    """Add to `info` why the served catalogue needs a look: an edit refused (file:line) or a
    watcher that stopped (later edits would never be loaded). True when there is something."""
    problems = [str(p) for p in getattr(assistant, "refused", [])[:20]]
    watcher = getattr(assistant, "watcher", None)
    if watcher is not None:
        state = watcher.status()
        info["watcher"] = {"running": state["running"]}
        problems += [p for p in state["problems"] if p not in problems]
        if not state["running"]:
            problems.append(f"{watcher.directory}:1: catalogue watcher stopped; edits are not being loaded")
    if problems:
        info["problems"] = problems
    return bool(problems)


async def _check_database(engine: Engine | None) -> dict[str, Any]:
    if engine is None:
        return {"ok": None, "configured": False}

    def ping() -> None:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")

    try:
        await asyncio.wait_for(asyncio.to_thread(ping), HEALTH_TIMEOUT)
    except TimeoutError:
        return {"ok": False, "error": "timeout"}
    except Exception as exc:
        return {"ok": False, "error": exc.__class__.__name__}
    return {"ok": True, "backend": engine.dialect.name}


def _auto_zalo(settings: Settings, assistant: Assistant, engine: Engine | None, turns: ConversationTurns,
               metrics: Metrics) -> Any:
    if not (settings.zalo_oa_secret_key or settings.zalo_access_token or settings.zalo_refresh_token):
        return None
    from assistant.channels.zalo import ZaloChannel

    return ZaloChannel(settings, assistant, engine, turns=turns, metrics=metrics)


def _auto_telegram(settings: Settings, assistant: Assistant, engine: Engine | None) -> Any:
    if not (settings.telegram_token and settings.telegram_webhook_url):
        return None
    try:
        from assistant.channels.telegram import build_application
    except ImportError as exc:
        log.error("Telegram webhook mode requested but the Telegram channel is unavailable: %s", exc)
        return None
    return build_application(settings, assistant, engine)


async def _start_telegram(application: Any) -> None:
    """Register the webhook with Telegram; retried with a growing pause while Telegram is
    unreachable, so the web chat never waits for it."""
    from assistant.channels.telegram import start_webhook, stop_application

    pause = 1.0
    while True:
        try:
            await start_webhook(application)
            return
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("telegram webhook not registered (%s); retrying in %.0fs", exc.__class__.__name__, pause)
            with contextlib.suppress(Exception):
                await stop_application(application)
            await asyncio.sleep(pause)
            pause = min(60.0, pause * 2)


async def _stop_telegram(application: Any) -> None:
    from assistant.channels.telegram import stop_application

    try:
        await stop_application(application)
    except Exception as exc:
        log.debug("telegram stop: %s", exc.__class__.__name__)


__all__ = ["AUTO", "create_app", "reply_json", "wants_feedback"]
