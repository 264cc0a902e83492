"""Small repositories over the tables: what channels and staff tools read and write."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, and_, delete, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from assistant.store.models import ConversationRow, Feedback, OutboxRow, QuestionLogRow, Subscription


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def user_hash(channel: str, chat_id: str, salt: str | None = None) -> str:
    """A salted hash standing for a user in logs and feedback: countable, not identifying."""
    salt = salt if salt is not None else os.environ.get("ASSISTANT_HASH_SALT", "tthc-assistant")
    return hashlib.sha256(f"{salt}:{channel}:{chat_id}".encode()).hexdigest()[:32]


def _upsert(engine: Engine, table, values: dict[str, Any], keys: list[str], update_cols: list[str]):
    insert = pg_insert if engine.dialect.name == "postgresql" else sqlite_insert
    stmt = insert(table).values(**values)
    return stmt.on_conflict_do_update(index_elements=keys, set_={c: stmt.excluded[c] for c in update_cols})


class ConversationStore:
    """Conversation state keyed "<channel>:<chat id>", so several workers can serve one chat."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def load(self, key: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            raw = conn.execute(select(ConversationRow.state).where(ConversationRow.key == key)).scalar()
        if raw is None:
            return None
        try:
            data = json.loads(raw)
        except ValueError:
            return None
        return data if isinstance(data, dict) else None

    def save(self, key: str, state: dict[str, Any]) -> None:
        values = {"key": key, "state": json.dumps(state, ensure_ascii=False), "updated_at": utcnow()}
        with self.engine.begin() as conn:
            conn.execute(_upsert(self.engine, ConversationRow.__table__, values, ["key"], ["state", "updated_at"]))


class FeedbackStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add(self, channel: str, procedure_id: str | None, facet: str | None, rating: int,
            question: str | None = None, user: str | None = None, at: dt.datetime | None = None) -> None:
        with self.engine.begin() as conn:
            conn.execute(Feedback.__table__.insert().values(
                channel=channel, procedure_id=procedure_id, facet=facet, rating=1 if rating > 0 else -1,
                question=question, user_hash=user, created_at=at or utcnow()))


class QuestionLog:
    """Questions the bot could not answer well, for staff to learn from (no user identifiers)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add(self, text: str, normalised: str, status: str, candidates: list[dict[str, Any]], channel: str,
            user: str | None = None, at: dt.datetime | None = None) -> None:
        with self.engine.begin() as conn:
            conn.execute(QuestionLogRow.__table__.insert().values(
                text=text[:1000], normalised=normalised[:1000], status=status,
                candidates=json.dumps(candidates, ensure_ascii=False), channel=channel, user_hash=user,
                created_at=at or utcnow()))


class Subscriptions:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add(self, code: str, channel: str, chat_id: str) -> bool:
        """True when newly subscribed, False when it already was."""
        with self.engine.begin() as conn:
            exists = conn.execute(select(Subscription.id).where(
                Subscription.dossier_code == code, Subscription.channel == channel,
                Subscription.chat_id == chat_id)).first()
            if exists:
                return False
            conn.execute(Subscription.__table__.insert().values(
                dossier_code=code, channel=channel, chat_id=chat_id, created_at=utcnow()))
            return True

    def remove(self, code: str, channel: str, chat_id: str) -> bool:
        with self.engine.begin() as conn:
            result = conn.execute(delete(Subscription).where(
                Subscription.dossier_code == code, Subscription.channel == channel, Subscription.chat_id == chat_id))
            return result.rowcount > 0


@dataclass(frozen=True, slots=True)
class OutboxItem:
    id: int
    channel: str
    chat_id: str
    text: str
    attempts: int
    dossier_code: str | None


class Outbox:
    """Notifications waiting for a channel. Delivery is at-least-once: an item is claimed for a
    while, marked delivered only after the platform accepted it, and claimed again after its
    claim expires if the worker died."""

    def __init__(self, engine: Engine, claim_seconds: float = 60.0) -> None:
        self.engine = engine
        self.claim_seconds = claim_seconds

    def claim(self, worker_id: str, limit: int = 20, now: dt.datetime | None = None,
              channel: str | None = None) -> list[OutboxItem]:
        now = now or utcnow()
        until = now + dt.timedelta(seconds=self.claim_seconds)
        t = OutboxRow.__table__
        free = and_(
            t.c.delivered_at.is_(None),
            t.c.next_attempt_at <= now,
            or_(t.c.claimed_until.is_(None), t.c.claimed_until < now),
            *([t.c.channel == channel] if channel else []),
        )
        with self.engine.begin() as conn:
            ids = [row[0] for row in conn.execute(
                select(t.c.id).where(free).order_by(t.c.id).limit(limit).with_for_update(skip_locked=True))]
            if not ids:
                return []
            # The WHERE repeats the free condition, so two workers racing on SQLite cannot both win.
            conn.execute(update(t).where(t.c.id.in_(ids), free).values(claimed_by=worker_id, claimed_until=until))
            rows = conn.execute(select(t).where(t.c.id.in_(ids), t.c.claimed_by == worker_id,
                                                t.c.claimed_until == until).order_by(t.c.id)).all()
        return [OutboxItem(r.id, r.channel, r.chat_id, r.text, r.attempts, r.dossier_code) for r in rows]

    def mark_delivered(self, item_id: int, now: dt.datetime | None = None) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(OutboxRow).where(OutboxRow.id == item_id).values(
                delivered_at=now or utcnow(), claimed_until=None, last_error=None))

    def mark_failed(self, item_id: int, error: str, retry_at: dt.datetime) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(OutboxRow).where(OutboxRow.id == item_id).values(
                attempts=OutboxRow.attempts + 1, last_error=error[:500], next_attempt_at=retry_at,
                claimed_by=None, claimed_until=None))

    def pending(self, channel: str | None = None) -> int:
        t = OutboxRow.__table__
        query = select(t.c.id).where(t.c.delivered_at.is_(None))
        if channel:
            query = query.where(t.c.channel == channel)
        with self.engine.connect() as conn:
            return len(conn.execute(query).all())
