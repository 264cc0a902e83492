"""Engines, write transactions and migrations.

SQLite is the embedded default (one file under the data directory, created on first run);
PostgreSQL is the production choice. Both get the same schema from the Alembic migrations that
ship inside this package, so `python -m assistant db upgrade` works from any directory and an
installed wheel needs no alembic.ini.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

log = logging.getLogger(__name__)
T = TypeVar("T")

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
BUSY_TIMEOUT_MS = 5000
# A server database that does not answer must cost a citizen seconds, not the operating system's
# TCP timeout (minutes): libpq gives up connecting after this, and dead established connections
# are noticed by TCP keepalives within about a minute.
CONNECT_TIMEOUT_S = 5
LIBPQ_KEEPALIVES = {"keepalives": 1, "keepalives_idle": 30, "keepalives_interval": 10, "keepalives_count": 3}
# After a connection attempt failed *slowly* (a timeout, not a refusal), new attempts fail at once
# for this long: one chat message touches the database several times, and each would otherwise
# wait the whole connect timeout again.
SLOW_FAILURE_S = 1.0
FAIL_FAST_S = 5.0
# Any constant: serialises concurrent `upgrade` calls (several bot processes starting at once).
_PG_MIGRATION_LOCK = 7_300_521


def make_engine(url: str, **kwargs) -> Engine:
    """An engine with deployment-friendly defaults.

    SQLite: the parent directory is created; WAL lets lookups read while an import writes; the
    busy timeout makes a second writer wait instead of failing; foreign keys are enforced.
    PostgreSQL (and others): pre-ping so a restarted server does not cost a citizen an error;
    a connect timeout and TCP keepalives so an unreachable server costs seconds, and
    `ConnectGuard` so it costs them once per message rather than once per query.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        kwargs.setdefault("pool_pre_ping", True)
        # A turn holds one connection for its state while the core may take another (a lookup,
        # a rating): 8 turn threads need up to 16.
        kwargs.setdefault("pool_size", 10)
        kwargs.setdefault("max_overflow", 10)
        if parsed.get_driver_name() in ("psycopg", "psycopg2", "psycopg2cffi"):  # libpq parameters
            kwargs["connect_args"] = {"connect_timeout": CONNECT_TIMEOUT_S, **LIBPQ_KEEPALIVES,
                                      **kwargs.get("connect_args", {})}
        engine = create_engine(url, **kwargs)
        ConnectGuard().attach(engine)
        return engine
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


class ConnectGuard:
    """Fail fast while a server database is known not to answer.

    A refused connection fails in milliseconds and is simply retried on the next call. A
    connection attempt that hangs until the connect timeout is different: the web chat makes
    three database calls per message (load state, log the question, save state), and a dossier
    lookup one more, so every message would wait several timeouts. After such a slow failure,
    attempts fail at once for `fail_fast` seconds; then the next call tries again, so the
    assistant recovers by itself within that time once the server answers."""

    def __init__(self, slow: float = SLOW_FAILURE_S, fail_fast: float = FAIL_FAST_S,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.slow = slow
        self.fail_fast = fail_fast
        self.clock = clock
        self._closed_until = 0.0
        self._lock = threading.Lock()

    def attach(self, engine: Engine) -> None:
        event.listen(engine, "do_connect", self._connect)

    def _connect(self, dialect: Any, _record: Any, cargs: tuple[Any, ...], cparams: dict[str, Any]) -> Any:
        with self._lock:
            wait = self._closed_until - self.clock()
        if wait > 0:
            # A DBAPI error, so SQLAlchemy wraps it as OperationalError like any failed connect.
            raise dialect.loaded_dbapi.OperationalError(
                f"database did not answer recently; not trying again for {wait:.1f}s")
        started = self.clock()
        try:
            return dialect.connect(*cargs, **cparams)
        except Exception:
            if self.clock() - started >= self.slow:
                with self._lock:
                    self._closed_until = self.clock() + self.fail_fast
                log.warning("database connection timed out; failing fast for %.0fs", self.fail_fast)
            raise


LOCKED_RETRY_SECONDS = 30.0  # how long a citizen's write keeps retrying behind a long writer


def is_locked(exc: BaseException) -> bool:
    """SQLite's "database is locked" / "database table is locked" (the busy timeout ran out)."""
    return isinstance(exc, OperationalError) and "locked" in str(exc.orig if exc.orig is not None else exc).lower()


def retry_locked(work: Callable[[], T], *, budget: float = LOCKED_RETRY_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> T:
    """Run `work` (a whole transaction), again while SQLite says the database is locked.

    The busy timeout already waits for the write lock; this covers what it cannot: a writer
    that holds the lock longer than the timeout, and SQLite's immediate SQLITE_BUSY when a
    read transaction must upgrade to a write. Writes a citizen's turn makes (conversation
    state, question log, rating, subscription) go through here so none is lost to a long
    import. Any other error, and a lock that outlasts `budget`, is raised."""
    deadline = clock() + budget
    pause = 0.02
    while True:
        try:
            return work()
        except OperationalError as exc:
            if not is_locked(exc) or clock() + pause > deadline:
                raise
            log.info("database locked; retrying in %.2fs", pause)
            time.sleep(pause)
            pause = min(0.5, pause * 2)


def driver_sql(engine: Engine, sql: str) -> str:
    """`sql` written with `?` placeholders, in the driver's own parameter style."""
    return sql if engine.dialect.paramstyle == "qmark" else sql.replace("?", "%s")


def driver_stamp(engine: Engine, value: dt.datetime) -> Any:
    """A naive UTC datetime as the driver should receive it to match what SQLAlchemy stores:
    SQLite keeps SQLAlchemy's text form, PostgreSQL takes the object."""
    return value.isoformat(" ", "microseconds") if engine.dialect.name == "sqlite" else value


@contextmanager
def raw_transaction(engine: Engine) -> Iterator[Any]:
    """A DB-API cursor on a pooled connection, committed on success, rolled back on error.

    The per-message paths (conversation state, shared counters) run two or three statements;
    through SQLAlchemy's Core each costs 40–100 µs of Python, through the driver 3–6 µs, and
    both drivers keep the statements prepared (sqlite3's statement cache, psycopg's automatic
    preparation)."""
    dbapi_error = engine.dialect.loaded_dbapi.Error
    try:
        raw = engine.raw_connection()
    except dbapi_error as exc:  # callers handle SQLAlchemy's errors, as for every other query
        raise DBAPIError.instance(None, None, exc, dbapi_error, dialect=engine.dialect) from exc
    try:
        cursor = raw.cursor()
        try:
            yield cursor
            raw.commit()
        except dbapi_error as exc:
            with contextlib.suppress(dbapi_error):
                raw.rollback()
            raise DBAPIError.instance(None, None, exc, dbapi_error, dialect=engine.dialect) from exc
        except BaseException:
            raw.rollback()
            raise
        finally:
            with contextlib.suppress(dbapi_error):
                cursor.close()
    finally:
        raw.close()


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
