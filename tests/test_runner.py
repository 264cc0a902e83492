"""Hot reload in the running process tells staff about a refused catalogue through the outbox."""

import dataclasses
import os

from sqlalchemy import select

from assistant.app import build_assistant
from assistant.catalog.watch import CatalogWatcher
from assistant.config import Settings
from assistant.runner import seed_if_empty, staff_notifier
from assistant.store.models import Dossier, OutboxRow
from tests.factories import write_catalog


def test_refused_reload_is_queued_for_each_staff_chat(sqlite_engine, tmp_path):
    root = write_catalog(tmp_path / "catalog")
    settings = dataclasses.replace(Settings(), catalog_dir=root, locality=None, telegram_token="123:abc",
                                   staff_chat_ids=frozenset({"11", "22"}))
    assistant = build_assistant(settings, sqlite_engine)
    watcher = CatalogWatcher(root, assistant.reload, staff_notifier(settings, sqlite_engine))
    path = root / "ho-tich" / "birth-registration.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("level: commune", "level: village"), encoding="utf-8")
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    assert watcher.check_once()
    with sqlite_engine.connect() as conn:
        rows = conn.execute(select(OutboxRow.channel, OutboxRow.chat_id, OutboxRow.text)).all()
    assert sorted(chat for _, chat, _ in rows) == ["11", "22"]
    assert all(ch == "telegram" and f"{path}:" in text and "danh mục cũ" in text for ch, _, text in rows)


def test_demo_seed_only_on_an_empty_database(sqlite_engine, shipped_catalog):
    settings = dataclasses.replace(Settings(), locality="khanh-hoa")
    assistant = build_assistant(settings, sqlite_engine)
    seed_if_empty(sqlite_engine, assistant)
    with sqlite_engine.connect() as conn:
        count = len(conn.execute(select(Dossier.id)).all())
    assert count >= 12
    seed_if_empty(sqlite_engine, assistant)
    with sqlite_engine.connect() as conn:
        assert len(conn.execute(select(Dossier.id)).all()) == count
