"""Webhook events already processed, remembered in the database.

A signed event captured by an attacker (or resent by the platform) must be processed once, by
whichever worker gets it first, also after a restart: `first_time` inserts the event id and
says whether it was new. Rows are only needed while an event could still be accepted (the
channel refuses older timestamps), so retention deletes them after a day.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import Engine, delete, insert

from assistant.store.db import retry_locked
from assistant.store.models import SeenEvent
from assistant.store.repos import _insert_ignore, utcnow

MAX_ID = 128


class SeenEvents:
    def __init__(self, engine: Engine, channel: str) -> None:
        self.engine = engine
        self.channel = channel

    @staticmethod
    def _id(event_id: str) -> str:
        if len(event_id) <= MAX_ID:
            return event_id
        return "sha256:" + hashlib.sha256(event_id.encode()).hexdigest()

    def first_time(self, event_id: str, now: dt.datetime | None = None) -> bool:
        """Record the event; True when no worker had recorded it before."""
        values = {"channel": self.channel, "event_id": self._id(event_id), "seen_at": now or utcnow()}
        stmt = _insert_ignore(self.engine, SeenEvent.__table__, values, ["channel", "event_id"])

        def work() -> bool:
            with self.engine.begin() as conn:
                if stmt is None:
                    conn.execute(insert(SeenEvent.__table__).values(**values))
                    return True
                return conn.execute(stmt.returning(SeenEvent.__table__.c.event_id)).first() is not None

        return retry_locked(work)

    def forget(self, event_id: str) -> None:
        """Let the platform's retry through (the event was refused as "busy", not processed)."""
        with self.engine.begin() as conn:
            conn.execute(delete(SeenEvent).where(SeenEvent.channel == self.channel,
                                                 SeenEvent.event_id == self._id(event_id)))
