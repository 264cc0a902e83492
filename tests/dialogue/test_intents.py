"""Everyday intents through the core: contact of the one-stop, dossier look-up without a code,
and the everyday names citizens give procedures. Real catalogues, real loader, no mocks."""

from __future__ import annotations

import datetime as dt

import pytest

from assistant.catalog.loader import load_catalog
from assistant.config import Settings
from assistant.core import Assistant
from assistant.dialogue.conversation import Conversation
from assistant.dialogue.intents import EXAMPLE_CODE, Intent, Topic, detect_intent
from assistant.dialogue.reply import Status
from assistant.dossiers.codes import find_dossier_code
from assistant.text.normalize import normalize
from tests.factories import SMALL, write_catalog

FRIDAY = dt.datetime(2026, 11, 27, 9, 30)
SETTINGS = Settings()


@pytest.fixture(scope="module")
def real(shipped_catalog) -> Assistant:
    return Assistant(shipped_catalog, SETTINGS, clock=lambda: FRIDAY)


# -- detection ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "topic"), [
    ("hotline", Topic.hotline),
    ("cho xin số hotline", Topic.hotline),
    ("số điện thoại bộ phận một cửa", Topic.phone),
    ("sdt ubnd xã", Topic.phone),
    ("gọi số nào để hỏi", Topic.phone),
    ("ủy ban xã làm việc thứ 7 không", Topic.saturday),
    ("T7 có làm ko", Topic.saturday),
    ("chủ nhật có nhận hồ sơ không", Topic.saturday),
    ("giờ làm việc của một cửa", Topic.hours),
    ("mấy giờ mở cửa", Topic.hours),
    ("mấy giờ ủy ban mở cửa", Topic.hours),
    ("giờ giấc làm việc của xã", Topic.hours),
    ("địa chỉ ủy ban phường", Topic.address),
    ("trung tâm hành chính công ở đâu", Topic.address),
    ("liên hệ bộ phận một cửa", Topic.general),
])
def test_contact_questions_are_detected(text, topic):
    hit = detect_intent(normalize(text))
    assert hit is not None and hit.intent == Intent.contact, text
    assert topic in hit.topics


@pytest.mark.parametrize(("text", "number"), [
    ("tra cứu hồ sơ", None),
    ("Tra cuu ho so", None),
    ("tôi muốn kiểm tra tình trạng hồ sơ", None),
    ("mã hồ sơ ở đâu", None),
    ("hs của e đến đâu r", None),
    ("hồ sơ của tôi xong chưa", None),
    ("hồ sơ em nộp rồi mà chưa thấy gì", None),
    ("hồ sơ 123456 của tôi sao rồi", "123456"),
    ("123456", "123456"),
    ("ma ho so 2024 0001", "2024 0001"),
])
def test_dossier_questions_without_a_code_are_detected(text, number):
    hit = detect_intent(normalize(text))
    assert hit is not None and hit.intent == Intent.dossier_help, text
    assert hit.number == number


@pytest.mark.parametrize("text", [
    "đăng ký khai sinh cần giấy tờ gì",
    "hồ sơ khai sinh gồm những gì",
    "giấy độc thân nộp ở đâu",
    "lệ phí cấp hộ chiếu bao nhiêu",
    "sdt em 0905 123 456, làm giấy khai sinh cần gì",
    "đăng ký tạm trú trên điện thoại được không",
    "đổi số điện thoại trên vneid",
    "2",
    "xin chào",
    "mã số thuế 8012345678 của tôi",
    "số căn cước 079123456789 bị sai",
])
def test_procedure_questions_are_not_everyday_intents(text):
    hit = detect_intent(normalize(text))
    assert hit is None, text


# -- contact through the core -------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "hotline", "số điện thoại bộ phận một cửa", "ủy ban xã làm việc thứ 7 không", "giờ làm việc",
    "địa chỉ trung tâm hành chính công", "liên hệ một cửa",
])
def test_contact_on_the_real_locality_shows_no_unverified_fact(real, text):
    reply = real.handle(text, Conversation())
    assert reply.status == Status.smalltalk and reply.data["intent"] == "contact", text
    assert reply.candidates == [] and reply.buttons == []  # no unrelated procedure buttons
    assert "Trung tâm Phục vụ hành chính công tỉnh Khánh Hòa" in reply.text
    # Khánh Hòa lists its hotline and one-stop details as unverified: the address is not a fact.
    assert "Hoàng Hoa Thám" not in reply.text
    assert "đã kiểm chứng" in reply.text and "https://dichvucong.gov.vn" in reply.text
    assert f"Tổng đài hỗ trợ Cổng Dịch vụ công quốc gia: {SETTINGS.hotline}" in reply.text
    assert "Bạn ở xã, phường nào?" in reply.text  # the commune is not known yet


def test_saturday_question_says_it_is_not_verified(real):
    reply = real.handle("ủy ban xã làm việc thứ 7 không", Conversation())
    first = reply.text.splitlines()[1]
    assert first.startswith("Mình chưa có thông tin đã kiểm chứng") and "thứ Bảy" in first


def test_contact_uses_the_commune_the_conversation_remembers(real):
    conv = Conversation()
    real.handle("em ở phường Bắc Nha Trang", conv)
    assert conv.commune == "bac-nha-trang"
    reply = real.handle("số điện thoại bộ phận một cửa", conv)
    assert reply.data["commune"] == "bac-nha-trang"
    assert "Trung tâm Phục vụ hành chính công phường Bắc Nha Trang" in reply.text
    assert "Bạn ở xã, phường nào?" not in reply.text
    same_message = real.handle("ủy ban xã nam khánh vĩnh làm việc thứ bảy không", Conversation())
    assert "xã Nam Khánh Vĩnh" in same_message.text


def test_answering_the_commune_question_gives_that_communes_contact(real):
    conv = Conversation()
    first = real.handle("số điện thoại bộ phận một cửa", conv)
    assert "Bạn ở xã, phường nào?" in first.text
    reply = real.handle("em ở phường Cam Linh", conv)
    assert reply.data["intent"] == "contact" and reply.data["commune"] == "cam-linh"
    assert "Trung tâm Phục vụ hành chính công phường Cam Linh" in reply.text
    # Once the talk moved on to a procedure, naming a commune is about that procedure again.
    assert real.handle("giấy độc thân mất bao lâu", conv).procedure_id == "marriage-status-certification"
    again = real.handle("em ở xã Nam Khánh Vĩnh", conv)
    assert again.procedure_id == "marriage-status-certification" and "01 ngày làm việc" in again.text


def test_a_named_procedure_becomes_a_button_not_the_answer(real):
    reply = real.handle("làm lý lịch tư pháp thứ 7 được không", Conversation())
    assert reply.data["intent"] == "contact"
    assert [b.action for b in reply.buttons] == ["p:w:criminal-record-certificate"]


def _verified_locality(unverified: list[str]) -> dict:
    return {
        "slug": "tinh-mau", "name": "Tỉnh Mẫu", "hotline": "0258 3999 999",
        "saturday": "Sáng thứ Bảy từ 7 giờ 30 đến 11 giờ 30",
        "one_stop": {"name": "Trung tâm Phục vụ hành chính công tỉnh Mẫu", "address": "1 Đường Một, phường Một",
                     "phone": "0258 3111 111", "hours": "Thứ Hai đến thứ Sáu, 7 giờ 30 đến 17 giờ"},
        "unverified": unverified,
        "communes": [
            {"slug": "xa-hai", "name": "Xã Hai", "aliases": ["xa hai"],
             "one_stop": {"name": "Trung tâm Phục vụ hành chính công xã Hai", "address": "2 Đường Hai",
                          "phone": "0258 3222 222"}},
            {"slug": "xa-ba", "name": "Xã Ba", "aliases": ["xa ba"]},
        ],
    }


def _assistant(tmp_path, unverified: list[str]) -> Assistant:
    root = write_catalog(tmp_path / "catalog", SMALL, localities={"tinh-mau": _verified_locality(unverified)})
    return Assistant(load_catalog(root, "tinh-mau"), SETTINGS, clock=lambda: FRIDAY)


def test_verified_contact_is_shown_per_commune(tmp_path):
    bot = _assistant(tmp_path, [])
    province = bot.handle("số điện thoại bộ phận một cửa", Conversation())
    assert "• Điện thoại: 0258 3111 111" in province.text and "• Địa chỉ: 1 Đường Một, phường Một" in province.text
    assert "• Đường dây nóng của Tỉnh Mẫu: 0258 3999 999" in province.text
    assert "chưa có số điện thoại" not in province.text
    saturday = bot.handle("thứ bảy có làm việc không", Conversation())
    assert "• Thứ Bảy: Sáng thứ Bảy từ 7 giờ 30 đến 11 giờ 30" in saturday.text
    assert "chưa có thông tin đã kiểm chứng" not in saturday.text

    conv = Conversation()
    bot.handle("tôi ở xã hai", conv)
    commune = bot.handle("số điện thoại một cửa", conv)
    assert "Trung tâm Phục vụ hành chính công xã Hai" in commune.text and "0258 3222 222" in commune.text
    assert "0258 3111 111" not in commune.text  # the commune's own office, not the province's
    hours = bot.handle("giờ làm việc", conv)  # this commune has no verified hours
    assert "Mình chưa có giờ làm việc đã kiểm chứng của Trung tâm Phục vụ hành chính công xã Hai" in hours.text
    other = bot.handle("địa chỉ một cửa xã ba", Conversation())
    assert "Trung tâm Phục vụ hành chính công xã Ba" in other.text and "chưa có địa chỉ đã kiểm chứng" in other.text


def test_unverified_keys_hide_exactly_those_values(tmp_path):
    bot = _assistant(tmp_path, ["one_stop.phone", "hotline", "saturday", "communes.xa-hai"])
    reply = bot.handle("số điện thoại bộ phận một cửa", Conversation())
    assert "0258 3111 111" not in reply.text and "0258 3999 999" not in reply.text
    assert "1 Đường Một" in reply.text  # the address stays verified
    assert "chưa có số điện thoại đã kiểm chứng" in reply.text
    assert "Sáng thứ Bảy" not in bot.handle("thứ 7 có làm không", Conversation()).text
    commune = bot.handle("sdt một cửa xã hai", Conversation())
    assert "0258 3222 222" not in commune.text and "2 Đường Hai" not in commune.text


# -- dossier look-up without a code ---------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "tra cứu hồ sơ", "tra cuu ho so", "hồ sơ 123456 của tôi sao rồi", "123456", "hs của e đến đâu r",
    "mã hồ sơ ở đâu", "kiểm tra tình trạng hồ sơ",
])
def test_dossier_help_explains_where_the_code_is(real, text):
    reply = real.handle(text, Conversation())
    assert reply.status == Status.dossier and reply.data["dossier"]["need_code"] is True, text
    assert reply.candidates == [] and reply.buttons == []  # not procedure buttons
    assert "Phiếu tiếp nhận hồ sơ và hẹn trả kết quả" in reply.text
    assert f"Mã có dạng {EXAMPLE_CODE}" in reply.text and "ô Tra cứu hồ sơ" in reply.text


def test_the_shape_shown_is_a_code_the_bot_accepts(real):
    assert find_dossier_code(EXAMPLE_CODE) == EXAMPLE_CODE
    reply = real.handle("hồ sơ 123456 của tôi sao rồi", Conversation())
    assert reply.text.splitlines()[1] == "\"123456\" chưa phải là mã hồ sơ nên mình chưa tra cứu được."


def test_a_whole_code_is_still_looked_up(real):
    reply = real.handle(f"tra cứu hồ sơ {EXAMPLE_CODE}", Conversation())
    assert reply.status == Status.dossier and "need_code" not in reply.data.get("dossier", {})


@pytest.mark.parametrize(("text", "proc", "facet"), [
    ("tra cứu lý lịch tư pháp", "criminal-record-certificate", None),
    ("hồ sơ khai sinh cần gì", "birth-registration", "documents"),
    ("sdt em 0905 123 456, làm giấy khai sinh cần gì", "birth-registration", "documents"),
    ("đăng ký khai sinh nộp ở đâu", "birth-registration", "where"),
    ("kiểm tra hồ sơ khai sinh cần gì", "birth-registration", "documents"),
    ("đăng ký tạm trú trên điện thoại được không", "temporary-residence-registration", "online"),
])
def test_procedure_questions_still_reach_their_procedure(real, text, proc, facet):
    reply = real.handle(text, Conversation())
    if reply.status == Status.clarify and reply.data.get("confirm"):
        # Words the procedure never uses ("kiểm tra") may make the assistant ask "is it this
        # procedure?" (assistant.nlu.lookalike); it still asks about this one, with the facet.
        assert [c.id for c in reply.candidates] == [proc], text
    else:
        assert reply.status == Status.answer and reply.procedure_id == proc, text
    if facet:
        assert reply.facet == facet


def test_weak_everyday_words_leave_the_procedure_to_the_matcher(real):
    reply = real.handle("cho em xem hồ sơ làm căn cước cần gì", Conversation())
    assert reply.status == Status.clarify and reply.candidates[0].id.startswith("id-card-")
    conv = Conversation()
    real.handle("giấy độc thân mất bao lâu", conv)
    eta = real.handle("nộp thứ 7 thì khi nào có", conv)  # about the procedure under discussion
    assert eta.procedure_id == "marriage-status-certification" and eta.facet == "eta"


def test_a_digit_still_answers_a_clarification(real):
    conv = Conversation(pending_candidates=["birth-registration", "marriage-registration"])
    assert real.handle("2", conv).procedure_id == "marriage-registration"


# -- everyday names -------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "proc"), [
    ("giấy không tiền án tiền sự", "criminal-record-certificate"),
    ("xin giấy không tiền án tiền sự ở đâu", "criminal-record-certificate"),
    ("dkkh", "marriage-registration"),
    ("dkkh can gi", "marriage-registration"),
    ("giấy chứng nhận độc thân", "marriage-status-certification"),
    ("giay chung nhan doc than mat bao lau", "marriage-status-certification"),
    # found in `report unanswered` on generated traffic
    ("làm khai sanh cần giấy tờ gì", "birth-registration"),
    ("làm giấy hôn thú", "marriage-registration"),
    ("đăng kí tạm trú", "temporary-residence-registration"),
    ("đăng kí thường trú thì làm sao ạ", "permanent-residence-registration"),
    ("xác nhận hộ khẩu mất bao lâu", "residence-information-confirmation"),
    ("đổi chứng minh nhân dân nộp ở đâu", "id-card-renewal"),
    ("phiếu lý lịch", "criminal-record-certificate"),
    ("tiền già nộp ở đâu", "social-pension"),
    ("làm giấy đỏ lần đầu nộp ở đâu", "land-use-certificate-first"),
    ("đăng ký xe điện", "vehicle-registration"),
    ("sửa năm sinh", "civil-status-change-correction"),
])
def test_everyday_names_reach_the_procedure(real, text, proc):
    reply = real.handle(text, Conversation())
    assert reply.status == Status.answer and reply.procedure_id == proc, (text, reply.status, reply.candidates[:2])


def test_criminal_record_by_its_everyday_name_is_not_a_fee_question(real):
    """"tiền" in "tiền án tiền sự" is part of the name, not "how much money"."""
    reply = real.handle("giấy không tiền án tiền sự", Conversation())
    assert reply.facet == "overview"


def test_no_procedure_example_of_the_catalogue_looks_like_an_everyday_intent(shipped_catalog):
    """Every `examples:` question of every procedure stays a procedure question."""
    hits = [(p.id, q) for p in shipped_catalog.procedures.values() for q in p.examples
            if detect_intent(normalize(q)) is not None]
    assert hits == []
