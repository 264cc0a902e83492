"""Retention: what the store keeps about citizens is deleted once it has served its purpose.

- Conversations not touched for `retention_days` (the follow-up context of a chat).
- Question-log rows older than `retention_days` (staff reports look at recent months).
- Web notifications never fetched within `web_notification_days`: the page never came back,
  and a queue nobody reads must not grow forever. Delivered notifications older than
  `retention_days` go too.
- Shared throttle counters and seen webhook events older than a day (no limit looks further).

`python -m assistant retention run` does it once; every server process runs it daily
(`RetentionTask`). Deleting in batches keeps each write transaction short, so citizens'
writes never wait behind it.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import ClassVar

from sqlalchemy import Engine, and_, delete, select
from sqlalchemy.exc import SQLAlchemyError

from assistant.config import Settings
from assistant.store.db import retry_locked
from assistant.store.models import ConversationRow, OutboxRow, QuestionLogRow, SeenEvent
from assistant.store.repos import utcnow
from assistant.store.throttle import SharedCounters

log = logging.getLogger(__name__)

BATCH = 5000
DAY = dt.timedelta(days=1)


@dataclass
class RetentionReport:
    deleted: dict[str, int] = field(default_factory=dict)

    LABELS: ClassVar[dict[str, str]] = {"conversations": "trạng thái hội thoại", "question_log": "câu hỏi trong nhật ký",
                                         "outbox_delivered": "thông báo đã gửi",
                                         "outbox_web_expired": "thông báo web quá hạn chưa đọc",
                                         "seen_events": "sự kiện Zalo đã xử lý", "throttle_counters": "bộ đếm giới hạn"}

    def summary(self) -> str:
        """One Vietnamese line for staff (the log and `retention run`)."""
        parts = ", ".join(f"{count} {self.LABELS.get(table, table)}" for table, count in self.deleted.items())
        return f"Đã xóa: {parts}."


def _delete_batches(engine: Engine, table, condition) -> int:
    """Delete matching rows BATCH at a time, each batch its own short transaction."""
    key = table.primary_key.columns.values()[0]
    total = 0
    while True:
        def batch() -> int:
            with engine.begin() as conn:
                ids = select(key).where(condition).limit(BATCH).scalar_subquery()
                return conn.execute(delete(table).where(key.in_(ids))).rowcount or 0

        done = retry_locked(batch)
        total += done
        if done < BATCH:
            return total


def run_retention(engine: Engine, settings: Settings, now: dt.datetime | None = None) -> RetentionReport:
    """Delete what is past its retention period (see the module docstring); naive UTC `now`."""
    now = now or utcnow()
    report = RetentionReport()
    if settings.retention_days > 0:
        horizon = now - dt.timedelta(days=settings.retention_days)
        report.deleted["conversations"] = _delete_batches(
            engine, ConversationRow.__table__, ConversationRow.updated_at < horizon)
        report.deleted["question_log"] = _delete_batches(
            engine, QuestionLogRow.__table__, QuestionLogRow.created_at < horizon)
        report.deleted["outbox_delivered"] = _delete_batches(
            engine, OutboxRow.__table__, and_(OutboxRow.delivered_at.is_not(None), OutboxRow.created_at < horizon))
    if settings.web_notification_days > 0:
        expiry = now - dt.timedelta(days=settings.web_notification_days)
        report.deleted["outbox_web_expired"] = _delete_batches(
            engine, OutboxRow.__table__,
            and_(OutboxRow.channel == "web", OutboxRow.delivered_at.is_(None), OutboxRow.created_at < expiry))
    report.deleted["seen_events"] = _delete_batches(engine, SeenEvent.__table__, SeenEvent.seen_at < now - DAY)
    counters = SharedCounters(engine, clock=lambda: now.replace(tzinfo=dt.UTC).timestamp())
    report.deleted["throttle_counters"] = retry_locked(counters.prune)
    return report


class RetentionTask:
    """Runs retention in the background: soon after start-up, then every `interval` seconds.
    Every worker runs one; running it twice is harmless (the second finds nothing)."""

    def __init__(self, engine: Engine, settings: Settings, interval: float = 86_400.0,
                 first_delay: float = 60.0) -> None:
        self.engine = engine
        self.settings = settings
        self.interval = interval
        self.first_delay = first_delay
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="retention")

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            with contextlib.suppress(Exception):
                await self._task

    async def _run(self) -> None:
        delay = self.first_delay
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), delay)
            if self._stop.is_set():
                return
            delay = self.interval
            try:
                report = await asyncio.to_thread(run_retention, self.engine, self.settings)
                log.info("%s", report.summary())
            except SQLAlchemyError as exc:
                log.warning("retention postponed: database unavailable (%s)", exc.__class__.__name__)
                delay = min(self.interval, 3600.0)


__all__ = ["RetentionReport", "RetentionTask", "run_retention"]
