"""Office hours of the one-stop desk: when a civil servant can answer, and how many office
minutes passed between two moments (the fair measure of "time to first reply": a request sent
on Saturday night and answered at 8:00 on Monday waited minutes, not days).

Working days come from `assistant.workdays.WorkCalendar` (weekends, Vietnam's public holidays,
the locality's extra days off); the daily periods from the locality's `one_stop.hours`
("Sáng 7:00–11:30, chiều 13:30–17:00"), the ASSISTANT_OFFICE_HOURS setting, or a default.
All datetimes are naive Vietnam local time.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from assistant.workdays import WorkCalendar

DEFAULT_PERIODS = ((dt.time(7, 30), dt.time(11, 30)), (dt.time(13, 30), dt.time(17, 0)))
_PERIOD = re.compile(r"(\d{1,2})\s*(?:[:hg]\s*(\d{2})?)?\s*(?:[–—-]|đến)\s*(\d{1,2})\s*(?:[:hg]\s*(\d{2})?)?")
MAX_SCAN_DAYS = 60  # a calendar with no working day for two months is broken: stop looking


def parse_periods(text: str | None) -> tuple[tuple[dt.time, dt.time], ...]:
    """Daily office periods found in a free text such as "Sáng 7:00–11:30, chiều 13:30–17:00";
    the default periods when none can be read."""
    periods: list[tuple[dt.time, dt.time]] = []
    for h1, m1, h2, m2 in _PERIOD.findall(text or ""):
        try:
            start, end = dt.time(int(h1), int(m1 or 0)), dt.time(int(h2), int(m2 or 0))
        except ValueError:
            continue
        if start < end:
            periods.append((start, end))
    return tuple(sorted(periods)) or DEFAULT_PERIODS


@dataclass(frozen=True)
class OfficeHours:
    calendar: WorkCalendar
    periods: tuple[tuple[dt.time, dt.time], ...] = DEFAULT_PERIODS

    def _spans(self, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
        if not self.calendar.is_working_day(day):
            return []
        return [(dt.datetime.combine(day, a), dt.datetime.combine(day, b)) for a, b in self.periods]

    def is_open(self, moment: dt.datetime) -> bool:
        return any(a <= moment < b for a, b in self._spans(moment.date()))

    def next_opening(self, moment: dt.datetime) -> dt.datetime:
        """`moment` itself when the desk is open, otherwise when the next office period starts."""
        day = moment.date()
        for _ in range(MAX_SCAN_DAYS):
            for a, b in self._spans(day):
                if a <= moment < b:
                    return moment
                if a >= moment:
                    return a
            day += dt.timedelta(days=1)
        return moment

    def minutes_between(self, start: dt.datetime, end: dt.datetime) -> float:
        """Office minutes between two moments (0 when `end` is not after `start`)."""
        if end <= start:
            return 0.0
        total = 0.0
        day = start.date()
        for _ in range(min((end.date() - start.date()).days + 1, 366 * 5)):
            for a, b in self._spans(day):
                lo, hi = max(a, start), min(b, end)
                if hi > lo:
                    total += (hi - lo).total_seconds() / 60
            day += dt.timedelta(days=1)
        return total

    @property
    def minutes_per_day(self) -> float:
        return sum((dt.datetime.combine(dt.date.min, b) - dt.datetime.combine(dt.date.min, a)).total_seconds() / 60
                   for a, b in self.periods)

    def describe(self) -> str:
        """"7:30–11:30, 13:30–17:00" for citizens."""
        return ", ".join(f"{a.hour}:{a.minute:02d}–{b.hour}:{b.minute:02d}" for a, b in self.periods)


__all__ = ["DEFAULT_PERIODS", "OfficeHours", "parse_periods"]
