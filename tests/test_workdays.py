import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from assistant.catalog.schema import TimeLimit
from assistant.workdays import WorkCalendar

CAL = WorkCalendar()
D = dt.date
T = dt.datetime
ONE = TimeLimit(unit="working_days", value=1)
TWO = TimeLimit(unit="working_days", value=2)
THREE = TimeLimit(unit="working_days", value=3)
FIVE = TimeLimit(unit="working_days", value=5)
SAME_DAY = TimeLimit(unit="same_day")


@pytest.mark.parametrize(
    ("received", "limit", "due"),
    [
        (T(2026, 11, 16, 9, 0), THREE, D(2026, 11, 19)),  # Monday 09:00 + 3 -> Thursday
        (T(2026, 11, 16, 15, 0), THREE, D(2026, 11, 19)),  # exactly 15:00 still counts today
        (T(2026, 11, 16, 15, 1), THREE, D(2026, 11, 20)),  # after 15:00 -> counts from Tuesday
        (T(2026, 11, 13, 10, 0), THREE, D(2026, 11, 18)),  # Friday -> skips the weekend
        (T(2026, 11, 13, 16, 0), THREE, D(2026, 11, 19)),  # Friday after 15:00 -> counts from Monday
        (T(2026, 11, 14, 10, 0), THREE, D(2026, 11, 19)),  # Saturday -> counts from Monday
        (T(2026, 11, 15, 8, 0), ONE, D(2026, 11, 17)),  # Sunday -> Monday + 1
        (T(2026, 11, 16, 10, 0), SAME_DAY, D(2026, 11, 16)),
        (T(2026, 11, 16, 16, 0), SAME_DAY, D(2026, 11, 17)),  # same day after the cut-off -> next day
        (T(2026, 11, 20, 16, 0), SAME_DAY, D(2026, 11, 23)),  # Friday late -> Monday
        (T(2026, 11, 21, 9, 0), SAME_DAY, D(2026, 11, 23)),  # Saturday -> Monday
        (T(2026, 11, 16, 16, 0), TimeLimit(unit="same_day", cutoff=None), D(2026, 11, 16)),
        (T(2026, 11, 16, 14, 0), TimeLimit(unit="working_days", value=2, cutoff="11:00"), D(2026, 11, 19)),
    ],
)
def test_due_dates_weekends_and_cutoff(received, limit, due):
    assert CAL.due_date(received, limit) == due


# -- the holidays package's Vietnam coverage, checked year by year -------------------------------

@pytest.mark.parametrize(
    "day",
    [
        # Tết Nguyên đán (lunar): Ất Tỵ 29/01/2025, Bính Ngọ 17/02/2026, Đinh Mùi 06/02/2027
        D(2025, 1, 27), D(2025, 1, 28), D(2025, 1, 29), D(2025, 1, 30), D(2025, 1, 31),
        D(2026, 2, 16), D(2026, 2, 17), D(2026, 2, 18), D(2026, 2, 19), D(2026, 2, 20),
        D(2027, 2, 4), D(2027, 2, 5), D(2027, 2, 8), D(2027, 2, 9), D(2027, 2, 10),
        # Giỗ Tổ Hùng Vương, 10/3 âm lịch (2026 falls on a Sunday: Monday 27/4 is off)
        D(2025, 4, 7), D(2026, 4, 27), D(2027, 4, 16),
        # 30/4 and 1/5 (2025: 2/5 swapped with 26/4; 2027: 1/5 is a Saturday, Monday 3/5 off)
        D(2025, 4, 30), D(2025, 5, 1), D(2025, 5, 2), D(2026, 4, 30), D(2026, 5, 1), D(2027, 4, 30), D(2027, 5, 3),
        # 2/9 and the adjacent day
        D(2025, 9, 1), D(2025, 9, 2), D(2026, 9, 1), D(2026, 9, 2), D(2027, 9, 2), D(2027, 9, 3),
        # 1/1
        D(2025, 1, 1), D(2026, 1, 1), D(2027, 1, 1),
    ],
)
def test_public_holidays_2025_2027_are_days_off(day):
    assert day.weekday() < 5, "pick weekdays: weekends say nothing about holiday coverage"
    assert not CAL.is_working_day(day)


@pytest.mark.parametrize("day", [D(2025, 2, 3), D(2026, 2, 23), D(2027, 2, 11), D(2026, 4, 28), D(2026, 9, 3)])
def test_days_after_holidays_are_working_days(day):
    assert CAL.is_working_day(day)


def test_tet_2027_is_skipped():
    # Wednesday before Tết Đinh Mùi: Thu 04 .. Wed 10/02 off, weekend 13–14: due on 11, 12, 15.
    assert CAL.due_date(T(2027, 2, 3, 9, 0), THREE) == D(2027, 2, 15)


def test_tet_2026_after_cutoff():
    # Friday 13/02/2026 after 15:00 -> counts from the first working day after Tết (23/02).
    assert CAL.counting_start(T(2026, 2, 13, 15, 30), "15:00") == D(2026, 2, 23)
    assert CAL.due_date(T(2026, 2, 13, 15, 30), THREE) == D(2026, 2, 26)
    assert CAL.due_date(T(2026, 2, 13, 15, 30), SAME_DAY) == D(2026, 2, 23)


def test_tet_2025():
    # Friday 24/01/2025 morning + 5: Tết 27/01–01/02 and two weekends -> 03..07/02.
    assert CAL.due_date(T(2025, 1, 24, 8, 0), FIVE) == D(2025, 2, 7)


def test_reunification_and_labour_day():
    # Wednesday 29/04/2026: 30/4 Thu and 1/5 Fri off, then the weekend.
    assert CAL.due_date(T(2026, 4, 29, 8, 0), ONE) == D(2026, 5, 4)
    # 2025: 30/4, 1/5 and 2/5 off.
    assert CAL.due_date(T(2025, 4, 29, 8, 0), ONE) == D(2025, 5, 5)
    # 2027: Friday 30/4 and observed Monday 3/5 off.
    assert CAL.due_date(T(2027, 4, 29, 16, 0), ONE) == D(2027, 5, 5)


def test_national_day():
    # Friday 28/08/2026; 31/8 (swapped), 1/9 and 2/9 off.
    assert CAL.due_date(T(2026, 8, 28, 9, 0), TWO) == D(2026, 9, 4)
    # Monday 30/08/2027 + 3: 2/9 and 3/9 off -> 31/8, 1/9, 6/9.
    assert CAL.due_date(T(2027, 8, 30, 9, 0), THREE) == D(2027, 9, 6)


def test_hung_kings_day():
    # Friday 24/04/2026 after 15:00: Monday 27/4 (observed) off -> counts from Tuesday 28/4.
    assert CAL.due_date(T(2026, 4, 24, 15, 30), ONE) == D(2026, 4, 29)


def test_half_day_rounds_up_and_calendar_days_count():
    received = T(2026, 11, 16, 9, 0)
    assert CAL.due_date(received, TimeLimit(unit="working_days", value=0.5)) == D(2026, 11, 17)
    assert CAL.due_date(received, TimeLimit(unit="calendar_days", value=3)) == D(2026, 11, 19)
    assert CAL.due_date(received, TimeLimit(unit="working_days", value=0)) == D(2026, 11, 16)


def test_add_working_days():
    assert CAL.add_working_days(D(2026, 11, 16), 3) == D(2026, 11, 19)
    assert CAL.add_working_days(D(2026, 11, 13), 1) == D(2026, 11, 16)
    assert CAL.add_working_days(D(2026, 11, 16), 0) == D(2026, 11, 16)
    assert CAL.add_working_days(D(2026, 11, 16), 1.5) == D(2026, 11, 18)
    with pytest.raises(ValueError):
        CAL.add_working_days(D(2026, 11, 16), -1)


def test_local_extra_day_off():
    cal = WorkCalendar(extra_days_off=[D(2026, 11, 17)])
    assert not cal.is_working_day(D(2026, 11, 17)) and CAL.is_working_day(D(2026, 11, 17))
    assert cal.due_date(T(2026, 11, 16, 9, 0), THREE) == D(2026, 11, 20)


def test_aware_datetimes_use_vietnam_time():
    # 08:30 UTC is 15:30 in Hà Nội: after the cut-off.
    received = T(2026, 11, 16, 8, 30, tzinfo=ZoneInfo("UTC"))
    assert CAL.due_date(received, THREE) == D(2026, 11, 20)


def test_working_days_between():
    assert CAL.working_days_between(D(2026, 11, 13), D(2026, 11, 18)) == 3
    assert CAL.working_days_between(D(2026, 11, 18), D(2026, 11, 13)) == -3
    assert CAL.working_days_between(D(2026, 11, 18), D(2026, 11, 18)) == 0
    assert CAL.working_days_between(D(2026, 2, 13), D(2026, 2, 23)) == 1  # across Tết
