"""Shared fixtures: real databases from tests/conftest_db.py (SQLite in tmp_path; PostgreSQL in a
private schema per session when DATABASE_URL_TEST is set) and small real catalogues.

Under REQUIRE_ALL=1 (CI) a test that would skip for a missing service fails instead.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.catalog.loader import load_catalog
from tests.conftest_db import REQUIRE_ALL, skip_or_fail  # noqa: F401  (re-exported for tests)
from tests.factories import write_catalog

pytest_plugins = ["tests.conftest_db"]

SHIPPED_CATALOG = Path(__file__).resolve().parents[1] / "procedures_catalog"


@pytest.fixture(scope="session")
def shipped_catalog():
    """The real catalogue with the demo locality, as `make run` serves it."""
    return load_catalog(SHIPPED_CATALOG, "khanh-hoa")


@pytest.fixture
def small_catalog(tmp_path):
    return load_catalog(write_catalog(tmp_path / "catalog"))
