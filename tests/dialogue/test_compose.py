"""Citizen-facing sentences rendered from the numbers, on small catalogues with a pinned clock."""

from __future__ import annotations

import datetime as dt

import pytest

from assistant.catalog.loader import load_catalog
from assistant.catalog.schema import Fee, TimeLimit
from assistant.config import Settings
from assistant.core import Assistant
from assistant.dialogue.conversation import Conversation
from assistant.dialogue.facts import UNVERIFIED_FEE, fee_cases_text, fee_short, fee_text, time_limit_text
from tests.factories import INSTRUMENTS, procedure, write_catalog

# The 50% identity-card fee cut (Thông tư 64/2025/TT-BTC) ran to 31/12/2025; online = in person since.
ID_CARD_FEES = {"set_by": "national", "per": "thẻ", "basis": "59/2019/TT-BTC", "windows": [
    {"from": "2025-07-01", "until": "2025-12-31", "in_person": 25000, "online": 12500},
    {"from": "2026-01-01", "in_person": 50000},
]}
REGISTRY = [*INSTRUMENTS,
            {"number": "59/2019/TT-BTC", "title": "Thông tư quy định mức thu lệ phí căn cước",
             "short": "Thông tư 59/2019/TT-BTC"},
            {"number": "26/2023/QH15", "title": "Luật Căn cước", "short": "Luật Căn cước 2023", "in_force": "2024-07-01"}]


def _assistant(tmp_path, procs, now: dt.datetime) -> Assistant:
    root = write_catalog(tmp_path / "catalog", procs, instruments=REGISTRY)
    return Assistant(load_catalog(root), Settings(catalog_dir=root, locality=None), clock=lambda: now)


def _renewal(**changes):
    values = {"fees": ID_CARD_FEES, "legal_basis": [{"instrument": "26/2023/QH15", "articles": "Điều 24"}], **changes}
    return procedure("id-card-renewal", "Cấp đổi thẻ căn cước", field="can-cuoc", aliases=["đổi căn cước"],
                     keywords=["căn cước"], **values)


@pytest.mark.parametrize(("now", "expected", "absent"), [
    (dt.datetime(2025, 12, 31, 9), "Lệ phí: 25.000 đồng/thẻ khi nộp trực tiếp; nộp trực tuyến 12.500 đồng/thẻ.",
     "50.000"),
    (dt.datetime(2026, 1, 1, 9), "Lệ phí: 50.000 đồng/thẻ.", "12.500"),
])
def test_the_fee_in_force_on_the_answering_day(tmp_path, now, expected, absent):
    assistant = _assistant(tmp_path, [_renewal()], now)
    reply = assistant.handle("lệ phí đổi căn cước")
    assert reply.procedure_id == "id-card-renewal" and reply.facet == "fee"
    assert expected in reply.text and absent not in reply.text
    assert "Căn cứ mức thu: Thông tư 59/2019/TT-BTC." in reply.text


def test_province_fee_states_what_is_known_once(tmp_path):
    fees = {"set_by": "province", "province_range": {"min": 0, "max": 50000}}
    assistant = _assistant(tmp_path, [_renewal(fees=fees, unverified=["fees"])], dt.datetime(2026, 11, 30, 9))
    text = assistant.handle("lệ phí đổi căn cước").text
    assert "thường từ 0 đồng đến 50.000 đồng" in text
    assert text.count(UNVERIFIED_FEE) == 1  # never the same caveat twice, even when also unverified
    lines = text.splitlines()
    assert len(lines) == len(set(lines))


def test_unverified_fact_gets_one_calm_sentence_never_a_marker(tmp_path):
    proc = _renewal(fees={"set_by": "national", "windows": [{"in_person": 50000}], "note": "Nộp tại quầy (verify)"},
                    unverified=["fees", "time_limit"])
    assistant = _assistant(tmp_path, [proc], dt.datetime(2026, 11, 30, 9))
    fee = assistant.handle("lệ phí đổi căn cước").text
    assert "(verify)" not in fee and "verify" not in fee.lower()
    assert fee.count("chưa được đối chiếu") == 1
    time = assistant.handle("đổi căn cước mất bao lâu").text
    assert time.count("chưa được đối chiếu") == 1


def test_time_limit_and_extension_rendered_from_numbers_and_used_for_the_date(tmp_path):
    limit = {"value": 3, "unit": "working_days",
             "extension": {"value": 5, "unit": "working_days", "when": "nếu cần xác minh"}}
    monday = dt.datetime(2026, 11, 30, 9)
    assistant = _assistant(tmp_path, [_renewal(time_limit=limit)], monday)
    text = assistant.handle("đổi căn cước mất bao lâu").text
    assert "Thời hạn giải quyết: 03 ngày làm việc; có thể thêm tối đa 05 ngày làm việc nếu cần xác minh." in text
    eta = assistant.handle("đổi căn cước nếu nộp hôm nay thì khi nào có").text
    assert "Ngày hẹn trả dự kiến: Thứ Năm, 03/12/2026." in eta  # 3 working days from Monday


def test_legal_basis_from_the_registry(tmp_path):
    assistant = _assistant(tmp_path, [_renewal()], dt.datetime(2026, 11, 30, 9))
    text = assistant.handle("căn cứ pháp lý đổi căn cước").text
    assert "• Luật Căn cước 2023 (26/2023/QH15), Điều 24" in text


def test_checklist_never_counts_a_non_document(tmp_path):
    proc = procedure("residence-information-confirmation", "Xác nhận thông tin về cư trú", field="cu-tru",
                     aliases=["xác nhận cư trú"],
                     documents=[{"name": "Tờ khai thay đổi thông tin cư trú", "copies": 1},
                                {"name": "Thẻ căn cước", "kind": "present"}],
                     nothing_to_submit="Không phải nộp giấy tờ đã có trong Cơ sở dữ liệu quốc gia về dân cư.")
    assistant = _assistant(tmp_path, [proc], dt.datetime(2026, 11, 30, 9))
    conv = Conversation()
    docs = assistant.handle("xác nhận cư trú cần giấy tờ gì", conv)
    assert docs.text.count("Không phải nộp giấy tờ") == 1
    assert "Mang theo để xuất trình (không phải nộp):\n• Thẻ căn cước" in docs.text
    opened = assistant.handle_action(next(b.action for b in docs.buttons if b.action.startswith("k:-1:")), conv)
    assert "Còn thiếu 1 giấy tờ bắt buộc: Tờ khai thay đổi thông tin cư trú." in opened.text
    assert opened.data["checklist"]["missing"] == ["Tờ khai thay đổi thông tin cư trú"]
    assert [b.label for b in opened.buttons if b.action.startswith("k:")] == [
        "⬜ 1. Tờ khai thay đổi thông tin cư trú"]


def test_nothing_to_submit_only(tmp_path):
    proc = procedure("residence-information-confirmation", "Xác nhận thông tin về cư trú", field="cu-tru",
                     aliases=["xác nhận cư trú"], documents=[],
                     nothing_to_submit="Không phải nộp giấy tờ; chỉ cần cung cấp số định danh cá nhân.")
    assistant = _assistant(tmp_path, [proc], dt.datetime(2026, 11, 30, 9))
    conv = Conversation()
    docs = assistant.handle("xác nhận cư trú cần giấy tờ gì", conv)
    assert "chỉ cần cung cấp số định danh cá nhân" in docs.text and "Giấy tờ cần chuẩn bị" not in docs.text
    opened = assistant.handle_action(f"k:-1:{proc['id']}", conv)
    assert "Còn thiếu" not in opened.text and opened.data["checklist"]["missing"] == []


def test_renderers_directly():
    assert time_limit_text(TimeLimit(unit="same_day")) == "Trong ngày"
    assert time_limit_text(TimeLimit(value=0.5, unit="working_days")) == "0,5 ngày làm việc"
    assert time_limit_text(TimeLimit(value=4, unit="hours")) == "04 giờ làm việc"
    assert time_limit_text(TimeLimit(value=30, unit="calendar_days")) == "30 ngày"
    free = Fee(set_by="none")
    assert fee_text(free, dt.date(2026, 1, 1)) == "Không mất phí, lệ phí."
    gap = Fee(set_by="national", windows=[{"until": "2025-12-31", "in_person": 1000}])
    assert "chưa có mức áp dụng cho ngày 01/01/2026" in fee_text(gap, dt.date(2026, 1, 1))


def test_a_named_case_has_its_own_amount_under_the_general_one(tmp_path):
    """A lost passport costs twice a new one: the fee answer and the overview say both, each with
    its case, and a case whose dates have passed is not shown."""
    fees = {"set_by": "national", "per": "lần cấp", "windows": [{"in_person": 200000}],
            "cases": [{"when": "Cấp lại do hộ chiếu bị mất hoặc hư hỏng", "in_person": 400000},
                      {"when": "Cấp gấp", "until": "2025-12-31", "in_person": 900000}]}
    proc = procedure("passport-issuance", "Cấp hộ chiếu", aliases=["làm hộ chiếu"],
                     keywords=["hộ chiếu"], fees=fees)
    assistant = _assistant(tmp_path, [proc], dt.datetime(2026, 11, 30, 9))
    text = assistant.handle("làm hộ chiếu hết bao nhiêu tiền", Conversation()).text
    assert "Lệ phí: 200.000 đồng/lần cấp.\nCấp lại do hộ chiếu bị mất hoặc hư hỏng: 400.000 đồng/lần cấp." in text
    assert "900.000" not in text
    overview = assistant.handle("làm hộ chiếu", Conversation()).text
    assert "200.000 đồng/lần cấp; cấp lại do hộ chiếu bị mất hoặc hư hỏng: 400.000 đồng/lần cấp" in overview
    fee = Fee(**fees)
    assert fee_cases_text(fee, dt.date(2025, 6, 1))[1] == "Cấp gấp: 900.000 đồng/lần cấp."
    assert "900.000" in fee_short(fee, dt.date(2025, 6, 1))
    with pytest.raises(ValueError, match="mức thu"):
        Fee(set_by="national", windows=[{"in_person": 1}], cases=[{"when": "Cấp lại"}])
    with pytest.raises(ValueError, match="không có phí"):
        Fee(set_by="none", cases=[{"when": "Cấp lại", "in_person": 1}])


def test_papers_shown_first_do_not_shift_the_numbers(tmp_path):
    proc = procedure("residence-information-confirmation", "Xác nhận thông tin về cư trú", field="cu-tru",
                     aliases=["xác nhận cư trú"],
                     documents=[{"name": "Thẻ căn cước", "kind": "present"},
                                {"name": "Tờ khai", "copies": 1},
                                {"name": "Giấy ủy quyền", "copies": 1, "required": False, "condition": "nếu nhờ người khác"}])
    assistant = _assistant(tmp_path, [proc], dt.datetime(2026, 11, 30, 9))
    conv = Conversation()
    opened = assistant.handle_action(f"k:-1:{proc['id']}", conv)
    assert "⬜ 1. Tờ khai" in opened.text and "⬜ 2. Giấy ủy quyền" in opened.text
    assert [b.action for b in opened.buttons if b.action.startswith("k:")] == [
        f"k:1:{proc['id']}", f"k:2:{proc['id']}"]  # actions keep the document's own index
    ticked = assistant.handle_action(f"k:1:{proc['id']}", conv)
    assert "✅ 1. Tờ khai" in ticked.text and "đã có đủ giấy tờ bắt buộc" in ticked.text


def test_how_long_the_result_stays_valid_is_not_the_processing_time(tmp_path):
    valid = "Thẻ căn cước có giá trị đến mốc tuổi phải đổi tiếp theo (đủ 14, 25, 40 và 60 tuổi)."
    assistant = _assistant(tmp_path, [_renewal(validity=valid, unverified=["validity"])], dt.datetime(2026, 12, 3, 9))
    reply = assistant.handle("căn cước dùng được mấy năm")
    assert reply.procedure_id == "id-card-renewal" and reply.facet == "validity"
    assert valid in reply.text and reply.text.count("chưa được đối chiếu") == 1
    assert "Thời hạn giải quyết" not in reply.text
    assert valid not in assistant.handle("đổi căn cước").text  # the overview stays short for a phone


def test_an_unknown_validity_is_said_plainly(tmp_path):
    assistant = _assistant(tmp_path, [_renewal()], dt.datetime(2026, 12, 3, 9))
    reply = assistant.handle("thẻ căn cước mới có thời hạn bao lâu")
    assert reply.facet == "validity"
    assert "chưa có thông tin đã kiểm chứng về thời hạn sử dụng" in reply.text
    assert "khác với thời hạn sử dụng" in reply.text  # the processing time is never given as the answer


def test_a_yes_or_no_about_ones_own_case_is_not_answered_by_an_overview_as_if_yes(tmp_path):
    from assistant.dialogue.compose import YES_NO_LEAD

    assistant = _assistant(tmp_path, [_renewal()], dt.datetime(2026, 12, 3, 9))
    asked = assistant.handle("người 13 tuổi có được đổi căn cước không")
    assert asked.procedure_id == "id-card-renewal" and asked.facet == "overview"
    assert asked.text.splitlines()[1] == YES_NO_LEAD
    assert YES_NO_LEAD not in assistant.handle("đổi căn cước").text
    assert YES_NO_LEAD not in assistant.handle("đổi căn cước online được không").text  # a part asked: answered


def test_a_long_search_phrase_is_cut_between_words(tmp_path):
    # The phrase to search the portal for: a word cut in half ("doan" for "doanh") finds nothing.
    long_question = "em muốn hỏi thủ tục thanh lý hợp đồng đi làm việc ở nước ngoài với doanh nghiệp dịch vụ thì làm sao"
    bot = _assistant(tmp_path, [_renewal()], dt.datetime(2026, 3, 2, 9))
    reply = bot.brain.composer.not_in_catalogue(long_question, [])
    searched = reply.to_json()["reply"].split('tìm "')[1].split('"')[0]
    assert len(searched) <= 80 and long_question.startswith(searched) and long_question[len(searched)] == " "
