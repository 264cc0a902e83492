"""Start-up helpers shared by every way of running the assistant (runner, web workers, CLI).

Preparing the database (migrate, seed the demo), living with a database that is down at
start-up, and telling staff about a refused catalogue edit. They sit below `runner` and `web`
so that both can use them without importing each other (no import cycle).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import SQLAlchemyError

from assistant.app import open_database
from assistant.config import Settings
from assistant.core import Assistant
from assistant.store import make_engine, upgrade
from assistant.workdays import VN_TZ

log = logging.getLogger("assistant")

MIGRATE_RETRY_FIRST = 2.0  # seconds before retrying a start-up migration the database refused
MIGRATE_RETRY_CAP = 60.0


def seed_if_empty(engine, assistant: Assistant) -> None:
    """Demo dossiers on a fresh embedded database, so `make run` has codes to look up."""
    from assistant.dossiers.seed import seed_demo
    from assistant.store.models import Dossier

    if not assistant.settings.demo:
        return
    try:
        with engine.connect() as conn:
            count = conn.execute(select(func.count()).select_from(Dossier)).scalar()
        if not count:
            report = seed_demo(engine, assistant.catalog, dt.datetime.now(VN_TZ).replace(tzinfo=None))
            log.info("demo dossiers seeded: %s", report.summary())
    except SQLAlchemyError:
        log.warning("could not seed demo dossiers")


def refused_reload_text(problems) -> str:
    shown = [str(p) for p in problems[:15]]
    more = len(problems) - len(shown)
    return ("Danh mục vừa sửa có lỗi nên chưa được nạp; hệ thống vẫn dùng danh mục cũ. Cần sửa:\n"
            + "\n".join(shown) + (f"\n… và {more} lỗi khác." if more > 0 else ""))


def staff_notifier(settings: Settings, engine):
    """Tell staff on Telegram, through the outbox, when an edited catalogue was refused."""
    from assistant.store import Outbox

    def notify(problems) -> None:
        if not settings.telegram_token:
            return
        try:
            outbox = Outbox(engine)
            for chat_id in sorted(settings.staff_chat_ids):
                outbox.add("telegram", chat_id, refused_reload_text(problems))
        except SQLAlchemyError:
            log.warning("could not queue the refused-reload message for staff")

    return notify


def open_database_degraded(settings: Settings) -> tuple[Engine, bool]:
    """The engine, migrated when the database answers. A database that is down at start-up must
    not keep the assistant down: procedures are answered from the catalogue meanwhile and
    dossier lookups say "try again later". Returns (engine, migrated)."""
    try:
        return open_database(settings), True
    except SQLAlchemyError as exc:
        log.warning("database unavailable at start-up (%s); answering from the catalogue, retrying in the "
                    "background", exc.__class__.__name__)
        return make_engine(settings.effective_database_url), False


async def migrate_when_available(engine: Engine, assistant: Assistant, stop: asyncio.Event,
                                 first: float = MIGRATE_RETRY_FIRST, cap: float = MIGRATE_RETRY_CAP) -> None:
    """Retry the start-up migration (and the demo seed) until the database answers or we stop,
    so a database that comes back after the assistant needs no restart."""
    pause = first
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), pause)
        if stop.is_set():
            return
        try:
            await asyncio.to_thread(upgrade, engine)
        except SQLAlchemyError as exc:
            log.info("database still unavailable (%s); next try in %.0fs", exc.__class__.__name__,
                     min(cap, pause * 2))
            pause = min(cap, pause * 2)
            continue
        await asyncio.to_thread(seed_if_empty, engine, assistant)
        log.info("database available again: schema up to date")
        return
