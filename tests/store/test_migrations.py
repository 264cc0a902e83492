from sqlalchemy import inspect

from assistant.store import upgrade

TABLES = {"dossiers", "status_events", "subscriptions", "outbox", "feedback", "conversations", "question_log",
          "alembic_version"}


def test_upgrade_creates_schema_and_is_idempotent(engine):
    assert set(inspect(engine).get_table_names()) >= TABLES
    upgrade(engine)  # a second run changes nothing
    assert set(inspect(engine).get_table_names()) >= TABLES


def test_sqlite_uses_wal(sqlite_engine):
    with sqlite_engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
