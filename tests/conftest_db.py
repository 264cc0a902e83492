"""Database fixtures: real SQLite files and, when available, a real PostgreSQL server.

Load with `pytest_plugins = ["tests.conftest_db"]` in tests/conftest.py (or import the fixtures
into a directory's conftest.py).

- `sqlite_engine`: a migrated SQLite file in tmp_path (copied from a template migrated once per
  session, so a test pays a file copy rather than a migration run).
- `postgres_engine`: a migrated PostgreSQL schema private to this test session (so parallel
  sessions on one server do not collide), emptied before each test. The server comes from
  `DATABASE_URL_TEST` (`source .ci/postgres.sh` starts one). Without it the tests skip with the
  reason, or fail when `REQUIRE_ALL=1` (CI), so a missing service cannot pass silently.
- `engine`: parametrised over both; `fresh_engine`: both, empty and not migrated.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from assistant.store import make_engine, upgrade
from assistant.store.models import Base

REQUIRE_ALL = os.environ.get("REQUIRE_ALL") == "1"
POSTGRES_URL_ENV = "DATABASE_URL_TEST"
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def skip_or_fail(reason: str) -> None:
    """Skip with `reason`, or fail under REQUIRE_ALL=1."""
    if REQUIRE_ALL:
        pytest.fail(f"REQUIRE_ALL=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def postgres_url() -> str:
    """DATABASE_URL_TEST, or skip/fail with instructions."""
    url = os.environ.get(POSTGRES_URL_ENV)
    if not url:
        skip_or_fail(f"{POSTGRES_URL_ENV} is not set (run `source .ci/postgres.sh` to start PostgreSQL)")
    if make_url(url).get_backend_name() != "postgresql":
        skip_or_fail(f"{POSTGRES_URL_ENV} is not a PostgreSQL URL")
    return url


@contextmanager
def postgres_schema(url: str, prefix: str = "t") -> Iterator[Engine]:
    """An engine whose connections live in a new, empty schema, dropped afterwards."""
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = make_engine(url)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # configured but not reachable, or no CREATE privilege
        admin.dispose()
        skip_or_fail(f"PostgreSQL at {POSTGRES_URL_ENV} is unusable: {exc.__class__.__name__}: {str(exc)[:200]}")
    engine = make_engine(url, connect_args={"options": f"-csearch_path={schema}"})
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


# -- SQLite --------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("db-template") / "template.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture
def sqlite_engine(tmp_path, sqlite_template) -> Iterator[Engine]:
    path = tmp_path / "test.sqlite3"
    shutil.copyfile(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


@pytest.fixture
def fresh_sqlite_engine(tmp_path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'fresh' / 'assistant.sqlite3'}")
    yield engine
    engine.dispose()


# -- PostgreSQL ----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def postgres_session_engine() -> Iterator[Engine]:
    with postgres_schema(postgres_url(), prefix="tthc_test") as engine:
        upgrade(engine)
        yield engine


@pytest.fixture
def postgres_engine(postgres_session_engine) -> Engine:
    """The session's schema, emptied: as good as a fresh database, in milliseconds."""
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with postgres_session_engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    return postgres_session_engine


@pytest.fixture
def fresh_postgres_engine() -> Iterator[Engine]:
    with postgres_schema(postgres_url(), prefix="tthc_fresh") as engine:
        yield engine


# -- both ----------------------------------------------------------------------------------------


@pytest.fixture(params=BACKENDS)
def engine(request) -> Engine:
    """Each database test runs on SQLite and on PostgreSQL."""
    return request.getfixturevalue(f"{request.param}_engine")


@pytest.fixture(params=BACKENDS)
def fresh_engine(request) -> Engine:
    """An empty database (no tables), on SQLite and on PostgreSQL."""
    return request.getfixturevalue(f"fresh_{request.param}_engine")
