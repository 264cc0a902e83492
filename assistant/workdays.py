"""Appointment dates in working days, as one-stop counters count them.

Saturdays, Sundays and Vietnam's public holidays are skipped, plus any local days off. The
holidays come from the maintained `holidays` package rather than a hand-kept list because Tết
and Giỗ Tổ Hùng Vương move with the lunar calendar and the Government announces substitute days
every year; the package covers both (verified for 2025–2027 in tests/test_workdays.py).

A dossier received after the cut-off hour (15:00 by default), or on a day off, counts from the
next working day. Datetimes are Vietnam local time; an aware datetime is converted first.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from assistant.catalog.schema import TimeLimit

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
MAX_WORKING_DAYS = 10_000  # far beyond any statutory limit; bounds loops on absurd input


@lru_cache(maxsize=64)
def _vietnam_holidays(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("VN", years=year))


def vietnam_holidays(year: int) -> frozenset[dt.date]:
    """Vietnam's public holidays and official substitute days off in `year`."""
    return _vietnam_holidays(year)


def warm_up(today: dt.date | None = None) -> None:
    """Build this year's and next year's holiday sets now. The `holidays` package computes the
    lunar holidays on first use (about 60 ms of CPU per year); a serving process does it at
    start-up so that the first citizen who asks for an appointment date does not wait for it,
    nor does every request queued behind that one."""
    year = (today or dt.date.today()).year
    for y in (year, year + 1):
        _vietnam_holidays(y)


def _local(moment: dt.datetime) -> dt.datetime:
    """Naive Vietnam local time: counters count days by the wall clock in Vietnam."""
    if moment.tzinfo is not None:
        return moment.astimezone(VN_TZ).replace(tzinfo=None)
    return moment


class WorkCalendar:
    """Working days of one locality: the national calendar plus `extra_days_off`
    (e.g. a provincial day off announced by the People's Committee)."""

    def __init__(self, extra_days_off: Iterable[dt.date] = ()) -> None:
        self.extra_days_off = frozenset(extra_days_off)

    def is_working_day(self, d: dt.date) -> bool:
        if isinstance(d, dt.datetime):
            d = _local(d).date()
        return d.weekday() < 5 and d not in _vietnam_holidays(d.year) and d not in self.extra_days_off

    def next_working_day(self, d: dt.date) -> dt.date:
        """The first working day strictly after `d`."""
        d += dt.timedelta(days=1)
        while not self.is_working_day(d):
            d += dt.timedelta(days=1)
        return d

    def previous_working_day(self, d: dt.date) -> dt.date:
        """The last working day strictly before `d`."""
        d -= dt.timedelta(days=1)
        while not self.is_working_day(d):
            d -= dt.timedelta(days=1)
        return d

    def add_working_days(self, start: dt.date, n: float) -> dt.date:
        """`start` plus n working days. Half a day rounds up to a whole one: a counter cannot
        promise "half past Tuesday", and promising too early is worse than too late."""
        if n < 0:
            raise ValueError("n must not be negative")
        d = start
        for _ in range(min(math.ceil(n), MAX_WORKING_DAYS)):
            d = self.next_working_day(d)
        return d

    def subtract_working_days(self, start: dt.date, n: int) -> dt.date:
        """`start` minus n working days (for demo data and reports)."""
        d = start
        for _ in range(min(max(n, 0), MAX_WORKING_DAYS)):
            d = self.previous_working_day(d)
        return d

    def counting_start(self, received: dt.datetime, cutoff: str | None = "15:00") -> dt.date:
        """The working day a receipt counts from: the same day, or the next working day when it
        came after the cut-off or on a day off."""
        received = _local(received)
        d = received.date()
        late = cutoff is not None and received.time() > dt.time.fromisoformat(cutoff)
        if late or not self.is_working_day(d):
            return self.next_working_day(d)
        return d

    def due_date(self, received: dt.datetime, time_limit: TimeLimit) -> dt.date | None:
        """The appointment date (ngày hẹn trả), computed from the time limit's numbers: counting
        start + working days; "same day" procedures are due on the counting start; calendar days
        land on the next working day when they end on a day off; hours round up to whole working
        days (promising too early is worse than too late). The extension is not added: the
        counter's receipt states it when verification is actually needed."""
        unit = getattr(time_limit.unit, "value", time_limit.unit)
        start = self.counting_start(received, time_limit.cutoff)
        if unit == "same_day" or not time_limit.value:
            return start
        if unit == "working_days":
            return self.add_working_days(start, time_limit.value)
        if unit == "calendar_days":
            end = start + dt.timedelta(days=math.ceil(time_limit.value))
            return end if self.is_working_day(end) else self.next_working_day(end)
        if unit == "hours":
            return self.add_working_days(start, math.ceil(time_limit.value / 8))
        return None

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after `start` up to and including `end`; negative when `end` is earlier.
        "Days late" on a status card is working_days_between(due, today)."""
        if end == start:
            return 0
        sign, (a, b) = (1, (start, end)) if end > start else (-1, (end, start))
        if (b - a).days > 366 * 30:  # bounded: a corrupt date must not hang a lookup
            b = a + dt.timedelta(days=366 * 30)
        count, d = 0, a
        while d < b:
            d += dt.timedelta(days=1)
            count += self.is_working_day(d)
        return sign * count
