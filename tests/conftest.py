"""Shared fixtures: real databases (SQLite in tmp_path; PostgreSQL when DATABASE_URL_TEST is set).

Under REQUIRE_ALL=1 (CI) a test that would skip for a missing service fails instead.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import text

from assistant.catalog.loader import load_catalog
from assistant.store import make_engine, upgrade
from assistant.store.models import Base
from tests.factories import write_catalog

REQUIRE_ALL = os.environ.get("REQUIRE_ALL") == "1"
SHIPPED_CATALOG = Path(__file__).resolve().parents[1] / "procedures_catalog"


def skip_or_fail(reason: str) -> None:
    if REQUIRE_ALL:
        pytest.fail(f"REQUIRE_ALL=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture
def sqlite_engine(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'test.sqlite3'}")
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def postgres_engine():
    url = os.environ.get("DATABASE_URL_TEST")
    if not url:
        skip_or_fail("DATABASE_URL_TEST is not set (source .ci/postgres.sh to start PostgreSQL)")
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            Base.metadata.drop_all(conn)
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    except Exception as exc:  # server configured but not reachable
        skip_or_fail(f"PostgreSQL at DATABASE_URL_TEST is unreachable: {exc.__class__.__name__}")
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request):
    """Each database test runs on SQLite and on PostgreSQL."""
    return request.getfixturevalue(f"{request.param}_engine")


@pytest.fixture(scope="session")
def shipped_catalog():
    """The real catalogue with the demo locality, as `make run` serves it."""
    return load_catalog(SHIPPED_CATALOG, "khanh-vinh")


@pytest.fixture
def small_catalog(tmp_path):
    return load_catalog(write_catalog(tmp_path / "catalog"))
