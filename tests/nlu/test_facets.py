import pytest

from assistant.nlu.facets import Facet, detect_facet
from assistant.text.normalize import normalize


@pytest.mark.parametrize(
    ("question", "facet"),
    [
        ("làm giấy khai sinh cần những giấy tờ gì", Facet.documents),
        ("dang ky tam tru can mang theo j", Facet.documents),
        ("giấy độc thân mất mấy ngày", Facet.time),
        ("xin xac nhan doc than bao lau thi xong", Facet.time),
        ("lệ phí đổi căn cước", Facet.fee),
        ("lam ho chieu het bn tien", Facet.fee),
        ("nộp hồ sơ tạm trú ở đâu", Facet.where),
        ("dang ky ket hon online duoc ko", Facet.online),
        ("nộp qua dịch vụ công được không", Facet.online),
        ("thủ tục tách hộ làm như thế nào", Facet.steps),
        ("nếu nộp hôm nay thì khi nào có kết quả", Facet.eta),
        ("mai nop thi bao gio lay duoc", Facet.eta),
        ("hộ chiếu khi nào có", Facet.time),           # no date: how long, not the appointment
        ("trợ cấp thất nghiệp bao lâu thì có tiền", Facet.time),
        ("làm hộ chiếu cần ảnh thẻ không", Facet.documents),
        ("em cần giấy xác nhận độc thân để mua nhà", Facet.overview),
        ("đổi căn cước thế nào", Facet.steps),
        ("xin bản sao", Facet.overview),
        ("căn cứ pháp lý của thủ tục này", Facet.legal),
        ("đăng ký khai sinh", Facet.overview),
    ],
)
def test_detect_facet(question, facet):
    assert detect_facet(normalize(question)).facet == facet


def test_overview_is_not_explicit():
    assert not detect_facet(normalize("khai sinh")).explicit
    assert detect_facet(normalize("khai sinh o dau")).explicit


@pytest.mark.parametrize(
    ("question", "facet"),
    [
        ("dang ky tam tru bao lay", Facet.time),     # a real word one letter from "bao lâu"
        ("khai sinh nop o du", Facet.where),
        ("doi can cuoc tom phi", Facet.fee),
        ("lam ho chieu ra so", Facet.steps),
    ],
)
def test_a_slipped_letter_in_the_facet_expression(question, facet):
    from assistant.nlu.facets import fuzzy_facet

    assert fuzzy_facet(normalize(question), frozenset({"dang", "ky", "tam", "tru", "khai", "sinh", "doi", "can",
                                                       "cuoc", "ho", "chieu", "lam"})).facet == facet


def test_catalogue_words_are_not_read_as_slipped_facet_words():
    from assistant.nlu.facets import fuzzy_facet

    known = frozenset({"the", "bao", "hiem", "so", "do", "lam"})
    assert fuzzy_facet(normalize("làm thẻ bảo hiểm"), known) is None  # not "thế nào"
    assert fuzzy_facet(normalize("làm sổ đỏ"), known) is None          # not "làm sao"
