"""When the citizen says the dossier goes in: "thứ 2 nộp thì thứ mấy lấy", "4h chiều nộp thì mai có
không", "hôm qua em nộp rồi, bao giờ có".

An appointment date worked out from today answers another question than the one asked: whoever
files on Monday must get Monday's date, not today's. Only the moment of filing is read, never the
day the citizen hopes for the result ("thứ mấy lấy", "chiều lấy được không"); when the question
names no moment, the reply keeps counting from now.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_WEEKDAYS = {"2": 0, "hai": 0, "3": 1, "ba": 1, "4": 2, "tu": 2, "5": 3, "nam": 3, "6": 4, "sau": 4, "7": 5, "bay": 5}
_PART_OF_DAY = {"sang": 8, "trua": 11, "chieu": 14, "toi": 19}

# One moment: an optional part of the day or hour, then a day; or a day, then an hour. Folded text.
# ("hộ chiếu" is a passport, never an afternoon)
_HOUR = r"(?P<hour>\d{1,2}) ?(?:h|g|gio)(?: ?(?P<minute>\d{2}))?(?: (?P<part>sang|trua|chieu|toi))?"
_DAY = (r"(?P<day>hom nay|bay gio|ngay mai|mai(?! tang)|hom qua|hom kia|(?:(?<=sang )|(?<=trua )|(?<=chieu )|(?<=toi ))nay"
        r"|(?:(?P<week>tuan (?:sau|toi|truoc|nay)) )?(?<!con )(?<!lan )(?<!nguoi )(?<!dua )(?<!be )(?<!chau )"
        r"(?<!theo )chu nhat|(?:(?P<week2>tuan (?:sau|toi|truoc|nay)) )?(?<!con )(?<!lan )(?<!nguoi )(?<!dua )"
        r"(?<!be )(?<!chau )(?<!theo )thu (?P<weekday>2|3|4|5|6|7|hai|ba|tu|nam|sau|bay)(?! nao| tu\b))"
        r"(?: (?P<after>tuan (?:sau|toi|truoc)|vua roi|vua qua|nay))?")
_MOMENT = re.compile(
    rf"\b(?:(?:{_HOUR}) )?(?:(?P<daypart>sang|trua|(?<!ho )chieu|toi) )?{_DAY}(?: (?:luc )?(?P<hour2>\d{{1,2}}) ?(?:h|g|gio)"
    rf"(?: ?(?P<minute2>\d{{2}}))?(?: (?P<part2>sang|trua|chieu|toi))?)?\b"
    rf"|\b(?:luc )?(?P<hour3>\d{{1,2}}) ?(?:h|g|gio)(?: ?(?P<minute3>\d{{2}}))?(?: (?P<part3>sang|trua|chieu|toi))?\b")
# Words after a moment that make it the day asked for, not the day of filing ("thứ 6 lấy được không").
_RESULT_AFTER = re.compile(r"\s*(?:thi |moi |da |co the )?(?:lay|co|nhan|tra|xong|duoc)\b")
# Words that file a dossier, near the moment that is its filing ("thứ 2 em nộp", "nộp hôm qua").
_FILING = re.compile(r"\b(nop|xin|lam|gui|mang|dang ky|ra xa|ra phuong|len|den|di)\b")


@dataclass(frozen=True, slots=True)
class Filing:
    """The moment the citizen files (Vietnam local time, like `now`); `hour_said`: an hour was named."""

    moment: dt.datetime
    hour_said: bool


def filing_moment(normalised: str, now: dt.datetime) -> Filing | None:
    """The moment of filing the (folded) question names, or None when it names none."""
    found = [m for m in _MOMENT.finditer(normalised) if not _RESULT_AFTER.match(normalised, m.end())]
    if not found:
        return None
    near = [m for m in found if _FILING.search(normalised, max(0, m.start() - 25), min(len(normalised), m.end() + 25))]
    chosen = near[0] if near else found[0]
    g = dict(chosen.groupdict())
    if g.get("day") and not (g.get("hour") or g.get("hour2")):
        # "thứ 5 nộp lúc 9h": the day and the hour said apart
        hours = [m for m in found if m.group("hour3")]
        if hours:
            g.update(hour3=hours[0].group("hour3"), minute3=hours[0].group("minute3"), part3=hours[0].group("part3"))
    return _moment(g, now)


def _moment(g: dict[str, str | None], now: dt.datetime) -> Filing | None:
    day = now.date()
    if g.get("day"):
        word = g["day"]
        week = g.get("week") or g.get("week2") or g.get("after") or ""
        if word in ("ngay mai", "mai"):
            day += dt.timedelta(days=1)
        elif word == "hom qua":
            day -= dt.timedelta(days=1)
        elif word == "hom kia":
            day -= dt.timedelta(days=2)
        elif word not in ("hom nay", "bay gio", "nay"):
            target = 6 if word == "chu nhat" else _WEEKDAYS[g["weekday"]]
            monday = day - dt.timedelta(days=day.weekday())
            if week in ("tuan sau", "tuan toi"):
                day = monday + dt.timedelta(days=7 + target)
            elif week == "tuan truoc":
                day = monday + dt.timedelta(days=target - 7)
            elif week in ("vua roi", "vua qua"):  # the last one gone by
                day -= dt.timedelta(days=(day.weekday() - target) % 7 or 7)
            elif week in ("tuan nay", "nay"):
                day = monday + dt.timedelta(days=target)
            else:  # the next one, today included
                day += dt.timedelta(days=(target - day.weekday()) % 7)
    by_weekday = bool(g.get("weekday") or g.get("day") == "chu nhat") and not (
        g.get("week") or g.get("week2") or g.get("after"))
    hour_text = g.get("hour") or g.get("hour2") or g.get("hour3")
    part = g.get("part") or g.get("part2") or g.get("part3") or g.get("daypart")
    if hour_text is not None:
        hour = int(hour_text)
        minute = int(g.get("minute") or g.get("minute2") or g.get("minute3") or 0)
        if (part in ("chieu", "toi") and hour < 12) or (part is None and 1 <= hour <= 5):
            hour += 12  # "4h" at a counter is four in the afternoon
        if hour > 23 or minute > 59:
            return None
        return Filing(_ahead(dt.datetime.combine(day, dt.time(hour, minute), tzinfo=now.tzinfo), now, by_weekday), True)
    if part is not None:
        return Filing(_ahead(dt.datetime.combine(day, dt.time(_PART_OF_DAY[part], 0), tzinfo=now.tzinfo), now,
                             by_weekday), True)
    if day == now.date():
        return Filing(now, False)
    return Filing(dt.datetime.combine(day, dt.time(8, 0), tzinfo=now.tzinfo), False)


def _ahead(when: dt.datetime, now: dt.datetime, by_weekday: bool) -> dt.datetime:
    """A weekday's hour already gone today is next week's ("sáng thứ 5 nộp" asked on Thursday evening)."""
    return when + dt.timedelta(days=7) if by_weekday and when < now else when
