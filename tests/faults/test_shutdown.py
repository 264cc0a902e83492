"""SIGTERM to the real process: in-flight work finishes, the process exits 0, the outbox stays consistent.

The process is started as `make run` starts it (`python bot.py`) and as operators start the web
server (`python -m assistant serve`, also with `--workers 2`): a private SQLite data directory,
no Telegram token, and the Zalo channel pointed at a fake Zalo platform on 127.0.0.1 so that
outbox notifications are really being sent when the signal arrives. Nothing is timed by
sleeping: the chat request is held open with `Expect: 100-continue` (so it is provably inside
the application), the notification is provably in flight (the fake Zalo has received it and
stalls), and the shutdown is provably under way (uvicorn logs that it is waiting for
connections) before the test lets either of them finish.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select

from assistant.app import attach_database
from assistant.channels.delivery import OutboxDispatcher, utcnow
from assistant.channels.turns import ConversationTurns
from assistant.channels.zalo import ZaloChannel
from assistant.config import Settings
from assistant.core import Assistant
from assistant.store import Outbox, make_engine, upgrade
from assistant.store.models import OutboxRow
from tests.channels.zalo.fake_zalo import APP_ID, APP_SECRET, OA_SECRET
from tests.faults.platforms import StallingZalo
from tests.faults.process import AssistantProcess, base_env, held_request
from tests.web.live import free_port

QUESTION = "giay doc than mat bao lau"
PROCEDURE = "marriage-status-certification"
USER = "9900112233"
NOTES = [f"Hồ sơ 000.00.10.H32-261120-000{n} đã thay đổi trạng thái." for n in (1, 3, 4)]
EXIT_BOUND = 25.0  # seconds from SIGTERM to exit: uvicorn's 10 s grace plus the outbox's, with room


@pytest.fixture
async def zalo() -> AsyncIterator[StallingZalo]:
    async with StallingZalo(stall_bound=20) as server:
        yield server


def prepare(data_dir: Path) -> Path:
    """The embedded database, migrated, with three notifications waiting for the Zalo user."""
    path = data_dir / "assistant.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    outbox = Outbox(engine)
    for note in NOTES:
        outbox.add("zalo", USER, note)
    engine.dispose()
    return path


def outbox_rows(path: Path) -> list:
    engine = make_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            return conn.execute(select(OutboxRow.__table__).order_by(OutboxRow.id)).all()
    finally:
        engine.dispose()


def zalo_env(zalo: StallingZalo) -> dict[str, str]:
    access, refresh = zalo.initial
    return {"ZALO_APP_ID": APP_ID, "ZALO_APP_SECRET": APP_SECRET, "ZALO_OA_SECRET_KEY": OA_SECRET,
            "ZALO_ACCESS_TOKEN": access, "ZALO_REFRESH_TOKEN": refresh, "ZALO_API_BASE": zalo.api_base,
            "ZALO_OAUTH_BASE": zalo.api_base}


COMMANDS = {
    "bot.py": ["bot.py"],
    "serve": ["-m", "assistant", "serve"],
    "serve-2-workers": ["-m", "assistant", "serve", "--workers", "2"],
}


@pytest.mark.parametrize("command", list(COMMANDS))
async def test_sigterm_finishes_the_in_flight_chat_and_notification_then_exits_0(command, tmp_path, zalo):
    data = tmp_path / "data"
    database = prepare(data)
    port = free_port()
    zalo.stall()  # the first notification reaches Zalo and gets no answer until the test says so
    process = AssistantProcess(COMMANDS[command], base_env(data, port, **zalo_env(zalo)), port)
    try:
        await process.start()
        await zalo.stalls.wait_started(1)  # a notification is in flight: its rows are claimed
        held = await held_request(port, {"session_id": "shutdown-1", "text": QUESTION})

        process.terminate()
        await process.wait_log("Waiting for connections to close")  # draining, our request still open
        status, reply = await held.finish()
        assert status == 200
        assert reply["status"] == "answer" and reply["procedure_id"] == PROCEDURE
        assert "01 ngày làm việc" in reply["reply"]

        zalo.stalls.release()  # Zalo answers (a 504: the client retries it) while the process stops
        assert await process.wait_exit(EXIT_BOUND) == 0
    finally:
        zalo.stalls.release()
        await process.kill()

    assert "Traceback" not in process.log, process.log[-4000:]
    rows = outbox_rows(database)
    assert [r.claimed_by for r in rows] == [None] * len(NOTES)  # nothing left claimed by the dead process
    delivered = [m.text for m in zalo.to(USER)]
    assert NOTES[0] in delivered  # the notification in flight at SIGTERM was finished
    assert len(delivered) == len(set(delivered))  # nothing sent twice
    # The rest of the batch was not started after SIGTERM: handed back, due for the next worker.
    assert sorted(r.text for r in rows if r.delivered_at is not None) == sorted(delivered)
    assert all(r.claimed_until is None for r in rows if r.delivered_at is None)


# -- a platform that never answers while the process stops ----------------------------------------------


@pytest.fixture
def wired(shipped_catalog, tmp_path, sqlite_engine) -> Assistant:
    assistant = Assistant(shipped_catalog, dataclasses.replace(Settings(), data_dir=tmp_path))
    attach_database(assistant, sqlite_engine)
    return assistant


async def test_a_stuck_notification_does_not_hold_shutdown_and_is_not_lost(wired, sqlite_engine, zalo, tmp_path):
    access, refresh = zalo.initial
    settings = dataclasses.replace(
        wired.settings, data_dir=tmp_path / "zalo", zalo_app_id=APP_ID, zalo_app_secret=APP_SECRET,
        zalo_oa_secret_key=OA_SECRET, zalo_access_token=access, zalo_refresh_token=refresh,
        zalo_api_base=zalo.api_base, zalo_oauth_base=zalo.api_base)
    turns = ConversationTurns(sqlite_engine)
    channel = ZaloChannel(settings, wired, sqlite_engine, turns=turns, outbox_interval=0.1,
                          client_options={"timeout": 15.0})
    outbox = Outbox(sqlite_engine)
    ids = [outbox.add("zalo", USER, note) for note in NOTES]
    zalo.stall()
    await channel.start()
    try:
        await zalo.stalls.wait_started(1)
        stopped_at = utcnow()
        await channel.stop(timeout=0.5)  # the grace period ends with the send still stuck
        assert (utcnow() - stopped_at).total_seconds() < 5
    finally:
        zalo.stalls.release()
        turns.close()
    assert zalo.to(USER) == []

    with sqlite_engine.connect() as conn:
        rows = conn.execute(select(OutboxRow.__table__).where(OutboxRow.id.in_(ids))).all()
    assert all(r.delivered_at is None for r in rows)
    if hasattr(Outbox, "release"):
        assert all(r.claimed_by is None for r in rows)  # released at once for the next worker
    else:  # the lease expires: never claimed forever
        assert all(r.claimed_by is None or r.claimed_until <= utcnow() + dt.timedelta(seconds=outbox.claim_seconds)
                   for r in rows)

    # The next worker delivers every one of them, exactly once.
    successor = ZaloChannel(settings, wired, sqlite_engine, turns=ConversationTurns(sqlite_engine))
    later = max([utcnow()] + [r.claimed_until for r in rows if r.claimed_until]) + dt.timedelta(seconds=1)
    dispatcher = OutboxDispatcher(outbox, "zalo", successor.deliver, "zalo:successor")
    try:
        assert await dispatcher.drain_once(later) == len(NOTES)
        assert await dispatcher.drain_once(later + dt.timedelta(days=1)) == 0
    finally:
        await successor.stop()
        successor.turns.close()
    assert sorted(m.text for m in zalo.to(USER)) == sorted(NOTES)


# -- starting while the database is down -----------------------------------------------------------------


@pytest.fixture
def dead_postgres():
    """A PostgreSQL URL (private schema) that goes through a proxy which starts cut."""
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from tests.conftest_db import postgres_url
    from tests.faults.proxy import TcpProxy

    url = make_url(postgres_url())
    schema = f"tthc_start_{free_port()}"
    admin = make_engine(url.render_as_string(hide_password=False))
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
    proxy.down()
    proxied = url.set(host="127.0.0.1", port=proxy.port, query={"options": f"-csearch_path={schema}"})
    try:
        yield proxy, proxied.render_as_string(hide_password=False)
    finally:
        proxy.close()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.mark.postgres
@pytest.mark.parametrize("command", ["bot.py", "serve-2-workers"])
async def test_starts_while_the_database_is_down_and_recovers_by_itself(command, tmp_path, dead_postgres):
    """`make run` (or the workers) after a power cut that brought the bot's host up before the
    database's."""
    import httpx

    proxy, url = dead_postgres
    port = free_port()
    env = base_env(tmp_path / "data", port, DATABASE_URL=url)
    process = AssistantProcess(COMMANDS[command], env, port)
    code = "000.00.10.H32-261120-0001"
    try:
        await process.start(ready=False)
        async with httpx.AsyncClient(base_url=process.url, timeout=15) as http:
            await process.wait_ready((200, 503))
            health = await http.get("/healthz")
            assert health.status_code == 503 and health.json()["status"] == "degraded"
            response = await http.post("/api/chat", json={"session_id": "start-session-1", "text": QUESTION})
            assert response.status_code == 200, f"{response.text}\n{process.log[-3000:]}"
            answer = response.json()
            assert answer["status"] == "answer" and answer["procedure_id"] == PROCEDURE
            lookup = (await http.post("/api/chat", json={"session_id": "start-session-1", "text": f"hồ sơ {code}"})).json()
            assert "tạm thời chưa tra cứu được" in lookup["reply"]

            proxy.up()  # the database comes back: schema created, lookups work, no restart
            deadline = asyncio.get_running_loop().time() + 30
            while True:
                lookup = (await http.post("/api/chat", json={"session_id": "start-session-1",
                                                             "text": f"hồ sơ {code}"})).json()
                if "Không tìm thấy hồ sơ" in lookup["reply"] or asyncio.get_running_loop().time() > deadline:
                    break
                await asyncio.sleep(0.5)
            assert "Không tìm thấy hồ sơ" in lookup["reply"], lookup["reply"]
            assert (await http.get("/healthz")).status_code == 200
        process.terminate()
        assert await process.wait_exit(EXIT_BOUND) == 0
    finally:
        await process.kill()
    assert "Traceback" not in process.log, process.log[-4000:]
