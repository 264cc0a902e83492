import datetime as dt

import pytest

from assistant.catalog.schema import TimeLimit
from assistant.workdays import WorkCalendar

CAL = WorkCalendar()
THREE = TimeLimit(summary="03 ngày làm việc", working_days=3)
SAME_DAY = TimeLimit(summary="Trong ngày", same_day=True)


@pytest.mark.parametrize(
    ("received", "limit", "due"),
    [
        (dt.datetime(2026, 11, 16, 9, 0), THREE, dt.date(2026, 11, 19)),  # Monday + 3 -> Thursday
        (dt.datetime(2026, 11, 16, 15, 30), THREE, dt.date(2026, 11, 20)),  # after 15:00 -> from Tuesday
        (dt.datetime(2026, 11, 16, 15, 0), THREE, dt.date(2026, 11, 19)),  # exactly 15:00 still counts today
        (dt.datetime(2026, 11, 13, 10, 0), THREE, dt.date(2026, 11, 18)),  # Friday -> skips the weekend
        (dt.datetime(2026, 11, 14, 10, 0), THREE, dt.date(2026, 11, 19)),  # Saturday counts from Monday
        (dt.datetime(2026, 11, 16, 10, 0), SAME_DAY, dt.date(2026, 11, 16)),
        (dt.datetime(2026, 11, 16, 16, 0), SAME_DAY, dt.date(2026, 11, 17)),
        (dt.datetime(2026, 11, 20, 16, 0), SAME_DAY, dt.date(2026, 11, 23)),  # Friday late -> Monday
    ],
)
def test_due_dates(received, limit, due):
    assert CAL.due_date(received, limit) == due


def test_tet_2027_is_skipped():
    # Tết Đinh Mùi: 06/02/2027; the holidays package gives 04–10/02/2027 off.
    received = dt.datetime(2027, 2, 3, 9, 0)  # Wednesday before Tết
    due = CAL.due_date(received, THREE)
    assert due == dt.date(2027, 2, 15)  # Thu 04 .. Wed 10 off, weekend 13–14: 11, 12, 15
    assert not CAL.is_working_day(dt.date(2027, 2, 8))


def test_reunification_and_labour_day_2026():
    received = dt.datetime(2026, 4, 29, 8, 0)  # Wednesday; 30/4 Thu and 1/5 Fri off
    assert CAL.due_date(received, TimeLimit(summary="1 ngày", working_days=1)) == dt.date(2026, 5, 4)


def test_national_day_and_hung_kings():
    assert not CAL.is_working_day(dt.date(2026, 9, 2))
    assert not CAL.is_working_day(dt.date(2026, 9, 1))
    assert not CAL.is_working_day(dt.date(2027, 4, 16))  # Giỗ Tổ Hùng Vương, 10/3 âm lịch
    received = dt.datetime(2026, 8, 28, 9, 0)  # Friday; 31/8, 1/9, 2/9 off
    assert CAL.due_date(received, TimeLimit(summary="2 ngày", working_days=2)) == dt.date(2026, 9, 4)


def test_half_day_rounds_up_and_no_count_gives_none():
    received = dt.datetime(2026, 11, 16, 9, 0)
    assert CAL.due_date(received, TimeLimit(summary="0,5 ngày", working_days=0.5)) == dt.date(2026, 11, 17)
    assert CAL.due_date(received, TimeLimit(summary="Theo quy định")) is None


def test_local_extra_day_off():
    cal = WorkCalendar(extra_days_off=[dt.date(2026, 11, 17)])
    assert cal.due_date(dt.datetime(2026, 11, 16, 9, 0), THREE) == dt.date(2026, 11, 20)


def test_working_days_between():
    assert CAL.working_days_between(dt.date(2026, 11, 13), dt.date(2026, 11, 18)) == 3
    assert CAL.working_days_between(dt.date(2026, 11, 18), dt.date(2026, 11, 13)) == -3
