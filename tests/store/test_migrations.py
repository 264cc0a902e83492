import os
import subprocess
import sys
import threading
from pathlib import Path

from sqlalchemy import inspect

from assistant.store import current_revision, head_revision, make_engine, upgrade

TABLES = {"dossiers", "status_events", "subscriptions", "outbox", "feedback", "conversations", "question_log",
          "alembic_version"}
ROOT = Path(__file__).resolve().parents[2]


def test_upgrade_creates_the_schema_on_a_fresh_database_and_is_idempotent(fresh_engine):
    assert current_revision(fresh_engine) is None
    upgrade(fresh_engine)
    assert set(inspect(fresh_engine).get_table_names()) >= TABLES
    assert current_revision(fresh_engine) == head_revision()
    indexes = {i["name"] for i in inspect(fresh_engine).get_indexes("dossiers")}
    assert {"ix_dossiers_code", "ix_dossiers_received_at"} <= indexes
    upgrade(fresh_engine)  # a second run changes nothing
    assert current_revision(fresh_engine) == head_revision()


def test_downgrade_and_upgrade_again(fresh_engine):
    from alembic import command

    from assistant.store.db import alembic_config

    upgrade(fresh_engine)
    cfg = alembic_config(fresh_engine)
    with fresh_engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "base")
    assert set(inspect(fresh_engine).get_table_names()) <= {"alembic_version"}
    upgrade(fresh_engine)
    assert set(inspect(fresh_engine).get_table_names()) >= TABLES


def test_processes_starting_together_both_succeed(fresh_engine):
    """Several bot workers run `upgrade` at start-up; a lock makes all but one no-ops."""
    errors: list[BaseException] = []

    def run() -> None:
        try:
            upgrade(fresh_engine)
        except BaseException as exc:  # collected for the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert current_revision(fresh_engine) == head_revision()


def test_upgrade_accepts_a_url_and_creates_the_directory(tmp_path):
    url = f"sqlite:///{tmp_path / 'deep' / 'er' / 'assistant.sqlite3'}"
    upgrade(url)
    assert current_revision(url) == head_revision()


def test_sqlite_pragmas(sqlite_engine):
    with sqlite_engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_in_memory_sqlite_is_shared_between_connections():
    engine = make_engine("sqlite://")
    upgrade(engine)
    assert "dossiers" in inspect(engine).get_table_names()


def test_db_upgrade_command_works_from_any_directory(tmp_path):
    """The migrations ship inside the package: no alembic.ini next to the caller is needed."""
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(tmp_path / "data"), "DATABASE_URL": "",
           "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"}
    done = subprocess.run([sys.executable, "-m", "assistant", "db", "upgrade"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "data" / "assistant.sqlite3").exists()
    assert current_revision(f"sqlite:///{tmp_path / 'data' / 'assistant.sqlite3'}") == head_revision()
