"""Which clarifying questions stayed unresolved, and report periods in Vietnam time.

A clarification ("Bạn muốn hỏi thủ tục nào?") is not an unanswered question when the citizen
then picked one of the offered procedures: the web chat, Telegram and Zalo record that pick as a
"picked" row in the question log, from the same (hashed) user. Both staff reports use this rule,
so "unanswered" and the service report's "answered" agree.

Question-log and feedback times are stored in UTC; people read dates in Asia/Ho_Chi_Minh, so a
report day is a Vietnam day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
PICKED = "picked"  # question-log status of a clarification option being chosen (not a question)
RESOLVE_WINDOW = dt.timedelta(minutes=30)


def vn_today(now: dt.datetime | None = None) -> dt.date:
    """Today as people at the counter say it (the server clock may be UTC)."""
    return (now or dt.datetime.now(dt.UTC)).astimezone(VN_TZ).date()


def vn_day_start_utc(day: dt.date) -> dt.datetime:
    """The naive-UTC instant a Vietnam calendar day starts (how created_at columns are stored)."""
    return dt.datetime.combine(day, dt.time(), VN_TZ).astimezone(dt.UTC).replace(tzinfo=None)


def resolved_clarifications(rows: Iterable[tuple[int, str, str | None, dt.datetime]]) -> set[int]:
    """Ids of "clarify" rows followed, within RESOLVE_WINDOW and before the same user's next
    clarification, by a "picked" row of that user. `rows`: (id, status, user_hash, created_at)."""
    by_user: dict[str, list[tuple[dt.datetime, int, str]]] = {}
    for row_id, status, user, at in rows:
        if user and status in ("clarify", PICKED):
            by_user.setdefault(user, []).append((at, row_id, status))
    resolved: set[int] = set()
    for events in by_user.values():
        events.sort()
        open_clarify: tuple[dt.datetime, int] | None = None
        for at, row_id, status in events:
            if status == "clarify":
                open_clarify = (at, row_id)
            elif open_clarify is not None and at - open_clarify[0] <= RESOLVE_WINDOW:
                resolved.add(open_clarify[1])
                open_clarify = None
    return resolved


__all__ = ["PICKED", "RESOLVE_WINDOW", "VN_TZ", "resolved_clarifications", "vn_day_start_utc", "vn_today"]
