"""SQLite WAL checkpoints in a background thread, never inside a citizen's turn.

In WAL mode SQLite copies the log back into the database file (a checkpoint, with an fsync)
once the log passes `wal_autocheckpoint` pages, and it does so in whichever connection
committed last: a citizen's turn. A web chat turn writes its conversation state (about 15 KB
with the page's visible history), so at a few hundred turns a second a checkpoint fell inside a
turn every second or so and that turn, and every request queued behind it, waited up to
hundreds of milliseconds (benchmarks/web.py).

`WalCheckpointer` raises the serving connections' automatic threshold to a backstop (a log that
grows that large means this thread is not keeping up, and then a turn pays, as before) and
checkpoints every `interval` seconds from its own connection. PASSIVE mode never waits for
readers or writers; a checkpoint another process is running makes this one return at once.
Durability is unchanged: commits are in the log either way (synchronous=NORMAL).
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy import Engine, event

log = logging.getLogger(__name__)

BACKSTOP_PAGES = 8000  # about 32 MB of log with 4 KB pages


class WalCheckpointer:
    """Background checkpoints for one SQLite engine; a no-op for any other database."""

    def __init__(self, engine: Engine, *, interval: float = 1.0, backstop_pages: int = BACKSTOP_PAGES) -> None:
        self.engine = engine
        self.interval = interval
        self.backstop_pages = backstop_pages
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.checkpoints = 0
        self.failures = 0

    @property
    def applies(self) -> bool:
        database = self.engine.url.database
        return self.engine.dialect.name == "sqlite" and bool(database) and database != ":memory:" \
            and "mode=memory" not in str(self.engine.url)

    def _backstop(self, dbapi_conn, _record) -> None:
        cursor = dbapi_conn.cursor()
        try:
            cursor.execute(f"PRAGMA wal_autocheckpoint={int(self.backstop_pages)}")
        finally:
            cursor.close()

    def start(self) -> WalCheckpointer:
        if not self.applies or self._thread is not None:
            return self
        event.listen(self.engine, "connect", self._backstop)
        self.engine.dispose()  # connections opened from now on get the backstop
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="wal-checkpoint", daemon=True)
        self._thread.start()
        return self

    def checkpoint(self) -> tuple[int, int, int] | None:
        """One PASSIVE checkpoint: (busy, log frames, frames checkpointed), None on error."""
        try:
            with self.engine.connect() as conn:
                row = conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        except Exception as exc:  # a locked or missing file: try again next time
            self.failures += 1
            log.debug("WAL checkpoint skipped (%s)", exc.__class__.__name__)
            return None
        self.checkpoints += 1
        return (int(row[0]), int(row[1]), int(row[2])) if row else None

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.checkpoint()

    def stop(self) -> None:
        """Stop the thread; the backstop stays on the engine's connections (harmless)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None


__all__ = ["BACKSTOP_PAGES", "WalCheckpointer"]
