"""The moment of filing a question names, against a fixed "now" (Thursday 3/12/2026, 19:40)."""

import datetime as dt

import pytest

from assistant.nlu.when import filing_moment
from assistant.text.normalize import normalize

NOW = dt.datetime(2026, 12, 3, 19, 40)  # a Thursday evening


@pytest.mark.parametrize(("question", "moment", "hour_said"), [
    ("thứ 2 nộp xin giấy độc thân thì thứ mấy lấy được", dt.datetime(2026, 12, 7, 8, 0), False),
    ("nop doi so do thu hai thi chung nao lay", dt.datetime(2026, 12, 7, 8, 0), False),
    ("4h chiều ra xã sao y thì khi nào lấy", dt.datetime(2026, 12, 3, 16, 0), True),
    ("sáng mai 9h đưa giấy ra xã khai sinh thì mấy giờ có", dt.datetime(2026, 12, 4, 9, 0), True),
    ("thứ 5 nộp lúc 9h thì bao giờ có", dt.datetime(2026, 12, 10, 9, 0), True),   # today's 9h is gone
    ("thứ 6 tuần sau nộp thì bao giờ có", dt.datetime(2026, 12, 11, 8, 0), False),
    ("thứ 2 tuần sau lúc 14h30 nộp", dt.datetime(2026, 12, 7, 14, 30), True),
    ("hôm qua em nộp hồ sơ rồi bao giờ có", dt.datetime(2026, 12, 2, 8, 0), False),
    ("thứ 5 tuần trước em nộp rồi khi nào lấy", dt.datetime(2026, 11, 26, 8, 0), False),
    ("chiều nay nộp thì bao giờ có", dt.datetime(2026, 12, 3, 14, 0), True),
    ("nộp hôm nay thì thứ 6 có không", NOW, False),          # "thứ 6 có" is the day hoped for
])
def test_the_moment_of_filing(question, moment, hour_said):
    filed = filing_moment(normalize(question), NOW)
    assert (filed.moment, filed.hour_said) == (moment, hour_said)


@pytest.mark.parametrize("question", [
    "bao giờ có kết quả",
    "con thứ ba khai sinh bao giờ có",      # an ordinal, not Tuesday
    "hộ chiếu bao giờ có",                  # a passport, not an afternoon
    "hỗ trợ mai táng bao giờ có tiền",       # a funeral, not tomorrow
    "25h nộp",
])
def test_no_moment_named(question):
    assert filing_moment(normalize(question), NOW) is None
