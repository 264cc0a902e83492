"""Fixtures shared by the property tests: one real core per module (catalogue parsing costs
about a second), wired to a real SQLite database like the composition root wires it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from assistant.app import attach_database
from assistant.config import Settings
from assistant.core import Assistant
from assistant.store import make_engine


@pytest.fixture(scope="module")
def module_engine(tmp_path_factory, sqlite_template) -> Iterator[Engine]:
    path = tmp_path_factory.mktemp("props-db") / "props.sqlite3"
    shutil.copyfile(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def wired_assistant(shipped_catalog, module_engine, tmp_path_factory) -> Assistant:
    settings = Settings(locality="khanh-hoa", data_dir=tmp_path_factory.mktemp("props-data"))
    assistant = Assistant(shipped_catalog, settings)
    attach_database(assistant, module_engine)
    return assistant
