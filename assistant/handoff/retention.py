"""Transcripts are kept for a configurable number of days (ASSISTANT_TRANSCRIPT_DAYS, 90 by
default), then deleted: `python -m assistant retention run`, and once a day by the server."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

from sqlalchemy import Engine

from assistant.handoff.store import HandoffStore
from assistant.store.repos import utcnow

log = logging.getLogger(__name__)
DAY = 24 * 3600.0
FIRST_RUN_DELAY = 60.0  # let the server settle first (migrations, channels)


def run_retention(engine: Engine, days: int, now: dt.datetime | None = None) -> int:
    """Delete handoff requests and transcripts untouched for `days` days; returns how many."""
    cutoff = (now or utcnow()) - dt.timedelta(days=max(1, days))
    deleted = HandoffStore(engine).forget_before(cutoff)
    if deleted:
        log.info("retention: %d handoff transcript(s) older than %d days deleted", deleted, days)
    return deleted


async def run_forever(engine: Engine, days: int, stop: asyncio.Event, *, first_delay: float = FIRST_RUN_DELAY,
                      every: float = DAY) -> None:
    """Run retention daily until `stop` is set. Several workers may each run it: deleting what is
    already gone is harmless. A database that is down is retried at the next run."""
    delay = first_delay
    while not stop.is_set():
        try:
            await asyncio.wait_for(stop.wait(), timeout=delay)
            return
        except TimeoutError:
            pass
        try:
            await asyncio.to_thread(run_retention, engine, days)
        except Exception as exc:
            log.warning("retention run failed (%s); next try in a day", exc.__class__.__name__)
        delay = every


__all__ = ["run_forever", "run_retention"]
