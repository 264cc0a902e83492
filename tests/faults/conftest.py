"""Fault fixtures: a database that can be taken away and given back while the assistant runs.

`outage` is parametrised over both backends:

- SQLite: the database file is moved aside and a directory put in its place, so every new
  connection fails with "unable to open database file"; `up()` puts the file back. The pool
  is disposed on `down()` (a file database has no server to lose, so "connections are
  reopened" is the closest real analogue of an outage).
- PostgreSQL: a real server behind `TcpProxy` on 127.0.0.1, cut with `down()` (connections
  reset, new ones refused) or `hang()` (new connections never answered) and restored with
  `up()`. The pool is *not* touched: recovery must come from the engine itself.

Skips (or fails under REQUIRE_ALL=1) when PostgreSQL is not available.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from assistant.store import make_engine, upgrade
from tests.conftest_db import postgres_url, skip_or_fail
from tests.faults.proxy import TcpProxy

CONNECT_TIMEOUT = 2  # seconds: libpq's minimum; keeps the "hang" tests short


@dataclass
class Outage:
    """A working, migrated database whose availability the test controls."""

    backend: str
    engine: Engine
    _down: callable = field(repr=False)  # type: ignore[valid-type]
    _up: callable = field(repr=False)  # type: ignore[valid-type]
    proxy: TcpProxy | None = None
    is_down: bool = False

    def down(self) -> None:
        self._down()
        self.is_down = True

    def up(self) -> None:
        self._up()
        self.is_down = False

    def hang(self) -> None:
        if self.proxy is None:
            pytest.skip("only a network database can hang")
        self.proxy.hang()
        self.is_down = True


@pytest.fixture
def sqlite_outage(tmp_path, sqlite_template) -> Iterator[Outage]:
    path = tmp_path / "outage" / "assistant.sqlite3"
    path.parent.mkdir()
    shutil.copyfile(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    aside = tmp_path / "aside"
    aside.mkdir()

    def down() -> None:
        engine.dispose()
        for suffix in ("", "-wal", "-shm"):
            source = Path(f"{path}{suffix}")
            if source.exists():
                source.rename(aside / source.name)
        path.mkdir()  # a directory where the file should be: every open fails

    def up() -> None:
        path.rmdir()
        for moved in aside.iterdir():
            moved.rename(path.parent / moved.name)

    outage = Outage("sqlite", engine, down, up)
    try:
        yield outage
    finally:
        if outage.is_down:
            up()
        engine.dispose()


@pytest.fixture
def postgres_outage() -> Iterator[Outage]:
    url = make_url(postgres_url())
    schema = f"tthc_fault_{uuid.uuid4().hex[:12]}"
    admin = make_engine(url.render_as_string(hide_password=False))
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:
        admin.dispose()
        skip_or_fail(f"PostgreSQL at DATABASE_URL_TEST is unusable: {exc.__class__.__name__}: {str(exc)[:200]}")
    options = f"-csearch_path={schema}"
    direct = make_engine(url.render_as_string(hide_password=False), connect_args={"options": options})
    upgrade(direct)
    direct.dispose()
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
    proxied = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    engine = make_engine(proxied, connect_args={"options": options, "connect_timeout": CONNECT_TIMEOUT})
    outage = Outage("postgres", engine, proxy.down, proxy.up, proxy=proxy)
    try:
        yield outage
    finally:
        proxy.up()
        engine.dispose()
        proxy.close()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def outage(request) -> Outage:
    return request.getfixturevalue(f"{request.param}_outage")
