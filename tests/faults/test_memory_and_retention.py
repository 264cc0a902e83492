"""Finding 12: the caches keyed by message text are bounded in bytes, and conversations and the
question log are deleted after a configurable retention period, daily in the server and on
demand with `python -m assistant retention run`.

Before the fix two 65,536-entry caches took a worker from 110 MB to 1.12 GB with unique
~2,100-character messages, and nothing was ever pruned."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import gc
import random
import subprocess
import sys
import tracemalloc
from pathlib import Path

from sqlalchemy import func, select

from assistant.config import Settings
from assistant.store import make_engine, upgrade
from assistant.store.models import ConversationRow, QuestionLogRow
from assistant.store.repos import ConversationStore, QuestionLog
from assistant.store.retention import RetentionTask, run_retention
from assistant.text import bytecache
from assistant.text.normalize import fold, normalize

ROOT = Path(__file__).resolve().parents[2]
WORDS = "đăng ký khai sinh cho con thủ tục giấy tờ lệ phí bao lâu ở đâu hộ khẩu tạm trú căn cước".split()


def _message(rng: random.Random, chars: int) -> str:
    words: list[str] = []
    while sum(len(w) + 1 for w in words) < chars:
        words.append(rng.choice(WORDS) + str(rng.randrange(10_000)))
    return " ".join(words)[:chars]


def test_text_caches_stay_within_their_byte_budget():
    budget = 2 * 1024 * 1024
    bytecache.configure(budget)
    try:
        rng = random.Random(12)
        gc.collect()
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        for length in (2100, 400, 120):  # long stories, and shorter ones that are cached
            for _ in range(1500):
                normalize(_message(rng, length))
        gc.collect()
        retained = tracemalloc.get_traced_memory()[0] - before
        tracemalloc.stop()
        assert bytecache.cached_bytes() <= budget
        assert retained < budget * 2, f"{retained / 1e6:.1f} MB retained"  # old caches: ~30 MB here
        assert fold("Đăng Ký") == "dang ky" and normalize("dk khai sinh") == "dang ky khai sinh"
    finally:
        bytecache.configure(Settings().cache_bytes)


def _age(engine, table, column, key_column, keys, when):
    with engine.begin() as conn:
        conn.execute(table.update().where(key_column.in_(keys)).values({column: when}))


def test_retention_deletes_old_conversations_and_questions(engine):
    conversations, questions = ConversationStore(engine), QuestionLog(engine)
    for n in range(5):
        conversations.save(f"web:session-{n}", {"turns": n})
        questions.add(f"câu hỏi {n}", f"cau hoi {n}", "not_found", [], "web")
    long_ago = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(days=200)
    _age(engine, ConversationRow.__table__, "updated_at", ConversationRow.key, ["web:session-0", "web:session-1"],
         long_ago)
    with engine.begin() as conn:
        conn.execute(QuestionLogRow.__table__.update().where(QuestionLogRow.id <= 3).values(created_at=long_ago))
    report = run_retention(engine, Settings())  # 180 days by default
    assert report.deleted["conversations"] == 2 and report.deleted["question_log"] == 3
    assert run_retention(engine, dataclasses.replace(Settings(), retention_days=0)).deleted.get("conversations") is None
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(ConversationRow)).scalar() == 3
        assert conn.execute(select(func.count()).select_from(QuestionLogRow)).scalar() == 2


def test_retention_command_and_daily_task(tmp_path):
    url = f"sqlite:///{tmp_path / 'data' / 'assistant.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    ConversationStore(engine).save("web:old", {"turns": 1})
    ConversationStore(engine).save("web:new", {"turns": 1})
    _age(engine, ConversationRow.__table__, "updated_at", ConversationRow.key, ["web:old"],
         dt.datetime(2020, 1, 1))
    done = subprocess.run([sys.executable, "-m", "assistant", "retention", "run"], capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "ASSISTANT_DATA_DIR": str(tmp_path / "data"),
                               "ASSISTANT_RETENTION_DAYS": "30", "PYTHONPATH": str(ROOT)},
                          cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Đã xóa: 1 trạng thái hội thoại" in done.stdout and "giữ 30 ngày" in done.stdout
    assert "yêu cầu gặp cán bộ" in done.stdout  # handoff transcripts in the same run

    ConversationStore(engine).save("web:old-again", {"turns": 1})
    _age(engine, ConversationRow.__table__, "updated_at", ConversationRow.key, ["web:old-again"],
         dt.datetime(2020, 1, 1))

    async def one_day() -> None:
        task = RetentionTask(engine, Settings(), interval=3600, first_delay=0.05)
        task.start()
        await asyncio.sleep(1.0)
        await task.stop()

    asyncio.run(one_day())
    with engine.connect() as conn:
        assert sorted(conn.execute(select(ConversationRow.key)).scalars()) == ["web:new"]
    engine.dispose()
