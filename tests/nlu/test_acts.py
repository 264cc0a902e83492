"""Acts done to a paper or registration, and papers named only by their own procedures
(issue 12, session 5): a question naming one is answered only by a procedure whose own names
attach it. Each case is a family (act or paper x any object), phrased apart from the benchmark rows."""

import pytest

from assistant.nlu.distinguish import ACTS, PAPERS, Distinguisher
from assistant.text.normalize import normalize
from tests.nlu.helpers import ask


@pytest.fixture(scope="module")
def dist(shipped_catalog):
    return Distinguisher(shipped_catalog.procedures.values())


@pytest.mark.parametrize(
    ("question", "family"),
    [
        ("muốn hủy giấy tờ đã cấp nhầm", "cancel"),
        ("thu hoi quyet dinh da cap", "cancel"),
        ("tuyên bố mất tích cho anh trai", "declare"),
        ("đăng ký hiến giác mạc", "donate"),
        ("dinh gia nha dat o dau", "appraise"),
        ("hợp nhất hai hợp tác xã", "reorganise"),
        ("kiem tra giay phep that hay gia", "verify"),
        ("hoàn công nhà 2 tầng", "complete-works"),
        ("dịch giấy tờ sang tiếng Hàn", "translate"),
        ("trình báo mất hộ chiếu", "report-loss"),
        ("cải táng mộ cho ông", "grave"),
        ("di dời mộ ra nghĩa trang", "grave"),
        ("ghi nợ tiền sử dụng đất", "debt"),
        ("đổi giới tính trên giấy tờ", "gender"),
        ("bổ sung ngành nghề cho công ty", "company-act"),
        ("gộp sổ bảo hiểm", "si-book-act"),
        ("sửa thông tin trong cơ sở dữ liệu quốc gia về dân cư", "population-db"),
        ("xin cấp biển số nhà", "house-number-act"),
        ("làm chữ ký số", "digital-signature"),
        ("khiếu nại việc cấp sổ đỏ chậm", "complaint"),
        ("bảo lãnh cho người thân", "guarantee"),
        ("cưỡng chế thi hành án", "enforcement"),
        ("di dời nhà vì làm đường", "relocate"),
        ("hợp pháp hóa giấy tờ nước ngoài", "legalise"),
        ("thi công chức cấp xã", "exam-other"),
        ("gia hạn giấy phép xây dựng", "building-permit"),
        ("mất sổ bhxh", "si-paper"),
        ("sửa tên trên thẻ bảo hiểm y tế", "health-card"),
        ("làm thẻ tạm trú", "residence-card"),
        ("mất quyết định xuất ngũ", "discharge"),
        ("mất sổ tiết kiệm", "savings"),
        ("đăng ký bảo hiểm xã hội cho công ty", "for-organisation"),
        ("rút hồ sơ đã nộp", "withdraw"),
        ("trả lại tiền nộp thừa", "refund"),
        ("phúc khảo điểm thi", "complaint"),
        ("xe bị tạm giữ", "enforcement"),
        ("xin bản sao quyết định giao đất", "copy-request"),
    ],
)
def test_acts_and_papers_are_found_in_questions(question, family):
    assert family in {**ACTS, **PAPERS}
    assert family in Distinguisher.present(normalize(question))


@pytest.mark.parametrize(
    ("question", "family"),
    [
        ("kết hôn với người đồng tính", "same-sex"),
        ("trích sao hồ sơ địa chính", "planning"),
        ("thi bằng lái ca nô", "other-vehicle"),
    ],
)
def test_qualifiers_widened_in_session_5_are_found(question, family):
    assert family in Distinguisher.present(normalize(question))


@pytest.mark.parametrize(
    "question",
    [
        "bà ngoại không biết ký thì chứng thực điểm chỉ được không",  # "ký thì" is no exam
        "hiện tại em đang ở trọ",                                      # "hiện" is not donating
        "phòng trọ sắp hết hạn tạm trú",                               # nothing is frozen
        "làm khai sinh cho con mới sinh",
        "xin giấy phép kinh doanh hộ cá thể",                          # not a building permit
        "thẻ căn cước bị gãy",                                         # not a health card
        "xin lý lịch tư pháp để nộp cho công ty",                      # handed to a company, not for one
        "báo mất bằng lái",                                            # a lost licence is reissued
        "làm khai sinh cần bản sao căn cước không",                    # a document, not a copy asked for
    ],
)
def test_everyday_words_are_not_acts_or_papers(question):
    assert not Distinguisher.present(normalize(question)) & ({*ACTS} | {*PAPERS})


def test_the_procedures_that_name_an_act_or_paper_explain_it(dist):
    assert "building-permit" in dist.explained["construction-permit-house"]
    assert "si-paper" in dist.explained["social-insurance-lump-sum"]       # "rút sổ bảo hiểm"
    assert "health-card" in dist.explained["health-insurance-child"]
    assert "cancel" in dist.explained["foreign-divorce-recording"]         # "hủy việc kết hôn"
    assert "cancel" not in dist.explained["contract-authentication"]       # amending one is its own procedure
    assert "cancel" in dist.explained["contract-amendment-authentication"]
    assert "cancel" not in dist.explained["birth-registration"]
    assert "building-permit" not in dist.explained["temporary-residence-extension"]


@pytest.mark.parametrize(
    "question",
    [
        # an act the object's procedure never does
        "hủy đăng ký kết hôn vì bị lừa",
        "thu hồi giấy xác nhận tình trạng hôn nhân cấp sai",
        "huy giay phep kinh doanh ho ca the",
        "tuyen bo mat tich cho chong",
        "hoàn công nhà xong có phải báo xã không",
        "xác định lại giới tính cho con",
        "xác minh sổ đỏ thật hay giả",
        "khiếu nại kết quả xét hộ nghèo",
        "thi viên chức giáo viên cần gì",
        # a paper named only by its own, missing procedure
        "gia hạn giấy phép xây dựng nhà ở",
        "tách sổ bhxh bị trùng",
        "cấp lại thẻ bảo hiểm y tế bị rách",
        "làm lại sổ tiết kiệm bị mất",
        # an act on a company, not on a household business
        "bổ sung ngành nghề kinh doanh cho công ty tnhh",
        # who applies: an organisation, a same-sex couple
        "làm thẻ bảo hiểm y tế cho công ty",
        "dang ky ket hon dong tinh",
        # withdrawing an application, an appeal, an impounded vehicle
        "rút hồ sơ đăng ký kết hôn đã nộp",
        "phúc khảo bài thi bằng lái",
        "lấy lại xe máy bị tạm giữ",
        # a copy of a paper from its archive, a taxpayer's details
        "xin cấp bản sao giấy phép xây dựng",
        "thay đổi thông tin đăng ký thuế của người nộp thuế",
        # the seller's deregistration: a procedure of its own, not in the catalogue
        "bán xe rồi thu hồi đăng ký biển số thế nào",
    ],
)
def test_an_act_or_paper_the_best_match_does_not_name_gets_no_procedure(assistant, question):
    reply = ask(assistant, question)
    assert reply["status"] in ("not_found", "clarify"), reply


@pytest.mark.parametrize(
    ("question", "procedure"),
    [
        ("sửa đổi hợp đồng đã chứng thực ở xã", "contract-amendment-authentication"),
        ("hủy hợp đồng tặng cho đã chứng thực ở xã thì làm sao", "contract-amendment-authentication"),
        ("rút sổ bảo hiểm xã hội một lần", "social-insurance-lump-sum"),
        ("làm thẻ bhyt cho bé 3 tuổi", "health-insurance-child"),
        ("xin gpxd nhà ở", "construction-permit-house"),
        ("xác định lại mức độ khuyết tật cho con", "disability-certification"),
        ("báo mất bằng lái xe máy thì làm lại thế nào", "driving-license-reissue"),
        ("xin lý lịch tư pháp số 1 để nộp cho công ty", "criminal-record-certificate"),
        ("rút hồ sơ gốc xe máy khi sang tên", "vehicle-ownership-transfer"),
        ("xin bản sao giấy khai sinh của con", "civil-status-extract-copy"),
        ("làm bản sao công chứng căn cước", "certified-copy"),
        ("làm giấy phép xây dựng nhà ở cần bản sao sổ đỏ không", "construction-permit-house"),
    ],
)
def test_procedures_that_name_the_act_or_paper_still_answer(assistant, question, procedure):
    reply = ask(assistant, question)
    assert (reply["status"], reply["procedure_id"]) == ("answer", procedure), reply
