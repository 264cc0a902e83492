"""The staff inbox at /staff: open handoff requests by age, the transcript, reply, claim,
close, and "add this question as an example of procedure X".

Server-rendered HTML forms (no script, so the page works under the site's strict CSP and on an
old office PC). Every state-changing request is a POST carrying a CSRF token derived from the
session (the login form's from a pre-login cookie), and is refused when the browser says it
came from another site (Origin / Sec-Fetch-Site). Sessions are random ids kept in the database
and sent signed in an HttpOnly, SameSite=Strict cookie; logging out deletes the row, so a
copied cookie stops working everywhere. Logins are throttled per account and per address.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import html
import logging
import os
import secrets
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from assistant.config import Settings
from assistant.core import Assistant
from assistant.handoff import texts as htexts
from assistant.handoff.accounts import CookieSigner, LoginResult, Staff, StaffAccounts
from assistant.handoff.desk import to_local
from assistant.handoff.retention import run_forever
from assistant.handoff.store import HandoffStore, RequestView
from assistant.store import QuestionLog
from assistant.store.repos import utcnow
from assistant.text.normalize import normalize

log = logging.getLogger(__name__)

COOKIE = "tthc_staff"
PRE_COOKIE = "tthc_staff_pre"
LOGIN_ATTEMPTS_PER_ADDRESS = 10  # failed logins per 15 minutes, whatever the account names tried
MAX_REPLY_CHARS = 4000
STAFF_FORM_BODY = 64 * 1024  # bytes: 4,000 Vietnamese characters are up to ~40 KB form-encoded
MAX_ID = 2**31 - 1  # an INTEGER column: a longer number in the path is no request
AUTHORS = {"citizen": "Người dân", "bot": "Trợ lý", "staff": "Cán bộ"}


def cookie_secret(settings: Settings) -> str:
    """ASSISTANT_STAFF_SECRET, or a random secret kept in the data directory (0600) and shared
    by the workers of this host. Never logged."""
    if settings.staff_secret:
        return settings.staff_secret
    path = Path(settings.data_dir) / "staff_secret"
    with contextlib.suppress(FileNotFoundError):
        existing = path.read_text(encoding="utf-8").strip()
        if existing:
            return existing
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another worker wrote it first
        time.sleep(0.05)
        return path.read_text(encoding="utf-8").strip()
    with open(fd, "w", encoding="utf-8") as handle:
        handle.write(secret)
    log.warning("ASSISTANT_STAFF_SECRET is not set: the staff inbox signs sessions with a secret kept in the "
                "data directory (set the variable when workers run on several hosts)")
    return secret


class FailureThrottle:
    """Failed logins per client address in a sliding window (in process; the per-account lock
    lives in the database). Only failures count: a commune office behind one address can log
    in all day, a guesser cannot."""

    def __init__(self, limit: int, window: float, max_keys: int = 10_000) -> None:
        self.limit = limit
        self.window = window
        self.max_keys = max_keys
        self._failures: dict[str, deque[float]] = {}

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures.get(key) or deque()
        while times and times[0] <= now - self.window:
            times.popleft()
        return times

    def retry_after(self, key: str) -> float:
        """Seconds until this address may try again; 0 when it may now."""
        now = time.monotonic()
        times = self._recent(key, now)
        return times[0] + self.window - now if len(times) >= self.limit else 0.0

    def fail(self, key: str) -> None:
        now = time.monotonic()
        if key not in self._failures and len(self._failures) >= self.max_keys:
            self._failures.pop(next(iter(self._failures)))
        times = self._recent(key, now)
        times.append(now)
        self._failures[key] = times


class StaffInbox:
    """The inbox's routes and background work (retention, metrics) for one web application."""

    def __init__(self, settings: Settings, assistant: Assistant, engine: Engine,
                 call: Callable[..., Any], metrics: Any = None) -> None:
        self.settings = settings
        self.assistant = assistant
        self.engine = engine
        self.call = call  # runs blocking database work off the event loop (the app's turn threads)
        self.accounts = StaffAccounts(engine)
        group = settings.handoff_chat_id if settings.telegram_token else None
        self.store = HandoffStore(engine, group=group)
        self._signer: CookieSigner | None = None
        self.address_throttle = FailureThrottle(LOGIN_ATTEMPTS_PER_ADDRESS, 900.0)
        self.secure = bool(settings.public_url and settings.public_url.startswith("https://"))
        self._stop = asyncio.Event()
        self._retention: asyncio.Task[None] | None = None
        self._gauge_cache: tuple[float, tuple[int, dt.datetime | None]] = (0.0, (0, None))
        if metrics is not None:
            metrics.gauge("tthc_handoff_open_requests", "Handoff requests waiting for or talking with a civil servant.",
                          lambda: [((), float(self._open_stats()[0]))])
            metrics.gauge("tthc_handoff_oldest_open_age_seconds", "Age of the oldest open handoff request.",
                          lambda: [((), self._oldest_age())])

    @property
    def signer(self) -> CookieSigner:
        """Built on the inbox's first use: a server nobody logs into writes no secret file."""
        if self._signer is None:
            self._signer = CookieSigner(cookie_secret(self.settings))
        return self._signer

    # -- lifecycle -------------------------------------------------------------------------------

    def routes(self) -> list[Route]:
        return [
            Route("/staff", self.inbox, methods=["GET"]),
            Route("/staff/login", self.login_form, methods=["GET"]),
            Route("/staff/login", self.login, methods=["POST"]),
            Route("/staff/logout", self.logout, methods=["POST"]),
            Route("/staff/requests/{request_id:int}", self.detail, methods=["GET"]),
            Route("/staff/requests/{request_id:int}/{verb}", self.act, methods=["POST"]),
        ]

    async def start(self) -> None:
        self._retention = asyncio.create_task(
            run_forever(self.engine, self.settings.transcript_retention_days, self._stop), name="handoff-retention")

    async def stop(self) -> None:
        self._stop.set()
        if self._retention is not None:
            self._retention.cancel()
            with contextlib.suppress(BaseException):
                await self._retention

    # -- metrics ---------------------------------------------------------------------------------

    def _open_stats(self) -> tuple[int, dt.datetime | None]:
        """Read at most every 5 s: a scrape must not become a database load."""
        stamp, value = self._gauge_cache
        if time.monotonic() - stamp > 5.0:
            try:
                value = self.store.oldest_open()
            except SQLAlchemyError:
                return value
            self._gauge_cache = (time.monotonic(), value)
        return value

    def _oldest_age(self) -> float:
        _, oldest = self._open_stats()
        return max(0.0, (utcnow() - oldest).total_seconds()) if oldest else 0.0

    # -- sessions --------------------------------------------------------------------------------

    async def _staff(self, request: Request) -> tuple[Staff, str] | None:
        session_id = self.signer.loads(request.cookies.get(COOKIE))
        if session_id is None:
            return None
        staff = await self.call(self.accounts.session, session_id)
        return (staff, session_id) if staff else None

    @staticmethod
    def _cross_site(request: Request) -> bool:
        """True when the browser tells us the post came from another site."""
        if request.headers.get("sec-fetch-site", "").lower() == "cross-site":
            return True
        origin = request.headers.get("origin")
        if origin and origin != "null":  # "null": a privacy-minded referrer policy; the CSRF token decides
            return urlsplit(origin).netloc.lower() != request.headers.get("host", "").lower()
        return False

    async def _form(self, request: Request) -> dict[str, str]:
        if "application/x-www-form-urlencoded" not in request.headers.get("content-type", ""):
            return {}
        body = (await request.body()).decode("utf-8", "replace")
        return {k: v[0] for k, v in parse_qs(body, keep_blank_values=True, max_num_fields=20).items()}

    def _set_cookie(self, response: Response, name: str, value: str, max_age: int | None) -> None:
        response.set_cookie(name, value, max_age=max_age, httponly=True, samesite="strict", secure=self.secure,
                            path="/staff")

    # -- login / logout --------------------------------------------------------------------------

    async def login_form(self, request: Request, message: str | None = None, status: int = 200) -> Response:
        pre = request.cookies.get(PRE_COOKIE)
        if not pre or len(pre) > 100:
            pre = secrets.token_urlsafe(24)
        body = f"""<h1>Đăng nhập hộp thư cán bộ</h1>
{f'<p class="error" role="alert">{html.escape(message)}</p>' if message else ''}
<form method="post" action="/staff/login" class="login">
<input type="hidden" name="csrf" value="{self.signer.csrf('pre:' + pre)}">
<label>Tài khoản <input name="name" autocomplete="username" required maxlength="40"></label>
<label>Mật khẩu <input name="password" type="password" autocomplete="current-password" required maxlength="200"></label>
<button type="submit">Đăng nhập</button>
</form>"""
        response = _page("Đăng nhập", body, status=status)
        self._set_cookie(response, PRE_COOKIE, pre, 3600)
        return response

    async def login(self, request: Request) -> Response:
        if self._cross_site(request):
            return _page("Bị từ chối", "<p>Yêu cầu từ trang khác bị từ chối.</p>", status=403)
        form = await self._form(request)
        pre = request.cookies.get(PRE_COOKIE, "")
        if not pre or not self.signer.csrf_ok("pre:" + pre, form.get("csrf")):
            return await self.login_form(request, "Phiên đăng nhập đã hết hạn, vui lòng đăng nhập lại.", 403)
        address = request.client.host if request.client else "?"
        wait = self.address_throttle.retry_after(address)
        if wait > 0:
            response = await self.login_form(
                request, f"Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {max(1, round(wait / 60))} phút.", 429)
            response.headers["retry-after"] = str(max(1, round(wait)))
            return response
        name, password = form.get("name", "").strip(), form.get("password", "")
        result, staff = await self.call(self.accounts.login, name, password[:200])
        if staff is None:
            self.address_throttle.fail(address)
        if result == LoginResult.locked:
            log.warning("staff login: account locked after repeated failures")
            return await self.login_form(request, "Tài khoản tạm khóa vì đăng nhập sai nhiều lần. "
                                                  "Vui lòng thử lại sau 15 phút.", 429)
        if staff is None:
            return await self.login_form(request, "Tài khoản hoặc mật khẩu không đúng.", 401)
        session_id = await self.call(self.accounts.new_session, staff)
        response = RedirectResponse("/staff", status_code=303)
        self._set_cookie(response, COOKIE, self.signer.dumps(session_id), None)
        response.delete_cookie(PRE_COOKIE, path="/staff")
        return response

    async def logout(self, request: Request) -> Response:
        who = await self._staff(request)
        if who is None or self._cross_site(request):
            return _forbidden()
        form = await self._form(request)
        if not self.signer.csrf_ok(who[1], form.get("csrf")):
            return _forbidden()
        await self.call(self.accounts.end_session, who[1])
        response = RedirectResponse("/staff/login", status_code=303)
        response.delete_cookie(COOKIE, path="/staff")
        return response

    # -- pages -----------------------------------------------------------------------------------

    async def inbox(self, request: Request) -> Response:
        who = await self._staff(request)
        if who is None:
            return RedirectResponse("/staff/login", status_code=303)
        staff, session_id = who
        closed = request.query_params.get("status") == "closed"
        requests = await self.call(self.store.list, "closed" if closed else "open", 200)
        now = utcnow()
        rows = "".join(self._row(r, now) for r in (reversed(requests) if closed else requests))
        tabs = ('<p><a href="/staff">Đang mở</a> · <a href="/staff?status=closed">Đã kết thúc</a></p>')
        body = f"""{self._header(staff, session_id)}
<h1>{'Yêu cầu đã kết thúc' if closed else f'Yêu cầu đang mở ({len(requests)})'}</h1>{tabs}
<table><thead><tr><th>Số</th><th>Kênh</th><th>Xã/phường</th><th>Mở lúc</th><th>Chờ</th><th>Người nhận</th>
<th>Trạng thái</th></tr></thead><tbody>{rows or '<tr><td colspan="7">Không có yêu cầu nào.</td></tr>'}</tbody></table>"""
        return _page("Hộp thư cán bộ", body, refresh=None if closed else 30)

    def _row(self, r: RequestView, now: dt.datetime) -> str:
        waited = _age((r.closed_at or now) - r.opened_at)
        state = "đã kết thúc" if not r.is_open else ("đã trả lời" if r.first_reply_at else "chờ trả lời")
        return (f'<tr><td><a href="/staff/requests/{r.id}">#{r.id}</a></td>'
                f"<td>{htexts.CHANNEL_NAMES.get(r.channel, html.escape(r.channel))}</td>"
                f"<td>{html.escape(r.locality or '—')}</td><td>{_local(r.opened_at)}</td><td>{waited}</td>"
                f"<td>{html.escape(r.claimed_by or '—')}</td><td>{state}</td></tr>")

    def _header(self, staff: Staff, session_id: str) -> str:
        return (f'<header><a href="/staff">Hộp thư cán bộ</a><span>{html.escape(staff.name)}</span>'
                f'<form method="post" action="/staff/logout"><input type="hidden" name="csrf" '
                f'value="{self.signer.csrf(session_id)}"><button type="submit">Đăng xuất</button></form></header>')

    async def detail(self, request: Request, notice: str | None = None, status: int = 200) -> Response:
        who = await self._staff(request)
        if who is None:
            return RedirectResponse("/staff/login", status_code=303)
        staff, session_id = who
        notice = notice or NOTICES.get(request.query_params.get("done", ""))
        request_id = int(request.path_params["request_id"])
        item = await self.call(self.store.get, request_id) if request_id <= MAX_ID else None
        if item is None:
            return _page("Không tìm thấy", f"{self._header(staff, session_id)}<p>Không có yêu cầu #{request_id}.</p>",
                         status=404)
        transcript = await self.call(self.store.transcript, request_id)
        csrf = self.signer.csrf(session_id)
        lines = "".join(
            f'<li class="{m.author}"><b>{AUTHORS.get(m.author, m.author)}'
            f'{" " + html.escape(m.staff_name) if m.staff_name else ""}</b> <time>{_local(m.at)}</time>'
            f"<p>{html.escape(m.text)}</p></li>" for m in transcript)
        questions = [m.text for m in transcript if m.author == "citizen"]
        hidden = f'<input type="hidden" name="csrf" value="{csrf}">'
        actions = ""
        if item.is_open:
            claim = "" if item.claimed_by else (
                f'<form method="post" action="/staff/requests/{request_id}/claim">{hidden}'
                '<button type="submit">Nhận xử lý</button></form>')
            actions = f"""<form method="post" action="/staff/requests/{request_id}/reply" class="reply">{hidden}
<input type="hidden" name="nonce" value="{secrets.token_urlsafe(12)}">
<label>Trả lời người dân (gửi qua {htexts.CHANNEL_NAMES.get(item.channel, item.channel)})
<textarea name="text" rows="5" maxlength="{MAX_REPLY_CHARS}" required></textarea></label>
<button type="submit">Gửi trả lời</button></form>
<div class="row">{claim}<form method="post" action="/staff/requests/{request_id}/close">{hidden}
<button type="submit">Kết thúc yêu cầu</button></form></div>"""
        options = "".join(f'<option value="{html.escape(p.id)}">{html.escape(p.display_name)}</option>'
                          for p in sorted(self.assistant.catalog.procedures.values(), key=lambda p: p.display_name))
        example = ""
        if questions:
            example = f"""<details><summary>Thêm câu hỏi này làm ví dụ cho một thủ tục</summary>
<form method="post" action="/staff/requests/{request_id}/example">{hidden}
<label>Câu hỏi <input name="question" value="{html.escape(questions[0][:300])}" maxlength="300" required></label>
<label>Thủ tục <select name="procedure_id">{options}</select></label>
<button type="submit">Ghi vào sổ câu hỏi để rà soát danh mục</button></form></details>"""
        state = ("đã kết thúc" + (f" ({html.escape(item.closed_by or '')})" if item.closed_by else "")
                 if not item.is_open else ("đã trả lời" if item.first_reply_at else "chờ trả lời"))
        body = f"""{self._header(staff, session_id)}
{f'<p class="notice" role="status">{html.escape(notice)}</p>' if notice else ''}
<h1>Yêu cầu #{request_id}</h1>
<p>Kênh: {htexts.CHANNEL_NAMES.get(item.channel, html.escape(item.channel))} · Xã/phường:
{html.escape(item.locality or '—')} · Mở lúc {_local(item.opened_at)} · Người nhận: {html.escape(item.claimed_by or '—')}
· Trạng thái: {state}</p>
<ol class="transcript">{lines}</ol>{actions}{example}"""
        return _page(f"Yêu cầu #{request_id}", body, status=status)

    async def act(self, request: Request) -> Response:
        who = await self._staff(request)
        if who is None or self._cross_site(request):
            return _forbidden()
        staff, session_id = who
        form = await self._form(request)
        if not self.signer.csrf_ok(session_id, form.get("csrf")):
            return _forbidden()
        request_id = int(request.path_params["request_id"])
        verb = request.path_params["verb"]
        if request_id > MAX_ID:
            return _page("Không tìm thấy", "<p>Không có yêu cầu này.</p>", status=404)
        if verb == "reply":
            text = form.get("text", "").strip()
            if not text:
                return await self.detail(request, "Câu trả lời đang trống.", 400)
            if len(text) > MAX_REPLY_CHARS:
                return await self.detail(request, f"Câu trả lời dài quá {MAX_REPLY_CHARS} ký tự.", 400)
            nonce = form.get("nonce", "")[:40] or None
            outcome = await self.call(lambda: self.store.reply(request_id, staff.name, text,
                                                               key=f"web:{nonce}" if nonce else None))
        elif verb == "claim":
            outcome = "ok" if await self.call(self.store.claim, request_id, staff.name) else "no"
        elif verb == "close":
            outcome = "ok" if await self.call(lambda: self.store.close(request_id, staff.name)) else "no"
        elif verb == "example":
            question = form.get("question", "").strip()[:300]
            procedure = self.assistant.catalog.get(form.get("procedure_id", ""))
            if not question or procedure is None:
                return await self.detail(request, "Cần câu hỏi và một thủ tục trong danh mục.", 400)
            await self.call(QuestionLog(self.engine).add, question, normalize(question), "example",
                            [{"id": procedure.id, "score": 100.0}], "staff", None)
            outcome = "ok"
        else:
            return _page("Không tìm thấy", "<p>Không có thao tác này.</p>", status=404)
        log.info("staff inbox: %s on request %s: %s", verb, request_id, outcome)
        return RedirectResponse(f"/staff/requests/{request_id}?done={verb}-{outcome}", status_code=303)


NOTICES = {
    "reply-sent": "Đã gửi câu trả lời; người dân sẽ nhận trên kênh của họ.",
    "reply-duplicate": "Câu trả lời này đã được gửi trước đó (không gửi lại).",
    "reply-closed": "Yêu cầu đã kết thúc, không gửi được.",
    "reply-missing": "Không có yêu cầu này.",
    "claim-ok": "Bạn đã nhận xử lý yêu cầu này.",
    "claim-no": "Yêu cầu đã có người nhận hoặc đã kết thúc.",
    "close-ok": "Đã kết thúc yêu cầu; người dân được báo là trợ lý trả lời tiếp.",
    "close-no": "Yêu cầu đã kết thúc từ trước.",
    "example-ok": "Đã ghi câu hỏi làm ví dụ vào sổ câu hỏi, để rà soát danh mục lần tới.",
}


def _local(moment: dt.datetime | None) -> str:
    return f"{to_local(moment):%H:%M %d/%m/%Y}" if moment else "—"


def _age(delta: dt.timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 60:
        return f"{minutes} phút"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} giờ {minutes} phút"
    return f"{hours // 24} ngày {hours % 24} giờ"


def _forbidden() -> Response:
    return _page("Bị từ chối", '<p>Bạn cần <a href="/staff/login">đăng nhập</a> lại để làm thao tác này.</p>',
                 status=403)


def _page(title: str, body: str, *, status: int = 200, refresh: int | None = None) -> HTMLResponse:
    meta = f'<meta http-equiv="refresh" content="{refresh}">' if refresh else ""
    return HTMLResponse(f"""<!doctype html><html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">{meta}
<title>{html.escape(title)} · Trợ lý TTHC</title><link rel="stylesheet" href="/static/staff.css"></head>
<body><main>{body}</main></body></html>""", status_code=status,
                        headers={"cache-control": "no-store", "x-robots-tag": "noindex",
                                 # The site sends no referrer at all, which makes browsers post forms
                                 # with "Origin: null"; same-origin keeps the inbox's Origin checkable.
                                 "referrer-policy": "same-origin"})


__all__ = ["COOKIE", "STAFF_FORM_BODY", "StaffInbox", "cookie_secret"]
