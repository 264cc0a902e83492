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
        ("đăng ký tạm trú quy định ở văn bản nào", Facet.legal),  # "quy định ở" is part of the ask
        ("đăng ký khai sinh", Facet.overview),
        # How long the paper received stays valid, not how long it takes to get it.
        ("hộ chiếu có thời hạn bao lâu", Facet.validity),
        ("giay doc than co gia tri may thang", Facet.validity),
        ("căn cước dùng được mấy năm", Facet.validity),
        ("bằng lái A1 có thời hạn không", Facet.validity),
        ("bao lâu thì phải đổi lại căn cước", Facet.validity),
        ("thời hạn làm hộ chiếu bao lâu", Facet.time),
        ("nghỉ việc bao lâu thì hết hạn nộp hồ sơ thất nghiệp", Facet.time),
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


@pytest.mark.parametrize("question", ["trợ cấp ốm đau bhxh", "xin trợ cấp ốm đau"])
def test_everyday_words_one_slip_from_a_facet_are_meant(question):
    from assistant.nlu.facets import fuzzy_facet

    assert fuzzy_facet(normalize(question), frozenset({"tro", "cap", "xin"})) is None  # "ốm đau" is no "ở đâu"


@pytest.mark.parametrize(
    ("question", "facet"),
    [
        # The place asked in other words.
        ("cấp lại sổ hộ nghèo thì phải lên đâu", Facet.where),
        ("khai báo tạm vắng ở công an nào", Facet.where),
        ("xin trích lục khai tử ở ủy ban nào", Facet.where),
        ("chứng thực chữ ký làm ở phường hay tỉnh", Facet.where),
        # Money that is the thing asked for is not its price...
        ("em muốn lĩnh tiền bảo hiểm thất nghiệp", Facet.overview),
        ("xin hỗ trợ chi phí mai táng cho mẹ", Facet.overview),
        ("gia đình được nhận tiền tuất hằng tháng", Facet.overview),
        # ... unless a cost word asks how much.
        ("xin hỗ trợ chi phí mai táng có mất phí không", Facet.fee),
        ("lãnh tiền thất nghiệp có tốn phí gì không", Facet.fee),
        ("tiền mai táng phí được bao nhiêu", Facet.fee),
        ("chi phí làm sổ đỏ", Facet.fee),
    ],
)
def test_place_words_and_money_that_is_the_thing(question, facet):
    from assistant.nlu.facets import fuzzy_facet, scan_facets

    hit, _ = scan_facets(normalize(question))
    if not hit.explicit:
        hit = fuzzy_facet(normalize(question)) or hit
    assert hit.facet == facet


def test_facet_word_pairs_come_from_whole_expressions_only():
    from assistant.nlu.facets import FACET_PAIRS

    # "(xa|phuong|...) nao": alternatives are not a phrase, so "xa phuong" is no pair.
    assert ("bao", "lau") in FACET_PAIRS and ("the", "nao") in FACET_PAIRS and ("o", "dau") in FACET_PAIRS
    assert ("xa", "phuong") not in FACET_PAIRS and ("phuong", "tinh") not in FACET_PAIRS


@pytest.mark.parametrize(("question", "facet"), [
    ("chuyển cửa hàng sang địa chỉ mới thì làm thế nào", Facet.steps),
    ("đổi địa chỉ thường trú trên giấy tờ cần những gì", Facet.documents),
    ("cho em xin địa chỉ nộp hồ sơ", Facet.where),
])
def test_an_address_being_changed_is_no_question_about_where(question, facet):
    assert detect_facet(normalize(question)).facet == facet


@pytest.mark.parametrize(
    ("question", "facet"),
    [
        ("dang ky tam tru tom phu khong", Facet.fee),     # "tốn phí": both words slipped, at the end
        ("doi bang lai th nai a", Facet.steps),          # "thế nào" with a letter dropped and one slipped
        ("lam ho chieu bai lay", Facet.time),             # "bao lâu": o and u hit as their neighbours
    ],
)
def test_two_slipped_words_at_the_end_of_the_question(question, facet):
    from assistant.nlu.facets import fuzzy_facet

    known = frozenset({"dang", "ky", "tam", "tru", "doi", "bang", "lai", "khai", "sinh", "nop"})
    assert fuzzy_facet(normalize(question), known).facet == facet


@pytest.mark.parametrize("question", [
    "lam lai giay khai sinh lai sai",   # "lại" is a catalogue word: not read as the "làm" of "làm sao"
    "tom phu khong biet lam giay gi",   # two slips only where facet expressions go, at the end
    "dang ky tam tru cho be",
])
def test_two_slips_need_the_end_and_no_catalogue_word(question):
    from assistant.nlu.facets import fuzzy_facet

    hit = fuzzy_facet(normalize(question), frozenset({"lam", "lai", "giay", "khai", "sinh", "dang", "ky", "tam",
                                                      "tru", "cho", "be"}))
    assert hit is None or hit.facet == Facet.documents


def test_every_expression_of_the_facet_found_is_a_span():
    from assistant.nlu.facets import fuzzy_facet

    hit = fuzzy_facet("hop thua dat mat bo lau", frozenset({"hop", "thua", "dat"}))
    assert hit.facet == Facet.time and min(s for s, _ in hit.spans) == len("hop thua dat ")


@pytest.mark.parametrize(("question", "facet"), [
    ("gia hạn tạm trú mất bao nhiêu thời gian", Facet.time),          # time, though "mất bao nhiêu"
    ("tách hộ phải có giấy gì", Facet.documents),
    ("nhận con nuôi phải nộp những giấy nào", Facet.documents),
    ("khai tử ở xã nơi mất hay nơi thường trú", Facet.where),
    ("làm giấy độc thân mất bao nhiêu tiền", Facet.fee),
])
def test_more_ways_to_ask_the_same_part(question, facet):
    assert detect_facet(normalize(question)).facet == facet


KNOWN = frozenset({"doi", "can", "cuoc", "ho", "moi", "nhan", "the", "cap", "giay", "chung", "lan", "dau", "bao",
                   "hiem", "khai", "tam", "vang", "so", "do", "lam"})
PAIRS = frozenset({("can", "cuoc"), ("lan", "dau"), ("bao", "hiem"), ("tam", "vang"), ("so", "do"), ("ho", "so"),
                   ("giay", "chung")})


@pytest.mark.parametrize(("question", "facet"), [
    ("doi can cuoc may ho moi nhan duoc the", Facet.time),   # "hô" forms no phrase with "mới": a slip
    ("khai bao tam vang ra cong an nai", Facet.where),
    ("the bhyt co mta tiem cho tre khong", None),           # two slips mid-way are not enough
])
def test_a_catalogue_word_is_a_slip_when_it_forms_no_phrase_with_its_neighbour(question, facet):
    from assistant.nlu.facets import fuzzy_facet

    hit = fuzzy_facet(question, KNOWN, PAIRS)
    assert (hit.facet if hit else None) == facet


@pytest.mark.parametrize("question", [
    "cap giay chung nhan lan dau",       # "lần đầu" as typed is a phrase, not "lên đâu"
    "the bao hiem cho con",              # "bảo hiểm", not "thế nào"
    "lam so do cho con",                 # "sổ đỏ", not "làm sao"
])
def test_a_catalogue_phrase_is_not_a_slipped_facet_expression(question):
    from assistant.nlu.facets import fuzzy_facet

    assert fuzzy_facet(question, KNOWN, PAIRS) is None


def test_a_place_name_after_xa_is_no_slipped_question():
    from assistant.nlu.facets import fuzzy_facet

    # "xã Nam Khánh Vĩnh" names a commune; it does not ask "xã nào".
    assert fuzzy_facet("em o xa nam khanh vinh", KNOWN | {"nam"}, PAIRS) is None


def test_a_cached_scan_hands_out_its_own_span_list():
    from assistant.nlu.facets import scan_facets

    first = scan_facets("giay doc than mat bao lau")[1]
    first.append((0, 1))
    assert (0, 1) not in scan_facets("giay doc than mat bao lau")[1]


def test_a_changed_letter_in_a_known_word_mid_question_is_no_slip():
    from assistant.nlu.facets import fuzzy_facet

    # "ở đại sứ quán": "đại" is one key from "đâu", but only a dropped letter reads as a slip.
    assert fuzzy_facet("ket hon o dai su quan tai seoul", KNOWN | {"dai", "ket", "hon"}, PAIRS) is None


@pytest.mark.parametrize(("typed", "kept"), [("nhẫn cưới vàng 18k giá bao nhiêu", "18k"),
                                             ("thi gplx a1 sai bao nhiêu câu thì trượt", "sai")])
def test_facet_words_pull_no_slip_towards_them(assistant, typed, kept):
    # Every facet word feeds the spelling corrector: a bare "k" read "18k" as "18 không", and a
    # vouched "sau bao lâu" read "sai bao nhiêu" as "sau bao nhiêu".
    assert kept in assistant.brain.matcher.correct(normalize(typed), typed).text.split()


@pytest.mark.parametrize(("question", "facet"), [
    # the day a dossier goes in, and the day (or part of it) the result is asked for
    ("thứ 2 nộp xin giấy độc thân thì thứ mấy lấy được", Facet.eta),
    ("nop doi so do thu 2 thi chung nao lay", Facet.eta),
    ("sáng xin ct07 chiều lấy được ko", Facet.eta),
    # how long the paper stays valid, asked in everyday words
    ("giay doc than xin hoi thang 3 gio con xai duoc ko", Facet.validity),
    ("thẻ bhyt của bé xài tới mấy tuổi", Facet.validity),
    ("vừa đổi căn cước năm 38 tuổi thì đến bao giờ phải đổi tiếp", Facet.validity),
    ("đăng ký tạm trú 1 lần được bao lâu", Facet.validity),
    ("giay phep xay dung bao lau thi co", Facet.time),                  # "xây dựng bao lâu" is no "dùng bao lâu"
    # the place as a choice
    ("chuyển khẩu thì lên công an phường mới hay phường cũ", Facet.where),
    ("dang ky ket hon o xa nha trai hay nha gai", Facet.where),
    ("lý lịch tư pháp giờ nộp sở tư pháp hay công an", Facet.where),
    ("gia hạn bhyt hộ gia đình qua vssid được ko", Facet.online),
    ("ho chieu con han bao nhieu nam", Facet.validity),
    ("đổi căn cước ở nơi tạm trú được không hay về quê", Facet.where),
    ("chung thuc chu ky o xa duoc ko", Facet.overview),                 # the held-out sets' own label
    # the price per copy, a reduction
    ("trích lục khai sinh bao nhiêu 1 bản", Facet.fee),
    ("mua bhyt cho cả nhà 4 người có được giảm ko", Facet.fee),
    ("sang tên sổ đỏ cho con có phải đóng thuế ko", Facet.overview),    # taxes are mostly another matter
    # which papers, one paper or form named
    ("làm giấy phép kd hộ cá thể có cần photo cccd ko", Facet.documents),
    ("tam ngung ho kinh doanh can mau don gi", Facet.documents),
    ("mua xe may dien cho con co phai dang ky bien ko", Facet.overview),  # "đăng ký" is no signature asked for
    ("lam tam tru can hop dong thue nha ko", Facet.documents),          # a lease, not a tax
    ("manh vuon khai hoang chua co giay to gi, lam so duoc ko", Facet.overview),
    ("sao y giấy tờ có lấy ngay trong ngày không", Facet.time),        # the papers to certify are no papers to bring
    # the order of the steps
    ("sang ten xe may cu thi ben ban lam truoc hay ben mua lam truoc", Facet.steps),
    ("thủ tục sang tên sổ đỏ gồm mấy bước", Facet.steps),
    # "ở nhà" is where people are; "bán hàng online" is a trade, not a way to file
    ("ba noi 75 tuoi o nha lam ruong co duoc nhan tro cap nguoi gia ko", Facet.overview),
    ("bán hàng online tại nhà có cần đăng ký hộ kinh doanh ko", Facet.overview),
    ("ngồi nhà làm được không hay phải lên công an", Facet.online),
    # money that is the thing, not a price
    ("ong noi dang lanh tien gia moi mat, co tien mai tang ko", Facet.overview),
    # where, as a choice or a trip home; unless filing online is the other choice
    ("lam ho chieu co phai ve que ko", Facet.where),
    ("sao y có phải về xã nơi thường trú không", Facet.where),
    ("doi the can cuoc o cong an xa duoc ko hay phai len tinh", Facet.where),
    ("đkkh ở xã bên nam hay bên nữ", Facet.where),
    ("khai sinh o xa noi o cua bo hay cua me", Facet.where),
    ("mat bang lai thi cap lai o so gtvt hay cong an", Facet.where),
    ("giay doc than xin o xa thuong tru hay tam tru", Facet.where),
    ("khai tạm vắng ở công an đâu", Facet.where),
    ("con 14 tuoi lam can cuoc lan dau", Facet.overview),              # "lần đầu" is no "đâu"
    ("cat khau nop online hay phai len cong an", Facet.online),
    # an address changed is no question about where; a school fee is no fee of ours
    ("ho kinh doanh tang von, doi dia chi thi co phai dang ky lai k", Facet.overview),
    ("xin giấy hộ cận nghèo để con được giảm học phí", Facet.overview),
    # the price per person or copy, in thousands
    ("mua bhyt ho gia dinh nam nay bao nhieu 1 nguoi", Facet.fee),
    ("trich luc khai sinh 1 ban bao nhieu", Facet.fee),
    ("dang ky tam tru tren vneid het may nghin", Facet.fee),
    # the papers, named as a file or asked "with what else"; the order of things; how long it lasts
    ("hồ sơ xin phép xây nhà", Facet.documents),
    ("hồ sơ xin sổ đỏ nộp ở xã rồi, bao nhiêu ngày thì có kết quả", Facet.time),
    ("lam lien thong khai sinh nhap khau cho be can giay chung sinh voi j nua", Facet.documents),
    ("ghi chú ly hôn cần bản án dịch ra tiếng Việt ko", Facet.documents),
    ("xin phép xây nhà làm gì trước làm gì sau", Facet.steps),
    ("ho chieu cap cho con 10 tuoi thi han may nam", Facet.validity),
])
def test_everyday_ways_to_ask_a_part(question, facet):
    assert detect_facet(normalize(question)).facet == facet
