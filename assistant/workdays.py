"""Appointment dates in working days, as one-stop counters count them.

Saturdays, Sundays and Vietnam's public holidays (Tết and Hùng Kings' day by the lunar
calendar, from the maintained `holidays` package) are skipped, plus any local days off.
A dossier received after the cut-off hour, or on a day off, counts from the next working day.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from functools import lru_cache

import holidays

from assistant.catalog.schema import TimeLimit


@lru_cache(maxsize=64)
def _vietnam_holidays(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("VN", years=year))


class WorkCalendar:
    def __init__(self, extra_days_off: Iterable[dt.date] = ()) -> None:
        self.extra_days_off = frozenset(extra_days_off)

    def is_working_day(self, day: dt.date) -> bool:
        return day.weekday() < 5 and day not in _vietnam_holidays(day.year) and day not in self.extra_days_off

    def next_working_day(self, day: dt.date) -> dt.date:
        """The first working day strictly after `day`."""
        day += dt.timedelta(days=1)
        while not self.is_working_day(day):
            day += dt.timedelta(days=1)
        return day

    def add_working_days(self, start: dt.date, n: float) -> dt.date:
        """`start` plus n working days (a half day rounds up to a whole one)."""
        day = start
        for _ in range(math.ceil(n)):
            day = self.next_working_day(day)
        return day

    def counting_start(self, received: dt.datetime, cutoff: str | None) -> dt.date:
        """The working day a receipt counts from: same day, or the next after the cut-off or a day off."""
        day = received.date()
        late = cutoff is not None and received.time() > dt.time.fromisoformat(cutoff)
        if late or not self.is_working_day(day):
            return self.next_working_day(day)
        return day

    def due_date(self, received: dt.datetime, time_limit: TimeLimit) -> dt.date | None:
        """The appointment date (ngày hẹn trả), or None when the time limit has no day count."""
        if not time_limit.same_day and time_limit.working_days is None:
            return None
        start = self.counting_start(received, time_limit.cutoff)
        if time_limit.same_day or not time_limit.working_days:
            return start
        return self.add_working_days(start, time_limit.working_days)

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after `start` up to and including `end` (negative when end is earlier)."""
        if end == start:
            return 0
        sign, (a, b) = (1, (start, end)) if end > start else (-1, (end, start))
        count, day = 0, a
        while day < b:
            day += dt.timedelta(days=1)
            count += self.is_working_day(day)
        return sign * count
