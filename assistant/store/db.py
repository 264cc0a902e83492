"""Engines, write transactions and migrations.

SQLite is the embedded default (one file under the data directory, created on first run);
PostgreSQL is the production choice. Both get the same schema from the Alembic migrations that
ship inside this package, so `python -m assistant db upgrade` works from any directory and an
installed wheel needs no alembic.ini.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
BUSY_TIMEOUT_MS = 5000
# Any constant: serialises concurrent `upgrade` calls (several bot processes starting at once).
_PG_MIGRATION_LOCK = 7_300_521


def make_engine(url: str, **kwargs) -> Engine:
    """An engine with deployment-friendly defaults.

    SQLite: the parent directory is created; WAL lets lookups read while an import writes; the
    busy timeout makes a second writer wait instead of failing; foreign keys are enforced.
    PostgreSQL (and others): pre-ping so a restarted server does not cost a citizen an error.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        kwargs.setdefault("pool_pre_ping", True)
        return create_engine(url, **kwargs)
    memory = not parsed.database or parsed.database == ":memory:" or "mode=memory" in str(parsed)
    if not memory:
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    connect_args = {"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False,
                    **kwargs.pop("connect_args", {})}
    if memory:  # one shared connection, or every checkout would see an empty database
        kwargs.setdefault("poolclass", StaticPool)
    engine = create_engine(url, connect_args=connect_args, **kwargs)

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn, _record) -> None:
        cursor = dbapi_conn.cursor()
        if not memory:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")  # durable in WAL mode, far fewer fsyncs
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return engine


def as_engine(engine_or_url: Engine | str) -> Engine:
    return engine_or_url if isinstance(engine_or_url, Engine) else make_engine(str(engine_or_url))


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A transaction that reads and then writes, taken as a writer from its first statement.

    On SQLite, pysqlite begins transactions lazily at the first INSERT/UPDATE, so reads before
    it see no snapshot, and DDL runs outside any transaction. `BEGIN IMMEDIATE` takes the write
    lock up front (other writers wait up to the busy timeout; readers go on in WAL mode), which
    makes check-then-write sequences and migrations atomic. PostgreSQL needs nothing special.
    """
    with engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        yield conn


def alembic_config(engine: Engine | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if engine is not None:
        cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    return cfg


def upgrade(engine_or_url: Engine | str, revision: str = "head") -> None:
    """Apply the shipped migrations. Idempotent, atomic, and safe when several processes start
    at once: they queue on a lock and all but the first find nothing to do."""
    engine = as_engine(engine_or_url)
    cfg = alembic_config(engine)
    with write_transaction(engine) as connection:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_MIGRATION_LOCK})")
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)


def current_revision(engine_or_url: Engine | str) -> str | None:
    """The schema revision the database is at (None for an empty database)."""
    engine = as_engine(engine_or_url)
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
