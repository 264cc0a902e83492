"""Questions asking yes or no about the citizen's own case."""

import pytest

from assistant.nlu.asking import asks_yes_no
from assistant.text.normalize import normalize


@pytest.mark.parametrize("question", [
    "chưa đủ 18 tuổi có đăng ký kết hôn được không",
    "người khiếm thính có được thi bằng lái ô tô không ạ",
    "khai sinh cho con quá 60 ngày có bị phạt không",
    "ông bà nội nhận cháu làm con nuôi được ko",
])
def test_yes_or_no_about_ones_own_case(question):
    assert asks_yes_no(normalize(question))


@pytest.mark.parametrize("question", [
    "đăng ký kết hôn cần giấy tờ gì",
    "thủ tục nhận con nuôi",
    "làm căn cước ở đâu",
])
def test_other_questions(question):
    assert not asks_yes_no(normalize(question))
