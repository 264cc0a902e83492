"""Handoff requests in the database: open, relay, reply, claim, close, list, forget.

Every reply a citizen must receive is written to the outbox in the SAME transaction as the
transcript line, so it is sent exactly once by whichever worker's dispatcher claims it (web
chat: pulled by /api/updates), also hours later or after a restart. A staff reply carries an
idempotency key (the inbox form's nonce, the Telegram message id): a second submit or a
redelivered webhook finds the key taken and changes nothing.

Posts to the Telegram staff group go through the outbox as well (channel "telegram", the
group's chat id), so the group sees the same state as the inbox whoever acted.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, and_, delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from assistant.handoff import texts
from assistant.handoff.models import HandoffMessage, HandoffRequest, StaffSession
from assistant.store.models import OutboxRow
from assistant.store.repos import utcnow

MAX_TEXT = 4000  # characters of one transcript line (Telegram's message limit, less the header)


@dataclass(frozen=True, slots=True)
class RequestView:
    id: int
    channel: str
    chat_id: str
    locality: str | None
    status: str
    opened_at: dt.datetime
    claimed_by: str | None
    first_reply_at: dt.datetime | None
    closed_at: dt.datetime | None
    closed_by: str | None
    updated_at: dt.datetime

    @property
    def is_open(self) -> bool:
        return self.status == "open"

    def to_json(self) -> dict[str, Any]:
        """What `handoff list --json` prints: no chat id (staff do not need it)."""
        return {"id": self.id, "channel": self.channel, "locality": self.locality, "status": self.status,
                "opened_at": _iso(self.opened_at), "claimed_by": self.claimed_by,
                "first_reply_at": _iso(self.first_reply_at), "closed_at": _iso(self.closed_at)}


@dataclass(frozen=True, slots=True)
class MessageView:
    id: int
    author: str  # citizen | bot | staff
    staff_name: str | None
    text: str
    at: dt.datetime


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") + "Z" if moment else None


_R = HandoffRequest.__table__
_M = HandoffMessage.__table__
_O = OutboxRow.__table__
_REQUEST_COLUMNS = [_R.c[name] for name in RequestView.__dataclass_fields__]


class HandoffStore:
    """`group`: the Telegram staff group's chat id, or None when no group is configured."""

    def __init__(self, engine: Engine, group: str | None = None, clock: Callable[[], dt.datetime] = utcnow) -> None:
        self.engine = engine
        self.group = group
        self.clock = clock

    # -- reading -------------------------------------------------------------------------------

    def get(self, request_id: int) -> RequestView | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(*_REQUEST_COLUMNS).where(_R.c.id == request_id)).first()
        return RequestView(*row) if row else None

    def open_for(self, channel: str, chat_id: str) -> RequestView | None:
        """The open request of one chat (at most one is kept open per chat)."""
        with self.engine.connect() as conn:
            row = conn.execute(select(*_REQUEST_COLUMNS).where(
                _R.c.channel == channel, _R.c.chat_id == str(chat_id), _R.c.status == "open")
                .order_by(_R.c.id.desc()).limit(1)).first()
        return RequestView(*row) if row else None

    def list(self, status: str | None = "open", limit: int = 200) -> list[RequestView]:
        """Oldest first: the one waiting longest is answered first."""
        query = select(*_REQUEST_COLUMNS).order_by(_R.c.opened_at, _R.c.id).limit(limit)
        if status:
            query = query.where(_R.c.status == status)
        with self.engine.connect() as conn:
            return [RequestView(*row) for row in conn.execute(query)]

    def transcript(self, request_id: int) -> list[MessageView]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(_M.c.id, _M.c.author, _M.c.staff_name, _M.c.text, _M.c.at)
                                .where(_M.c.request_id == request_id).order_by(_M.c.id))
            return [MessageView(*row) for row in rows]

    def position(self, request_id: int) -> int | None:
        """1-based place among open requests nobody has answered yet; None once answered/closed."""
        with self.engine.connect() as conn:
            row = conn.execute(select(_R.c.opened_at, _R.c.status, _R.c.first_reply_at)
                               .where(_R.c.id == request_id)).first()
            if row is None or row.status != "open" or row.first_reply_at is not None:
                return None
            ahead = conn.execute(select(func.count()).select_from(_R).where(
                _R.c.status == "open", _R.c.first_reply_at.is_(None),
                or_(_R.c.opened_at < row.opened_at, and_(_R.c.opened_at == row.opened_at, _R.c.id < request_id)),
            )).scalar_one()
        return int(ahead) + 1

    def oldest_open(self) -> tuple[int, dt.datetime | None]:
        """How many requests are open and when the oldest was opened (for /metrics)."""
        with self.engine.connect() as conn:
            count, oldest = conn.execute(select(func.count(), func.min(_R.c.opened_at))
                                         .where(_R.c.status == "open")).one()
        return int(count), oldest

    def first_reply_minutes(self, minutes_between: Callable[[dt.datetime, dt.datetime], float],
                            since: dt.datetime | None = None, limit: int = 20) -> list[float]:
        """Office minutes from opening to first reply of the most recent answered requests."""
        query = (select(_R.c.opened_at, _R.c.first_reply_at).where(_R.c.first_reply_at.is_not(None))
                 .order_by(_R.c.first_reply_at.desc()).limit(limit))
        if since is not None:
            query = query.where(_R.c.first_reply_at >= since)
        with self.engine.connect() as conn:
            return [minutes_between(a, b) for a, b in conn.execute(query)]

    def usual_minutes(self, minutes_between: Callable[[dt.datetime, dt.datetime], float],
                      min_samples: int = 3) -> int | None:
        """The median office minutes to a first reply over the last 20 answered requests of the
        last 30 days; None when fewer than `min_samples` exist (no promise without evidence)."""
        samples = self.first_reply_minutes(minutes_between, self.clock() - dt.timedelta(days=30))
        if len(samples) < min_samples:
            return None
        return max(1, round(statistics.median(samples)))

    # -- writing -------------------------------------------------------------------------------

    def open(self, channel: str, chat_id: str, locality: str | None,
             transcript: list[tuple[str, str]]) -> tuple[RequestView, bool]:
        """Open a request for this chat with the conversation so far (author, text); an already
        open request of the chat is returned instead (False: not newly opened)."""
        existing = self.open_for(channel, chat_id)
        if existing is not None:
            return existing, False
        now = self.clock()
        try:
            with self.engine.begin() as conn:
                request_id = int(conn.execute(insert(_R).values(
                    channel=channel, chat_id=str(chat_id), locality=locality, status="open", opened_at=now,
                    updated_at=now)).inserted_primary_key[0])
                lines = [(a, t[:MAX_TEXT]) for a, t in transcript if t and t.strip()]
                for author, text in lines:
                    conn.execute(insert(_M).values(request_id=request_id, author=author, text=text, at=now))
                self._to_group(conn, texts.group_new(request_id, channel, locality, lines[-8:]), now)
        except IntegrityError:  # another worker opened this chat's request a moment ago
            raced = self.open_for(channel, chat_id)
            if raced is None:
                raise
            return raced, False
        view = self.get(request_id)
        assert view is not None
        return view, True

    def add_citizen_message(self, request_id: int, text: str) -> bool:
        """A message the citizen sent while the request is open. False when it is no longer open."""
        now = self.clock()
        with self.engine.begin() as conn:
            row = conn.execute(select(_R.c.channel, _R.c.locality).where(
                _R.c.id == request_id, _R.c.status == "open")).first()
            if row is None:
                return False
            conn.execute(insert(_M).values(request_id=request_id, author="citizen", text=text[:MAX_TEXT], at=now))
            conn.execute(update(_R).where(_R.c.id == request_id).values(updated_at=now))
            self._to_group(conn, texts.group_followup(request_id, row.channel, row.locality, text[:MAX_TEXT]), now)
        return True

    def reply(self, request_id: int, staff: str, text: str, *, key: str | None = None,
              via: str = "hộp thư") -> str:
        """A civil servant's answer, queued for the citizen's channel in the same transaction.

        Returns "sent", "duplicate" (this key was already used: nothing sent again), "closed" or
        "missing". `via` names where it was written, for the staff group's note."""
        text = text.strip()[:MAX_TEXT]
        if not text:
            raise ValueError("empty reply")
        now = self.clock()
        try:
            with self.engine.begin() as conn:
                row = conn.execute(select(_R.c.channel, _R.c.chat_id, _R.c.status)
                                   .where(_R.c.id == request_id)).first()
                if row is None:
                    return "missing"
                if key is not None and conn.execute(select(_M.c.id).where(
                        _M.c.request_id == request_id, _M.c.client_key == key)).first() is not None:
                    return "duplicate"
                if row.status != "open":
                    return "closed"
                conn.execute(insert(_M).values(request_id=request_id, author="staff", staff_name=staff[:80],
                                               text=text, at=now, client_key=key))
                changed = conn.execute(update(_R).where(_R.c.id == request_id, _R.c.status == "open").values(
                    first_reply_at=func.coalesce(_R.c.first_reply_at, now),
                    claimed_by=func.coalesce(_R.c.claimed_by, staff[:80]), updated_at=now)).rowcount
                if changed != 1:  # closed by someone else meanwhile
                    raise _Closed
                _queue(conn, row.channel, row.chat_id, texts.staff_reply(text), now)
                if via != "Telegram":
                    self._to_group(conn, texts.group_replied(request_id, staff, via, text), now)
        except _Closed:
            return "closed"
        except IntegrityError:  # the same key raced in from another worker
            return "duplicate"
        return "sent"

    def claim(self, request_id: int, staff: str) -> bool:
        """Take a request so colleagues see who answers it; a claim by someone else stays."""
        with self.engine.begin() as conn:
            return conn.execute(update(_R).where(
                _R.c.id == request_id, _R.c.status == "open",
                or_(_R.c.claimed_by.is_(None), _R.c.claimed_by == staff[:80]),
            ).values(claimed_by=staff[:80], updated_at=self.clock())).rowcount == 1

    def close(self, request_id: int, by: str, *, citizen: bool = False, via: str = "hộp thư") -> bool:
        """Close an open request. Staff closing tells the citizen the bot is back; a citizen
        closing ("quay lại trợ lý") is answered in their own turn. False when not open."""
        now = self.clock()
        with self.engine.begin() as conn:
            row = conn.execute(select(_R.c.channel, _R.c.chat_id).where(
                _R.c.id == request_id, _R.c.status == "open")).first()
            if row is None:
                return False
            changed = conn.execute(update(_R).where(_R.c.id == request_id, _R.c.status == "open").values(
                status="closed", closed_at=now, closed_by=by[:80], updated_at=now)).rowcount
            if changed != 1:
                return False
            if not citizen:
                _queue(conn, row.channel, row.chat_id, texts.CLOSED_BY_STAFF, now)
            who = "người dân quay lại trợ lý" if citizen else f"{by}, {via}"
            self._to_group(conn, texts.group_closed(request_id, who), now)
        return True

    def forget_before(self, cutoff: dt.datetime) -> int:
        """Delete requests (and their transcripts) untouched since `cutoff`, and expired staff
        sessions. Returns how many requests were deleted."""
        with self.engine.begin() as conn:
            old = select(_R.c.id).where(_R.c.updated_at < cutoff).scalar_subquery()
            conn.execute(delete(_M).where(_M.c.request_id.in_(old)))
            deleted = conn.execute(delete(_R).where(_R.c.updated_at < cutoff)).rowcount
            conn.execute(delete(StaffSession.__table__).where(StaffSession.__table__.c.expires_at < self.clock()))
        return int(deleted or 0)

    # -- internals -----------------------------------------------------------------------------

    def _to_group(self, conn: Connection, text: str, now: dt.datetime) -> None:
        if self.group:
            _queue(conn, "telegram", self.group, text, now)


class _Closed(Exception):
    pass


def _queue(conn: Connection, channel: str, chat_id: str, text: str, now: dt.datetime) -> None:
    """An outbox row in the caller's transaction (see `assistant.store.Outbox` for delivery)."""
    conn.execute(insert(_O).values(channel=channel, chat_id=str(chat_id), text=text, dossier_code=None,
                                   created_at=now, attempts=0, next_attempt_at=now))


__all__ = ["HandoffStore", "MessageView", "RequestView"]
