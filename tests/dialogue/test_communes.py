"""Communes of a province: the former Khánh Vĩnh district's 1-day commitment, remembered and asked once."""

from __future__ import annotations

import datetime as dt

import pytest

from assistant.catalog.loader import CatalogError, load_catalog
from assistant.config import Settings
from assistant.core import Assistant
from assistant.dialogue.communes import CommuneFinder
from assistant.dialogue.conversation import Conversation
from tests.factories import SMALL, write_catalog

MONDAY = dt.datetime(2026, 11, 30, 9, 0)
KV = ["Khánh Vĩnh", "Bắc Khánh Vĩnh", "Trung Khánh Vĩnh", "Tây Khánh Vĩnh", "Nam Khánh Vĩnh"]
SLUGS = ["khanh-vinh", "bac-khanh-vinh", "trung-khanh-vinh", "tay-khanh-vinh", "nam-khanh-vinh"]
LOCALITY = {
    "slug": "khanh-hoa",
    "name": "Tỉnh Khánh Hòa",
    "override_sets": {"former-khanh-vinh": {
        "note": "Cam kết rút ngắn thời hạn của huyện Khánh Vĩnh cũ (trước 1/7/2025), áp dụng cho các xã kế thừa.",
        "procedures": {"marriage-status-certification": {"time_limit": {"value": 1, "unit": "working_days"}}},
    }},
    "communes": [
        *({"slug": slug, "name": f"Xã {name}", "kind": "xã", "overrides": ["former-khanh-vinh"]}
          for slug, name in zip(SLUGS, KV, strict=True)),
        {"slug": "cam-ranh", "name": "Phường Cam Ranh", "kind": "phường",
         "one_stop": {"name": "Bộ phận một cửa UBND phường Cam Ranh", "hours": "Thứ Hai đến thứ Sáu"}},
    ],
}


@pytest.fixture
def assistant(tmp_path):
    root = write_catalog(tmp_path / "catalog", SMALL, localities={"khanh-hoa": LOCALITY})
    catalog = load_catalog(root, "khanh-hoa")
    return Assistant(catalog, Settings(catalog_dir=root, locality="khanh-hoa"), clock=lambda: MONDAY)


@pytest.mark.parametrize(("slug", "name"), list(zip(SLUGS, KV, strict=True)))
def test_each_former_khanh_vinh_commune_gets_one_day(assistant, slug, name):
    conv = Conversation()
    reply = assistant.handle(f"em ở xã {name}, giấy độc thân mất bao lâu", conv)
    assert reply.procedure_id == "marriage-status-certification" and reply.facet == "time"
    assert f"Thời hạn giải quyết tại Xã {name}: 01 ngày làm việc." in reply.text
    assert conv.commune == slug and "Bạn ở xã, phường nào?" not in reply.text


def test_without_diacritics_and_remembered_for_the_appointment_date(assistant):
    conv = Conversation()
    assistant.handle("em o xa nam khanh vinh", conv)
    assert conv.commune == "nam-khanh-vinh"
    restored = Conversation.from_dict(conv.to_dict())  # channels store the state as JSON
    eta = assistant.handle("giay doc than neu nop hom nay thi khi nao co", restored)
    assert "Ngày hẹn trả dự kiến: Thứ Ba, 01/12/2026." in eta.text  # 1 working day after Monday
    assert "tại Xã Nam Khánh Vĩnh: 01 ngày làm việc" in eta.text


def test_another_commune_gets_the_province_rule_and_its_counter(assistant):
    conv = Conversation()
    time = assistant.handle("tôi ở Cam Ranh, giấy độc thân mất bao lâu", conv)
    assert conv.commune == "cam-ranh"
    assert "Thời hạn giải quyết: 03 ngày làm việc." in time.text and "Bạn ở xã" not in time.text
    where = assistant.handle("nộp ở đâu", conv)
    assert "• Tại Phường Cam Ranh: Bộ phận một cửa UBND phường Cam Ranh" in where.text


def test_unknown_commune_gets_the_province_rule_and_is_asked_once(assistant):
    conv = Conversation()
    first = assistant.handle("giấy độc thân mất bao lâu", conv)
    assert "Thời hạn giải quyết: 03 ngày làm việc." in first.text
    assert "Bạn ở xã, phường nào?" in first.text and "01 ngày làm việc" in first.text
    assert first.data["ask_commune"] is True
    again = assistant.handle("giấy độc thân nếu nộp hôm nay thì khi nào có", conv)
    assert "Bạn ở xã, phường nào?" not in again.text  # asked once, never nagged
    assert "Thứ Năm, 03/12/2026" in again.text  # the province-wide 3 days
    answer = assistant.handle("em ở xã Tây Khánh Vĩnh", conv)  # the answer re-answers the last question
    assert answer.procedure_id == "marriage-status-certification" and answer.facet == "eta"
    assert "Thứ Ba, 01/12/2026" in answer.text


def test_no_question_when_no_commune_changes_the_answer(assistant):
    fee = assistant.handle("giấy độc thân lệ phí bao nhiêu", Conversation())
    assert "Bạn ở xã" not in fee.text  # the override is about the time limit only
    birth = assistant.handle("làm giấy khai sinh mất bao lâu", Conversation())
    assert "Bạn ở xã" not in birth.text


def test_commune_alone_before_any_question(assistant):
    reply = assistant.handle("tôi ở phường Cam Ranh", Conversation())
    assert "Mình đã ghi nhận bạn ở Phường Cam Ranh" in reply.text


def test_longest_name_wins():
    catalog_locality = load_locality_model()
    finder = CommuneFinder(catalog_locality)
    assert finder.find("em o xa nam khanh vinh").slug == "nam-khanh-vinh"
    assert finder.find("em o khanh vinh").slug == "khanh-vinh"
    assert finder.find("giay doc than mat bao lau") is None


def load_locality_model():
    from assistant.catalog.schema import Locality

    return Locality.model_validate(LOCALITY)


def test_commune_with_unknown_override_set_is_refused(tmp_path):
    broken = {**LOCALITY, "communes": [{"slug": "x", "name": "Xã X", "overrides": ["former-khanh-son"]}]}
    root = write_catalog(tmp_path / "catalog", SMALL, localities={"khanh-hoa": broken})
    with pytest.raises(CatalogError, match="bộ điều chỉnh 'former-khanh-son' không có trong 'override_sets'"):
        load_catalog(root, "khanh-hoa")


def _with_former_district(tmp_path):
    locality = {**LOCALITY, "communes": [
        {**c, "formed_from": "các xã, thị trấn của huyện Khánh Vĩnh cũ"} if c["slug"] in SLUGS else c
        for c in LOCALITY["communes"]]}
    root = write_catalog(tmp_path / "catalog", SMALL, localities={"khanh-hoa": locality})
    return Assistant(load_catalog(root, "khanh-hoa"), Settings(catalog_dir=root, locality="khanh-hoa"),
                     clock=lambda: MONDAY)


@pytest.mark.parametrize("text", ["em ở huyện Khánh Vĩnh", "o huyen khanh vinh"])
def test_a_former_district_names_its_successor_communes_and_asks(tmp_path, text):
    assistant = _with_former_district(tmp_path)
    conv = Conversation()
    reply = assistant.handle(text, conv)
    assert reply.data["successors"] == SLUGS
    assert "huyện Khánh Vĩnh cũ" in reply.text and all(f"Xã {name}" in reply.text for name in KV)
    assert conv.commune is None  # not the commune that kept the district's name
    picked = assistant.handle("xã Tây Khánh Vĩnh", conv)
    assert picked.data["commune"] == "tay-khanh-vinh" and conv.commune == "tay-khanh-vinh"


def test_the_commune_that_kept_the_name_is_still_found(tmp_path):
    assistant = _with_former_district(tmp_path)
    conv = Conversation()
    assistant.handle("em ở xã Khánh Vĩnh", conv)
    assert conv.commune == "khanh-vinh"


def test_without_successors_a_district_word_reads_as_the_commune(assistant):
    conv = Conversation()
    assistant.handle("em ở huyện Khánh Vĩnh", conv)  # the localities here say nothing of districts
    assert conv.commune == "khanh-vinh"



@pytest.fixture
def quicker_marriage(tmp_path):
    """The communes of the former district also register marriages in 1 day instead of 3."""
    sets = {"former-khanh-vinh": {**LOCALITY["override_sets"]["former-khanh-vinh"], "procedures": {
        **LOCALITY["override_sets"]["former-khanh-vinh"]["procedures"],
        "marriage-registration": {"time_limit": {"value": 1, "unit": "working_days"}}}}}
    root = write_catalog(tmp_path / "catalog", SMALL, localities={"khanh-hoa": {**LOCALITY, "override_sets": sets}})
    return Assistant(load_catalog(root, "khanh-hoa"), Settings(catalog_dir=root, locality="khanh-hoa"),
                     clock=lambda: MONDAY)


def test_the_matter_after_a_paper_held_gets_the_communes_rule(quicker_marriage):
    # The held paper's name matches its own procedure best; the matter told after "giờ" is
    # answered through the conversation, so the commune's 1 day applies (session 30).
    conv = Conversation()
    quicker_marriage.handle("em ở xã Bắc Khánh Vĩnh", conv)
    reply = quicker_marriage.handle("đã xin được giấy xác nhận tình trạng hôn nhân, giờ làm giấy kết hôn bao lâu", conv)
    assert (reply.procedure_id, reply.facet) == ("marriage-registration", "time")
    assert "Thời hạn giải quyết tại Xã Bắc Khánh Vĩnh: 01 ngày làm việc." in reply.text
    assert (conv.last_procedure, conv.last_facet) == ("marriage-registration", "time")
    assert conv.rateable == ["marriage-registration"]  # the held paper's answer was never shown


def test_the_commune_question_is_asked_for_the_matter_after_a_paper_held(quicker_marriage):
    conv = Conversation()
    reply = quicker_marriage.handle("đã xin được giấy xác nhận tình trạng hôn nhân, giờ làm giấy kết hôn bao lâu", conv)
    assert reply.procedure_id == "marriage-registration" and reply.data["ask_commune"] is True
    assert "Bạn ở xã, phường nào?" in reply.text and conv.commune_asked
