"""Rate counters every worker shares, kept in the database.

A limit kept in process memory is multiplied by the number of workers (and reset by a restart),
so the throttles that protect dossier codes, ratings and subscriptions count here instead: one
row per (name, time bucket) in `throttle_counters`, incremented with an upsert. A window of W
seconds is the sum of the buckets that started within it (buckets are a tenth of the shortest
window, so the window slides in steps of that size).

Each check is one short write transaction; rows older than a day are deleted as they age
(`prune`, also run by retention).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import Engine, text

from assistant.store.db import driver_sql, raw_transaction, retry_locked

BUCKET_SECONDS = 60
KEEP_SECONDS = 86_400  # longest window any limit uses
_UPSERT_SQL = ("INSERT INTO throttle_counters (name, bucket, hits) VALUES (?, ?, 1) "
               "ON CONFLICT (name, bucket) DO UPDATE SET hits = throttle_counters.hits + 1")
_TOTAL_SQL = "SELECT COALESCE(SUM(hits), 0) FROM throttle_counters WHERE name = ? AND bucket >= ?"


@dataclass(frozen=True, slots=True)
class Limit:
    """At most `limit` events per `window` seconds for one key (a session, an address, ...)."""

    limit: int
    window: float


@dataclass(frozen=True, slots=True)
class Count:
    name: str
    total: int  # events in the window, this one included when it was counted
    limit: Limit

    @property
    def exceeded(self) -> bool:
        return self.total > self.limit.limit

    @property
    def first_excess(self) -> bool:
        """This event is the one that crossed the limit: alert once per burst, not per event."""
        return self.total == self.limit.limit + 1


class SharedCounters:
    """Fixed-bucket counters in the database (see the module docstring)."""

    def __init__(self, engine: Engine, bucket_seconds: int = BUCKET_SECONDS,
                 clock: Callable[[], float] = time.time) -> None:
        self.engine = engine
        self.bucket_seconds = bucket_seconds
        self.clock = clock
        self._calls = 0
        self._sql: tuple[str, str] | None = None

    def _bucket(self, now: float) -> int:
        return int(now // self.bucket_seconds)

    def count(self, add: Sequence[tuple[str, Limit]], check: Sequence[tuple[str, Limit]] = ()) -> list[Count]:
        """Count one event for each name of `add`, then return the window totals of `add` and
        `check` (in that order), in one transaction (driver statements: this runs on every
        dossier lookup)."""
        now = self.clock()
        bucket = self._bucket(now)
        upsert, total = self._statements()

        def work() -> list[Count]:
            with raw_transaction(self.engine) as cursor:
                for name, _ in add:
                    cursor.execute(upsert, (name, bucket))
                counts = []
                for name, limit in (*add, *check):
                    cursor.execute(total, (name, self._bucket(now - limit.window) + 1))
                    counts.append(Count(name, int(cursor.fetchone()[0] or 0), limit))
                return counts

        counts = retry_locked(work)
        self._calls += 1
        if self._calls % 1000 == 0:
            self.prune()
        return counts

    def _statements(self) -> tuple[str, str]:
        if self._sql is None:
            self._sql = (driver_sql(self.engine, _UPSERT_SQL), driver_sql(self.engine, _TOTAL_SQL))
        return self._sql

    def retry_after(self, name: str, limit: Limit) -> float:
        """Seconds until one more event of `name` would be within `limit` (a bucket b leaves the
        window at b * bucket_seconds + window)."""
        now = self.clock()
        first = self._bucket(now - limit.window) + 1
        with self.engine.connect() as conn:
            rows = conn.execute(text("SELECT bucket, hits FROM throttle_counters WHERE name = :name "
                                     "AND bucket >= :first ORDER BY bucket"), {"name": name, "first": first}).all()
        total = sum(hits for _, hits in rows)
        for bucket, hits in rows:
            if total < limit.limit:
                break
            total -= hits
            if total < limit.limit:
                return max(0.0, bucket * self.bucket_seconds + limit.window - now)
        return 0.0

    def prune(self, keep_seconds: float = KEEP_SECONDS) -> int:
        """Delete buckets older than any window; returns how many rows went."""
        oldest = self._bucket(self.clock() - keep_seconds)
        with self.engine.begin() as conn:
            return conn.execute(text("DELETE FROM throttle_counters WHERE bucket < :oldest"),
                                {"oldest": oldest}).rowcount or 0


__all__ = ["Count", "Limit", "SharedCounters"]
