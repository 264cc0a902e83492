"""Small repositories over the tables: what the desk, channels and staff tools read and write.

Each method is one short transaction on an `Engine`, so callers in threads or worker
processes never share a session. Times are naive UTC unless a name says otherwise (dossier
dates are Vietnam local time, as one-stop systems export them).

Above 500 lines because one short class per table keeps every SQL statement of the app in one
place to review (and the shared-limit, retry-on-lock changes landed with the same merge); the
outbox, with its claim protocol, is the first to move to its own module.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    and_,
    bindparam,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError, IntegrityError

from assistant.config import hash_salt, outbox_claim_seconds
from assistant.store.db import driver_sql, driver_stamp, raw_transaction, retry_locked
from assistant.store.models import ConversationRow, Dossier, Feedback, OutboxRow, QuestionLogRow, Subscription


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _salt(salt: str | None) -> str:
    return salt if salt is not None else hash_salt()


def user_hash(channel: str, chat_id: str, salt: str | None = None) -> str:
    """A salted hash standing for a user in logs and feedback: countable, not identifying.
    Deployments set ASSISTANT_HASH_SALT so hashes cannot be recomputed from a chat id list."""
    return hashlib.sha256(f"{_salt(salt)}:{channel}:{chat_id}".encode()).hexdigest()[:32]


def contact_hash(contact: str, salt: str | None = None) -> str | None:
    """The owner-check hash of a phone number or e-mail from an export. Phones are reduced to
    their national form, so "0912 345 678", "+84912345678" and a spreadsheet's 912345678 agree.
    None when there is nothing to hash."""
    text = contact.strip().lower()
    key = text if "@" in text else "".join(ch for ch in text if ch.isdigit())
    if key.startswith("84") and len(key) == 11:  # +84 912 345 678
        key = "0" + key[2:]
    elif len(key) == 9 and not key.startswith("0"):  # a spreadsheet dropped the leading zero
        key = "0" + key
    if not key:
        return None
    return hashlib.sha256(f"{_salt(salt)}:contact:{key}".encode()).hexdigest()[:32]


def _insert_ignore(engine: Engine, table, values: dict[str, Any], keys: list[str]):
    if engine.dialect.name == "postgresql":
        return pg_insert(table).values(**values).on_conflict_do_nothing(index_elements=keys)
    if engine.dialect.name == "sqlite":
        return sqlite_insert(table).values(**values).on_conflict_do_nothing(index_elements=keys)
    return None


def _upsert(engine: Engine, table, values: dict[str, Any], keys: list[str], update_cols: list[str]):
    dialect_insert = pg_insert if engine.dialect.name == "postgresql" else sqlite_insert
    stmt = dialect_insert(table).values(**values)
    return stmt.on_conflict_do_update(index_elements=keys, set_={c: stmt.excluded[c] for c in update_cols})


# -- dossiers ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DossierRecord:
    """One dossier as the bot knows it: no names, no addresses."""

    code: str
    procedure_id: str
    locality: str | None
    received_at: dt.datetime
    channel: str  # in_person | postal | online_full | online_partial
    due_date: dt.date
    new_due_date: dt.date | None
    status: str
    note: str | None
    resolved_at: dt.datetime | None
    returned_at: dt.datetime | None
    result_delivery: str  # counter | post
    contact_hash: str | None
    updated_at: dt.datetime


_DOSSIER_FIELDS = tuple(DossierRecord.__dataclass_fields__)


class DossierStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        t = Dossier.__table__
        self._columns = [t.c[name] for name in _DOSSIER_FIELDS]
        self._get_for: Any = None

    def get(self, code: str) -> DossierRecord | None:
        """By canonical code: one indexed lookup (the hot path of every status card)."""
        with self.engine.connect() as conn:
            row = conn.execute(select(*self._columns).where(Dossier.__table__.c.code == code)).first()
        return DossierRecord(*row) if row is not None else None

    def get_for(self, code: str, channel: str, chat_id: str) -> tuple[DossierRecord | None, bool]:
        """The dossier and whether this chat follows it, in one round trip (a status card's
        buttons depend on both, and every round trip counts on a remote database)."""
        if self._get_for is None:  # built once: building the statement per lookup cost more than running it
            t, s = Dossier.__table__, Subscription.__table__
            follows = (select(s.c.id).where(s.c.dossier_code == t.c.code, s.c.channel == bindparam("channel"),
                                            s.c.chat_id == bindparam("chat_id")).exists())
            self._get_for = select(*self._columns, follows.label("follows")).where(t.c.code == bindparam("code"))
        with self.engine.connect() as conn:
            row = conn.execute(self._get_for, {"code": code, "channel": channel, "chat_id": str(chat_id)}).first()
        if row is None:
            return None, False
        return DossierRecord(*row[:-1]), bool(row[-1])

    def list(self, status: str | None = None, limit: int = 50) -> list[DossierRecord]:
        """Newest receipts first."""
        query = select(*self._columns).order_by(Dossier.__table__.c.received_at.desc(), Dossier.__table__.c.id.desc())
        if status:
            query = query.where(Dossier.__table__.c.status == status)
        with self.engine.connect() as conn:
            return [DossierRecord(*row) for row in conn.execute(query.limit(max(0, limit)))]

    def count(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(Dossier.__table__)).scalar_one()


# -- subscriptions -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Subscriber:
    channel: str
    chat_id: str


class Subscriptions:
    """Who follows which dossier. The unique key makes subscribing idempotent even when two
    taps on "Theo dõi" race."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add(self, code: str, channel: str, chat_id: str, now: dt.datetime | None = None) -> bool:
        """True when newly subscribed, False when it already was."""
        values = {"dossier_code": code, "channel": channel, "chat_id": str(chat_id), "created_at": now or utcnow()}
        stmt = _insert_ignore(self.engine, Subscription.__table__, values, ["dossier_code", "channel", "chat_id"])
        def work() -> bool:
            with self.engine.begin() as conn:
                if stmt is None:  # other dialects: the unique key refuses a duplicate
                    conn.execute(insert(Subscription.__table__).values(**values))
                    return True
                # ON CONFLICT DO NOTHING returns no row for a duplicate (rowcount is not reliable
                # with RETURNING on every driver).
                return conn.execute(stmt.returning(Subscription.__table__.c.id)).first() is not None

        try:
            return retry_locked(work)  # a long import must not cost the citizen their subscription
        except IntegrityError:
            return False

    def remove(self, code: str, channel: str, chat_id: str) -> bool:
        with self.engine.begin() as conn:
            result = conn.execute(delete(Subscription).where(
                Subscription.dossier_code == code, Subscription.channel == channel,
                Subscription.chat_id == str(chat_id)))
            return result.rowcount > 0

    def is_subscribed(self, code: str, channel: str, chat_id: str) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(select(Subscription.id).where(
                Subscription.dossier_code == code, Subscription.channel == channel,
                Subscription.chat_id == str(chat_id)).limit(1)).first() is not None

    def counts(self, code: str, channel: str, chat_id: str) -> tuple[int, int]:
        """(subscriptions to this dossier, subscriptions of this chat): what the caps compare."""
        with self.engine.connect() as conn:
            per_code = conn.execute(select(func.count()).select_from(Subscription)
                                    .where(Subscription.dossier_code == code)).scalar() or 0
            per_chat = conn.execute(select(func.count()).select_from(Subscription).where(
                Subscription.channel == channel, Subscription.chat_id == str(chat_id))).scalar() or 0
        return per_code, per_chat

    def subscribers(self, code: str) -> list[Subscriber]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(Subscription.channel, Subscription.chat_id)
                                .where(Subscription.dossier_code == code).order_by(Subscription.id))
            return [Subscriber(*row) for row in rows]

    def of_chat(self, channel: str, chat_id: str) -> list[str]:
        """Codes a chat follows, oldest first."""
        with self.engine.connect() as conn:
            return list(conn.execute(select(Subscription.dossier_code).where(
                Subscription.channel == channel, Subscription.chat_id == str(chat_id)).order_by(Subscription.id))
                .scalars())

    def remove_chat(self, channel: str, chat_id: str) -> int:
        """Forget a chat entirely (it blocked the bot or asked to be forgotten)."""
        with self.engine.begin() as conn:
            return conn.execute(delete(Subscription).where(
                Subscription.channel == channel, Subscription.chat_id == str(chat_id))).rowcount


# -- outbox --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OutboxItem:
    id: int
    channel: str
    chat_id: str
    text: str
    attempts: int
    dossier_code: str | None


def _free(t, now: dt.datetime, channel: str | None):
    """Due, undelivered and not claimed by a live worker."""
    return and_(
        t.c.delivered_at.is_(None),
        t.c.next_attempt_at <= now,
        or_(t.c.claimed_until.is_(None), t.c.claimed_until < now),
        *([t.c.channel == channel] if channel else []),
    )


class Outbox:
    """Notifications waiting for a channel. Delivery is at-least-once: a worker claims items for
    `claim_seconds`, renews an item's claim just before sending it, marks it delivered only after
    the platform accepted it, and an item whose worker died is claimed again once the claim
    expires. Nothing is deleted on failure.

    `claim_seconds` defaults to ASSISTANT_OUTBOX_CLAIM_SECONDS (60 s), the same in every worker."""

    def __init__(self, engine: Engine, claim_seconds: float | None = None) -> None:
        self.engine = engine
        self.claim_seconds = claim_seconds if claim_seconds is not None else outbox_claim_seconds()

    @staticmethod
    def row(channel: str, chat_id: str, text: str, dossier_code: str | None, now: dt.datetime) -> dict[str, Any]:
        """One new outbox row: due now, never attempted. The only place that knows its columns."""
        return {"channel": channel, "chat_id": str(chat_id), "text": text, "dossier_code": dossier_code,
                "created_at": now, "attempts": 0, "next_attempt_at": now}

    def add(self, channel: str, chat_id: str, text: str, dossier_code: str | None = None,
            now: dt.datetime | None = None) -> int:
        with self.engine.begin() as conn:
            result = conn.execute(insert(OutboxRow.__table__).values(
                **self.row(channel, chat_id, text, dossier_code, now or utcnow())))
            return int(result.inserted_primary_key[0])

    def add_many(self, items: Iterable[tuple[str, str, str, str | None]], *, conn: Connection | None = None,
                 now: dt.datetime | None = None) -> int:
        """Queue many notifications at once, `(channel, chat_id, text, dossier_code)` each, in one
        executemany. `conn`: an open transaction to join (the dossier importer queues
        notifications in the transaction that changes the statuses). Returns how many."""
        now = now or utcnow()
        rows = [self.row(channel, chat_id, text, code, now) for channel, chat_id, text, code in items]
        if not rows:
            return 0
        if conn is not None:
            conn.execute(insert(OutboxRow.__table__), rows)
        else:
            with self.engine.begin() as own:
                own.execute(insert(OutboxRow.__table__), rows)
        return len(rows)

    def claim(self, worker_id: str, limit: int = 20, now: dt.datetime | None = None,
              channel: str | None = None) -> list[OutboxItem]:
        """Claim up to `limit` due items, oldest first, for `worker_id`.

        One statement. PostgreSQL: `WITH due AS (SELECT ... FOR UPDATE SKIP LOCKED) UPDATE ...
        RETURNING`, so concurrent workers skip each other's rows instead of waiting. SQLite: an
        `UPDATE ... WHERE id IN (SELECT ...) RETURNING` under the database write lock, atomic."""
        now = now or utcnow()
        until = now + dt.timedelta(seconds=self.claim_seconds)
        t = OutboxRow.__table__
        free = _free(t, now, channel)
        # The inner query reads an alias: a subquery on the UPDATE's own table would be correlated
        # with it, which silently turns LIMIT into "every free row".
        inner = t.alias("due")
        due = select(inner.c.id).where(_free(inner, now, channel)).order_by(inner.c.id).limit(max(0, limit))
        if self.engine.dialect.name == "postgresql":
            # A locking CTE runs exactly once; as an IN (...) subquery PostgreSQL may rescan it
            # after rows were updated, and the re-check then hands out more than `limit` rows.
            due = due.with_for_update(skip_locked=True).cte("due")
            claim = update(t).where(t.c.id == due.c.id)
        else:
            claim = update(t).where(t.c.id.in_(due), free)
        claim = claim.values(claimed_by=worker_id, claimed_until=until)
        with self.engine.begin() as conn:
            if self.engine.dialect.update_returning:
                rows = conn.execute(claim.returning(t.c.id, t.c.channel, t.c.chat_id, t.c.text, t.c.attempts,
                                                    t.c.dossier_code)).all()
            else:  # pragma: no cover - SQLite before 3.35: claim, then read back what we won
                ids = [r[0] for r in conn.execute(due)]
                conn.execute(claim)
                rows = conn.execute(select(t.c.id, t.c.channel, t.c.chat_id, t.c.text, t.c.attempts,
                                           t.c.dossier_code).where(t.c.id.in_(ids), t.c.claimed_by == worker_id,
                                                                   t.c.claimed_until == until)).all()
        return sorted((OutboxItem(*row) for row in rows), key=lambda item: item.id)

    def renew(self, item_id: int, worker_id: str, now: dt.datetime | None = None) -> bool:
        """Extend `worker_id`'s claim on one undelivered item to a full lease from `now`, just before
        sending it. False when the item is no longer ours (our lease ran out during a slow batch and
        another worker claimed it, or it was delivered): the caller must then not send it.

        A batch is claimed at once but sent one item at a time, so without this the last items of
        a slow batch could outlive their claim and be sent by two workers."""
        now = now or utcnow()
        t = OutboxRow.__table__
        with self.engine.begin() as conn:
            result = conn.execute(update(t).where(
                t.c.id == item_id, t.c.claimed_by == worker_id, t.c.delivered_at.is_(None),
            ).values(claimed_until=now + dt.timedelta(seconds=self.claim_seconds)))
            return result.rowcount == 1

    def waiting_for(self, channel: str, chat_id: str, limit: int = 20) -> list[OutboxItem]:
        """Undelivered items of one chat, oldest first, without claiming them: for channels the
        citizen pulls from (the web chat page asks for its notifications and acknowledges them)."""
        t = OutboxRow.__table__
        query = (select(t.c.id, t.c.channel, t.c.chat_id, t.c.text, t.c.attempts, t.c.dossier_code)
                 .where(t.c.channel == channel, t.c.chat_id == str(chat_id), t.c.delivered_at.is_(None))
                 .order_by(t.c.id).limit(max(0, limit)))
        with self.engine.connect() as conn:
            return [OutboxItem(*row) for row in conn.execute(query)]

    def acknowledge(self, channel: str, chat_id: str, ids: list[int], now: dt.datetime | None = None) -> int:
        """Mark delivered the given items, only those of this chat (a client cannot acknowledge
        somebody else's notifications). Returns how many changed."""
        if not ids:
            return 0
        t = OutboxRow.__table__
        with self.engine.begin() as conn:
            result = conn.execute(update(t).where(
                t.c.channel == channel, t.c.chat_id == str(chat_id), t.c.id.in_(ids), t.c.delivered_at.is_(None),
            ).values(delivered_at=now or utcnow(), claimed_by=None, claimed_until=None))
            return int(result.rowcount or 0)

    def release(self, worker_id: str) -> int:
        """Hand back every undelivered item `worker_id` still holds (graceful shutdown), so another
        worker sends them at once instead of after the lease. Returns how many were released."""
        t = OutboxRow.__table__
        with self.engine.begin() as conn:
            result = conn.execute(update(t).where(t.c.claimed_by == worker_id, t.c.delivered_at.is_(None))
                                  .values(claimed_by=None, claimed_until=None))
            return int(result.rowcount or 0)

    def mark_delivered(self, item_id: int, now: dt.datetime | None = None) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(OutboxRow).where(OutboxRow.id == item_id).values(
                delivered_at=now or utcnow(), claimed_by=None, claimed_until=None, last_error=None))

    def mark_failed(self, item_id: int, error: str, retry_at: dt.datetime) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(OutboxRow).where(OutboxRow.id == item_id).values(
                attempts=OutboxRow.attempts + 1, last_error=str(error)[:500], next_attempt_at=retry_at,
                claimed_by=None, claimed_until=None))

    def pending(self, channel: str | None = None) -> int:
        """Items not delivered yet (claimed or not)."""
        t = OutboxRow.__table__
        query = select(func.count()).select_from(t).where(t.c.delivered_at.is_(None))
        if channel:
            query = query.where(t.c.channel == channel)
        with self.engine.connect() as conn:
            return conn.execute(query).scalar_one()


# -- conversations, feedback, question log ------------------------------------------------------


_INSERT_QUESTION = insert(QuestionLogRow.__table__)
_LOAD_SQL = "SELECT state FROM conversations WHERE key = ?"
_SAVE_SQL = ("INSERT INTO conversations (key, state, updated_at) VALUES (?, ?, ?) "
             "ON CONFLICT (key) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at")


class ConversationStore:
    """Conversation state keyed "<channel>:<chat id>", so several workers can serve one chat.

    Every chat message loads and saves its conversation, the hottest database path of every
    channel, so both use pre-built SQL: building the SQLAlchemy Core statements per call cost
    about 1 ms of CPU per message, three times these (benchmarks/web.py). `INSERT ... ON
    CONFLICT` works on SQLite ≥ 3.24 and PostgreSQL."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._statements: tuple[str, str] | None = None

    def _sql(self) -> tuple[str, str]:
        if self._statements is None:
            self._statements = (driver_sql(self.engine, _LOAD_SQL), driver_sql(self.engine, _SAVE_SQL))
        return self._statements

    @staticmethod
    def decode(raw: Any) -> dict[str, Any] | None:
        """The stored JSON text as a dict (None for no state or text that is not a JSON object)."""
        if raw is None:
            return None
        try:
            data = json.loads(raw)
        except ValueError:
            return None
        return data if isinstance(data, dict) else None

    def load(self, key: str) -> dict[str, Any] | None:
        with raw_transaction(self.engine) as cursor:
            cursor.execute(self._sql()[0], (key,))
            row = cursor.fetchone()
        return self.decode(row[0] if row else None)

    @contextlib.contextmanager
    def turn(self, key: str) -> Iterator[tuple[str | None, Callable[[str], None]]]:
        """One connection and one transaction for a whole turn: the state's JSON text as stored
        (None when there is none), and `save(encoded)` to write the new one and commit. The text
        is handed over undecoded: the caller decodes it once and compares the new encoding with
        it, instead of encoding the state twice. The save is retried while SQLite is locked; the
        turn itself is never run twice."""
        load_sql, save_sql = self._sql()
        with raw_transaction(self.engine) as cursor:
            cursor.execute(load_sql, (key,))
            row = cursor.fetchone()
            connection = cursor.connection

            def save(encoded: str) -> None:
                def work() -> None:
                    try:
                        cursor.execute(save_sql, (key, encoded, driver_stamp(self.engine, utcnow())))
                        connection.commit()
                    except Exception as exc:
                        connection.rollback()
                        if isinstance(exc, self.engine.dialect.loaded_dbapi.Error):
                            raise DBAPIError.instance(None, None, exc, self.engine.dialect.loaded_dbapi.Error,
                                                      dialect=self.engine.dialect) from exc
                        raise

                retry_locked(work)

            yield (row[0] if row else None), save

    def save(self, key: str, state: dict[str, Any] | str) -> None:
        """Save a state: a dict, or the JSON text of one (callers that already encoded it)."""
        encoded = state if isinstance(state, str) else json.dumps(state, ensure_ascii=False)
        save_sql = self._sql()[1]

        def work() -> None:
            with raw_transaction(self.engine) as cursor:
                cursor.execute(save_sql, (key, encoded, driver_stamp(self.engine, utcnow())))

        retry_locked(work)  # a citizen's context must not be lost behind a long import

    def delete(self, key: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(ConversationRow).where(ConversationRow.key == key))


class FeedbackStore:
    """👍/👎 on answers: channel, procedure, facet, rating and a salted user hash, nothing else."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add(self, channel: str, procedure_id: str | None, facet: str | None, rating: int,
            question: str | None = None, user: str | None = None, at: dt.datetime | None = None) -> None:
        def work() -> None:
            with self.engine.begin() as conn:
                conn.execute(insert(Feedback.__table__).values(
                    channel=channel, procedure_id=procedure_id, facet=facet, rating=1 if rating > 0 else -1,
                    question=question[:1000] if question else None, user_hash=user, created_at=at or utcnow()))

        retry_locked(work)

    def ratings(self, channel: str | None = None) -> dict[int, int]:
        """How many 👍 (1) and 👎 (-1) were given, on one channel or all."""
        query = select(Feedback.rating, func.count()).group_by(Feedback.rating)
        if channel is not None:
            query = query.where(Feedback.channel == channel)
        with self.engine.connect() as conn:
            return {int(rating): int(count) for rating, count in conn.execute(query).all()}


class QuestionLog:
    """Questions the bot could not answer well, for staff to learn from (no user identifiers)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @staticmethod
    def row(text: str, normalised: str, status: str, candidates: list[dict[str, Any]], channel: str,
            user: str | None = None, at: dt.datetime | None = None) -> dict[str, Any]:
        """The table row for one question (also what `QuestionLogBuffer` queues)."""
        return {"text": text[:1000], "normalised": normalised[:1000], "status": status,
                "candidates": json.dumps(candidates, ensure_ascii=False), "channel": channel,
                "user_hash": user, "created_at": at or utcnow()}

    def add(self, text: str, normalised: str, status: str, candidates: list[dict[str, Any]], channel: str,
            user: str | None = None, at: dt.datetime | None = None) -> None:
        row = self.row(text, normalised, status, candidates, channel, user, at)

        def work() -> None:
            with self.engine.begin() as conn:
                conn.execute(_INSERT_QUESTION, row)  # one compiled statement, parameters bound

        retry_locked(work)
