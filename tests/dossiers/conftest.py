"""Database fixtures from tests/conftest_db.py (also loadable as a plugin from tests/conftest.py)."""

from tests.conftest_db import (  # noqa: F401
    engine,
    fresh_engine,
    fresh_postgres_engine,
    fresh_sqlite_engine,
    postgres_engine,
    postgres_session_engine,
    sqlite_engine,
    sqlite_template,
)
