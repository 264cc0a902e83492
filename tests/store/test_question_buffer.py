"""The batching question log: rows arrive on flush, survive a database outage, flush on close."""

from __future__ import annotations

import json

from sqlalchemy import create_engine, func, select

from assistant.store import make_engine, upgrade
from assistant.store.models import QuestionLogRow
from assistant.store.question_buffer import QuestionLogBuffer


def _count(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(QuestionLogRow.__table__)).scalar_one()


def _add(buffer: QuestionLogBuffer, n: int) -> None:
    for i in range(n):
        buffer.add(f"câu hỏi {i}", f"cau hoi {i}", "answer", [{"id": "x", "score": 80.0}], "web", user="u")


def test_rows_reach_the_table_in_one_batch(engine):
    buffer = QuestionLogBuffer(engine)
    _add(buffer, 25)
    assert _count(engine) == 0 and buffer.pending == 25
    assert buffer.flush() == 25
    assert _count(engine) == 25 and buffer.pending == 0
    with engine.connect() as conn:
        row = conn.execute(select(QuestionLogRow.__table__).order_by(QuestionLogRow.id)).mappings().first()
    assert row["text"] == "câu hỏi 0" and json.loads(row["candidates"]) == [{"id": "x", "score": 80.0}]


def test_close_stops_the_thread_and_writes_the_rest(sqlite_engine):
    buffer = QuestionLogBuffer(sqlite_engine, interval=3600).start()
    _add(buffer, 3)
    buffer.close()
    assert _count(sqlite_engine) == 3


def test_a_full_batch_wakes_the_writer(sqlite_engine):
    buffer = QuestionLogBuffer(sqlite_engine, interval=3600, batch=10).start()
    try:
        _add(buffer, 10)
        for _ in range(200):  # bounded: up to ~10 s
            if _count(sqlite_engine) == 10:
                break
            buffer._stop.wait(0.05)
        assert _count(sqlite_engine) == 10
    finally:
        buffer.close()


def test_database_outage_keeps_rows_for_later(tmp_path):
    broken = create_engine(f"sqlite:///{tmp_path}/missing-dir/x.db")  # cannot be opened
    buffer = QuestionLogBuffer(broken, max_pending=5)
    _add(buffer, 4)
    assert buffer.flush() == 0
    assert buffer.pending == 4
    _add(buffer, 3)  # over max_pending: the oldest go, counted
    assert buffer.pending == 5 and buffer.dropped == 2
    good = make_engine(f"sqlite:///{tmp_path}/ok.db")
    upgrade(good)
    buffer.engine = good
    assert buffer.flush() == 5
    with good.connect() as conn:
        texts = [r for (r,) in conn.execute(select(QuestionLogRow.text).order_by(QuestionLogRow.id))]
    assert texts == ["câu hỏi 2", "câu hỏi 3", "câu hỏi 0", "câu hỏi 1", "câu hỏi 2"]
