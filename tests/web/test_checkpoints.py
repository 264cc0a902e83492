"""A running web server checkpoints SQLite's WAL itself, off the turn path (assistant.store.wal)."""

from __future__ import annotations

from assistant.store.wal import BACKSTOP_PAGES
from tests.web.conftest import Chat


def _autocheckpoint(engine) -> int:
    with engine.connect() as conn:
        return int(conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar())


def test_chat_turns_commit_without_checkpointing_and_the_server_copies_the_log_back(client, sqlite_engine):
    assert _autocheckpoint(sqlite_engine) == BACKSTOP_PAGES  # turns leave checkpoints to the server's thread
    chat = Chat(client)
    for text in ("giay doc than mat bao lau", "còn lệ phí thì sao?", "nộp ở đâu"):
        assert chat.post(text=text).status_code == 200
    with sqlite_engine.connect() as conn:
        busy, frames, done = conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    assert busy == 0 and done == frames  # the log can always be copied back: no turn holds it
