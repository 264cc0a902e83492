"""Fixtures for scale-out tests: two real worker processes on one PostgreSQL schema.

The schema is the session's private one from tests/conftest_db.py (`postgres_engine`, emptied
before each test); workers reach it through DATABASE_URL with `options=-csearch_path=<schema>`.
Without PostgreSQL the tests skip with the reason, or fail under REQUIRE_ALL=1.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from tests.conftest import SHIPPED_CATALOG
from tests.conftest_db import postgres_url
from tests.scaleout.harness import ScaleoutZalo, Worker, worker_environment

TOKENS = ("access-worker-1", "access-worker-2")


def schema_url(engine: Engine) -> str:
    """DATABASE_URL for a worker process: the server of DATABASE_URL_TEST, this engine's schema."""
    with engine.connect() as conn:
        schema = conn.execute(text("SELECT current_schema()")).scalar_one()
    url = make_url(postgres_url()).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def zalo() -> Iterator[ScaleoutZalo]:
    fake = ScaleoutZalo(TOKENS).start_in_thread()
    try:
        yield fake
    finally:
        fake.stop_thread()


@pytest.fixture
def fresh_zalo(zalo) -> ScaleoutZalo:
    """The session's fake platform with an empty record."""
    zalo.reset()
    return zalo


@pytest.fixture
def catalog_dir(tmp_path) -> Path:
    """A private copy of the shipped catalogue that the test may edit."""
    return Path(shutil.copytree(SHIPPED_CATALOG, tmp_path / "catalog"))


@dataclass
class Cluster:
    engine: Engine
    database_url: str
    catalog_dir: Path
    workers: list[Worker]
    zalo: ScaleoutZalo
    tmp_path: Path

    def env(self, index: int = 0, **extra: str) -> dict[str, str]:
        """The environment of worker `index` (also what the staff CLI gets)."""
        return worker_environment(self.database_url, self.catalog_dir, self.tmp_path / f"data-{index + 1}",
                                  self.zalo, TOKENS[index], **extra)

    def make_workers(self, count: int = 2, **extra: str) -> list[Worker]:
        self.workers = [Worker(f"worker-{i + 1}", self.env(i, **extra), self.tmp_path) for i in range(count)]
        return self.workers


@pytest.fixture
def cluster(postgres_engine, fresh_zalo, catalog_dir, tmp_path) -> Iterator[Cluster]:
    """Two workers (not yet started: each test starts them with its own settings)."""
    cluster = Cluster(postgres_engine, schema_url(postgres_engine), catalog_dir, [], fresh_zalo, tmp_path)
    try:
        yield cluster
    finally:
        for worker in cluster.workers:
            worker.close()
