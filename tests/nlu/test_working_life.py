"""People changing jobs, opening a shop or going abroad to work (issue 12, session 33): the
papers, licences and rules around their move belong to other bodies, named in
procedures_catalog/elsewhere/, and the procedures of ours they also need keep their answers.
Each case stands for a family; none is a sentence of the tuning sets."""

import pytest

from tests.nlu.helpers import ask


@pytest.mark.parametrize(
    ("question", "named"),
    [
        ("xin giấy xác nhận số chứng minh 9 số cũ cho ngân hàng", "Cấp giấy xác nhận số Chứng minh nhân dân"),
        ("mở đại lý gas cần giấy phép gì", "khí dầu mỏ hóa lỏng"),
        ("xin giấy phép xuất khẩu lao động cho công ty ở đâu", "đưa người lao động đi làm việc ở nước ngoài"),
        ("hủy hợp đồng xuất khẩu lao động thì có mất tiền cọc không", "Thanh lý hợp đồng đi làm việc ở nước ngoài"),
        ("hộ kinh doanh xuất hóa đơn điện tử đăng ký thế nào", "Đăng ký sử dụng hóa đơn điện tử"),
        ("sổ bảo hiểm xã hội đang ở công ty cũ thì công ty mới đóng tiếp được không", "bảo hiểm xã hội bắt buộc"),
        ("người có công với cách mạng hỗ trợ con đi học thế nào", "ưu đãi trong giáo dục"),
        ("xin giấy phép tư vấn du học ở sở nào", "tư vấn du học"),
        ("đang bị án treo có được đi xuất khẩu lao động không", "Tạm hoãn xuất cảnh"),
    ],
)
def test_another_bodys_paper_or_licence_is_named_not_answered(assistant, question, named):
    reply = ask(assistant, question)
    assert reply["status"] == "not_found" and not reply["procedure_id"], reply
    assert named in reply["data"]["named"], reply["data"]


@pytest.mark.parametrize(
    ("question", "who"),
    [
        ("đăng ký điện kinh doanh cho cửa hàng quần áo", "điện lực"),
        ("nghỉ việc phải báo trước mấy ngày", "nhân sự"),
        ("phòng trọ bị dột mấy tuần, có được giảm tiền thuê không", "chủ nhà trọ"),   # the rent: the landlord's matter
    ],
)
def test_a_matter_of_no_procedure_says_who_handles_it(assistant, question, who):
    reply = ask(assistant, question)
    assert reply["status"] == "not_found" and who in reply["data"]["handled_by"], reply
    assert f"Bạn liên hệ {reply['data']['handled_by']}" in reply["reply"]


@pytest.mark.parametrize(
    ("question", "procedure"),
    [
        ("đi xklđ 3 năm có phải khai báo tạm vắng không", "temporary-absence-declaration"),
        ("đang hưởng án treo, đi tỉnh khác 3 ngày có phải khai báo", "temporary-absence-declaration"),
        ("sắp đi xkld, rút bhxh 1 lần được không", "social-insurance-lump-sum"),
        ("xin lý lịch tư pháp để đi xklđ", "criminal-record-certificate"),
        ("mở tiệm tạp hóa đăng ký hộ kinh doanh ở đâu", "household-business-registration"),
        ("thành lập công ty tnhh cần giấy tờ gì", "enterprise-registration"),
        ("nghỉ việc không báo trước có được hưởng thất nghiệp không", "unemployment-benefit"),
        ("mất hộ chiếu làm lại tốn bao nhiêu", "passport-issuance"),
        ("đã đóng tiền phòng 3 tháng mà chủ trọ chưa đăng ký tạm trú cho em", "temporary-residence-registration"),
        ("vợ mất hộ chiếu, trình báo rồi thì cấp lại ở đâu", "passport-issuance"),
        ("công ty xuất khẩu lao động bảo tự đi làm hộ chiếu, làm ở đâu", "passport-issuance"),
        ("đang ở ký túc xá công ty thì đăng ký tạm trú thế nào", "temporary-residence-registration"),
        ("nghỉ việc ở nhà, thẻ bhyt công ty hết hạn, mua bhyt hộ gia đình ở đâu", "health-insurance-household"),
        ("mở công ty tư vấn du học thì đăng ký doanh nghiệp ở đâu", "enterprise-registration"),
    ],
)
def test_the_procedures_of_ours_around_the_move_keep_their_answers(assistant, question, procedure):
    reply = ask(assistant, question)
    assert (reply["status"], reply["procedure_id"]) == ("answer", procedure), reply


def test_going_abroad_to_work_is_no_temporary_absence_by_itself(assistant):
    # "xuất khẩu lao động" was a keyword of the temporary absence, which then answered the papers
    # for the work abroad with its own form; the law exempts those who have left the country.
    reply = ask(assistant, "đi xuất khẩu lao động Nhật cần chuẩn bị giấy tờ gì")
    assert reply["procedure_id"] != "temporary-absence-declaration", reply


def test_a_licence_named_as_the_purpose_leaves_the_paper_asked_for(assistant):
    # The security-order licence is why the criminal record is wanted, not what is asked.
    reply = ask(assistant, "làm giấy an ninh trật tự cho nhà nghỉ cần lý lịch tư pháp, xin lý lịch tư pháp ở đâu")
    assert reply["status"] in ("answer", "clarify"), reply
    assert "criminal-record-certificate" in [reply["procedure_id"], *(c["id"] for c in reply["candidates"])], reply


@pytest.mark.parametrize(("question", "child"), [
    ("nghi viec roi thi the bhyt cong ty dong con dung duoc den khi nao", False),   # "còn", typed unaccented
    ("the bhyt cua con dung duoc den khi nao", True),                               # the child's card
])
def test_a_card_still_valid_is_no_child_by_its_folded_con(assistant, question, child):
    reply = ask(assistant, question)
    assert reply["facet"] == "validity", reply
    if child:
        assert (reply["status"], reply["procedure_id"]) == ("answer", "health-insurance-child"), reply
    else:
        assert reply["procedure_id"] is None, reply
