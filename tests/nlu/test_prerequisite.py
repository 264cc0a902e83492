"""Questions whether one step must come before another."""

import pytest

from assistant.nlu.prerequisite import after_held_paper, paper_needed_for, prior_step_question
from assistant.text.normalize import normalize


@pytest.mark.parametrize(("question", "head"), [
    ("chuyển khẩu về nhà chồng có phải cắt khẩu bên nhà mẹ đẻ trước không", "chuyen khau ve nha chong"),
    ("dang ky thuong tru o noi moi co phai cat khau o que truoc ko", "dang ky thuong tru o noi moi"),
    ("sổ đỏ vẫn ghi xã cũ thì sang tên cho con được không hay phải đổi sổ trước", "so do van ghi xa cu thi sang ten cho con"),
])
def test_the_matter_before_the_prior_step(question, head):
    assert prior_step_question(normalize(question)) == head


@pytest.mark.parametrize("question", [
    "cắt khẩu cho người đã mất ở đâu",
    "có phải làm trước không",  # no matter of its own before the question
    "căn cước có cần trước không",  # "cần" of "căn cước" is no question word
])
def test_no_prior_step(question):
    assert prior_step_question(normalize(question)) is None


@pytest.mark.parametrize(("question", "rest"), [
    ("con em đã có giấy khuyết tật nặng, giờ làm hồ sơ nhận tiền trợ cấp hàng tháng",
     "lam ho so nhan tien tro cap hang thang"),
    ("da co giay khai sinh roi gio lam can cuoc cho con", "lam can cuoc cho con"),
    ("bị xóa thường trú vì nhà đã bán, giờ đk thường trú ở nhà con gái dc k", "dang ky thuong tru o nha con gai duoc khong"),
    # held without "đã", told by "rồi"; a longer story before "giờ"; a certified disability (session 30)
    ("con có giấy xác nhận khuyết tật đặc biệt nặng rồi, xin trợ cấp hàng tháng ở đâu", "xin tro cap hang thang o dau"),
    ("da co giay xac nhan khuyet tat dac biet nang cho con roi, gio lam ho so huong tro cap hang thang o dau",
     "lam ho so huong tro cap hang thang o dau"),
    ("Con em được xác nhận khuyết tật đặc biệt nặng rồi, giờ làm hồ sơ nhận trợ cấp hằng tháng ở đâu?",
     "lam ho so nhan tro cap hang thang o dau"),
])
def test_the_matter_after_a_paper_held(question, rest):
    assert after_held_paper(normalize(question)) == rest


@pytest.mark.parametrize("question", [
    "e đã có con chung với bạn trai người Nhật, giờ đăng ký kết hôn thì sao",  # a child is no paper
    "đã có giấy độc thân xin để vay ngân hàng, giờ dùng nộp hồ sơ kết hôn được không",  # the paper is used
    "xin trợ cấp hàng tháng cho con khuyết tật nặng",
    "có giấy xác nhận độc thân rồi, dùng nộp hồ sơ kết hôn được không",  # the paper is used
    "giấy khuyết tật có rồi",  # nothing asked after it
])
def test_no_paper_held(question):
    assert after_held_paper(normalize(question)) is None


@pytest.mark.parametrize(("question", "head"), [
    ("dkkh có cần giấy xác nhận độc thân ko ạ", "dkkh"),
    ("hưởng tctn cần sổ bhxh ko", "huong tctn"),
])
def test_the_matter_whose_paper_is_asked(question, head):
    assert paper_needed_for(normalize(question)) == head


@pytest.mark.parametrize("question", [
    "giấy xác nhận độc thân cần mang gì",  # the paper's own papers
    "làm hồ sơ nhận con nuôi cần phiếu lý lịch tư pháp, em xin trên VNeID được không",  # asks how to get it
])
def test_no_paper_needed_question(question):
    assert paper_needed_for(normalize(question)) is None
