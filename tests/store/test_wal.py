"""WAL checkpoints run in their own thread, not in the connection that commits a citizen's turn."""

from __future__ import annotations

from sqlalchemy import create_engine

from assistant.store import ConversationStore
from assistant.store.wal import BACKSTOP_PAGES, WalCheckpointer


def _autocheckpoint(engine) -> int:
    with engine.connect() as conn:
        return int(conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar())


def test_serving_connections_leave_checkpoints_to_the_background_thread(sqlite_engine):
    assert _autocheckpoint(sqlite_engine) == 1000  # SQLite's default: the committing turn checkpoints
    checkpoints = WalCheckpointer(sqlite_engine, interval=3600).start()
    try:
        assert _autocheckpoint(sqlite_engine) == BACKSTOP_PAGES  # only a backstop is left on the turn path
        store = ConversationStore(sqlite_engine)
        for i in range(20):
            store.save(f"web:session-{i:04d}", {"history": ["x" * 2000] * 4})
        busy, frames, done = checkpoints.checkpoint()
        assert busy == 0 and frames > 0 and done == frames  # everything written is copied back
        assert store.load("web:session-0007")["history"][0] == "x" * 2000
    finally:
        checkpoints.stop()


def test_a_database_without_a_wal_file_gets_no_thread(tmp_path):
    memory = create_engine("sqlite://")
    assert WalCheckpointer(memory).start()._thread is None
    pg_like = WalCheckpointer(create_engine(f"sqlite:///{tmp_path / 'x.sqlite3'}"))
    assert pg_like.applies


def test_a_failing_checkpoint_is_counted_and_the_thread_goes_on(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'missing' / 'nowhere.sqlite3'}")  # directory does not exist
    checkpoints = WalCheckpointer(engine)
    assert checkpoints.checkpoint() is None and checkpoints.failures == 1
