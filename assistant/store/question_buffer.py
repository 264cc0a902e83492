"""A question log that writes in batches, for the web server's hot path.

Every question a citizen asks is logged (service report, unanswered-questions report). Writing
it inside the request costs one transaction per message; on SQLite that is also one more turn
on the single write lock, shared with every other worker process. The log is statistics, not
state a citizen depends on, so the web workers queue rows here and a background thread inserts
them together about once a second: one transaction per batch instead of one per message.

What that trades: a process killed with SIGKILL loses at most the last `interval` seconds of
question statistics (a graceful stop flushes). While the database is down rows stay queued, up
to `max_pending`; beyond that the oldest are dropped and counted, never blocking an answer.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections import deque
from typing import Any

from sqlalchemy import Engine, insert
from sqlalchemy.exc import SQLAlchemyError

from assistant.store.models import QuestionLogRow
from assistant.store.repos import QuestionLog

log = logging.getLogger(__name__)


class QuestionLogBuffer:
    """Same `add` signature as `assistant.store.QuestionLog`; rows reach the table on `flush`,
    which the background thread calls every `interval` seconds (or sooner when `batch` rows wait)."""

    def __init__(self, engine: Engine, *, interval: float = 1.0, batch: int = 500,
                 max_pending: int = 50_000) -> None:
        self.engine = engine
        self.interval = interval
        self.batch = batch
        self._pending: deque[dict[str, Any]] = deque(maxlen=max_pending)
        self._lock = threading.Lock()
        self._flush_lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.written = 0
        self.dropped = 0

    def add(self, text: str, normalised: str, status: str, candidates: list[dict[str, Any]], channel: str,
            user: str | None = None, at: dt.datetime | None = None) -> None:
        row = QuestionLog.row(text, normalised, status, candidates, channel, user, at)
        with self._lock:
            if len(self._pending) == self._pending.maxlen:
                self.dropped += 1
            self._pending.append(row)
            full = len(self._pending) >= self.batch
        if full:
            self._wake.set()

    @property
    def pending(self) -> int:
        return len(self._pending)

    def flush(self) -> int:
        """Insert everything queued; returns the rows written. On a database error the rows go
        back to the front of the queue for the next attempt."""
        with self._flush_lock:
            with self._lock:
                rows = list(self._pending)
                self._pending.clear()
            if not rows:
                return 0
            try:
                with self.engine.begin() as conn:
                    conn.execute(insert(QuestionLogRow.__table__), rows)
            except SQLAlchemyError as exc:
                log.warning("question log unavailable (%s); %d rows kept for later",
                            exc.__class__.__name__, len(rows))
                with self._lock:
                    room = (self._pending.maxlen or len(rows)) - len(self._pending)
                    kept = rows[-room:] if room > 0 else []
                    self.dropped += len(rows) - len(kept)
                    self._pending.extendleft(reversed(kept))
                return 0
            self.written += len(rows)
            return len(rows)

    def start(self) -> QuestionLogBuffer:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="question-log", daemon=True)
            self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.interval)
            self._wake.clear()
            try:
                self.flush()
            except Exception:  # never let statistics kill the thread
                log.exception("question log flush failed")

    def close(self) -> None:
        """Stop the thread and write what is left (graceful shutdown)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        self.flush()


__all__ = ["QuestionLogBuffer"]
