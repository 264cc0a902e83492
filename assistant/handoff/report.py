"""Handoff figures for `report service`: requests opened and answered, time to first reply in
office minutes (median and 90th percentile), and requests left unanswered past one working day.

Office minutes, not wall-clock minutes: a question sent on Saturday evening and answered at
7:40 on Monday waited ten minutes of the desk's time, which is what the one-stop can act on.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from sqlalchemy import Engine, select

from assistant.handoff.desk import VN_TZ
from assistant.handoff.hours import OfficeHours, parse_periods
from assistant.handoff.models import HandoffRequest
from assistant.store.repos import utcnow
from assistant.workdays import WorkCalendar


@dataclass
class HandoffFigures:
    opened: int = 0
    answered: int = 0
    median_minutes: float | None = None
    p90_minutes: float | None = None
    unanswered_past_day: int = 0
    open_now: int = 0

    def rows(self) -> list[tuple[str, str, str]]:
        def minutes(value: float | None) -> str:
            return "—" if value is None else f"{value:.0f} phút"

        answered = f"{100.0 * self.answered / self.opened:.1f}%" if self.opened else ""
        return [
            ("Yêu cầu gặp cán bộ", str(self.opened), ""),
            ("  Đã được cán bộ trả lời", str(self.answered), answered),
            ("  Thời gian đến câu trả lời đầu, trung vị (giờ làm việc)", minutes(self.median_minutes), ""),
            ("  Thời gian đến câu trả lời đầu, 90% yêu cầu trong vòng", minutes(self.p90_minutes), ""),
            ("  Chờ quá 01 ngày làm việc chưa được trả lời", str(self.unanswered_past_day), ""),
            ("  Đang mở", str(self.open_now), ""),
        ]


def _utc(local: dt.datetime) -> dt.datetime:
    return local.replace(tzinfo=VN_TZ).astimezone(dt.UTC).replace(tzinfo=None)


def _local(utc: dt.datetime) -> dt.datetime:
    return utc.replace(tzinfo=dt.UTC).astimezone(VN_TZ).replace(tzinfo=None)


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0–100): a value that really occurred."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def handoff_figures(engine: Engine, start: dt.date, end: dt.date, hours: OfficeHours,
                    locality: str | None = None, now: dt.datetime | None = None) -> HandoffFigures:
    """Figures for requests opened from `start` to `end` (Vietnam dates, inclusive)."""
    now = now or utcnow()
    lo = _utc(dt.datetime.combine(start, dt.time()))
    hi = _utc(dt.datetime.combine(end + dt.timedelta(days=1), dt.time()))
    r = HandoffRequest.__table__
    query = select(r.c.opened_at, r.c.first_reply_at, r.c.status, r.c.closed_at, r.c.closed_by).where(
        r.c.opened_at >= lo, r.c.opened_at < hi)
    if locality:
        query = query.where(r.c.locality == locality)
    figures = HandoffFigures()
    waits: list[float] = []
    day = hours.minutes_per_day
    with engine.connect() as conn:
        for opened, first, status, closed_at, closed_by in conn.execute(query):
            figures.opened += 1
            figures.open_now += status == "open"
            if first is not None:
                figures.answered += 1
                waited = hours.minutes_between(_local(opened), _local(first))
                waits.append(waited)
                figures.unanswered_past_day += waited > day
                continue
            if status != "open" and closed_by == "người dân":
                continue  # the citizen went back to the bot: nothing was left waiting
            until = now if status == "open" else (closed_at or now)
            figures.unanswered_past_day += hours.minutes_between(_local(opened), _local(until)) > day
    if waits:
        figures.median_minutes = percentile(waits, 50)
        figures.p90_minutes = percentile(waits, 90)
    return figures


def hours_of(catalog, office_hours: str | None = None) -> OfficeHours:
    """The office hours of a catalogue's locality (for reports run outside the server)."""
    locality = catalog.locality
    calendar = WorkCalendar(extra_days_off=locality.extra_days_off if locality else ())
    text = office_hours or (locality.one_stop.hours if locality and locality.one_stop else None)
    return OfficeHours(calendar, parse_periods(text))


def format_figures(figures: HandoffFigures) -> str:
    rows = figures.rows()
    width = max(len(label) for label, _, _ in rows)
    return "\n".join(f"{label:<{width}}  {value:>10}  {pct}".rstrip() for label, value, pct in rows)


__all__ = ["HandoffFigures", "format_figures", "handoff_figures", "hours_of", "percentile"]
